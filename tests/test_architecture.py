"""The layering in ARCHITECTURE.md: domain/ is pure Python."""

from __future__ import annotations

import ast
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[1] / "trainer" / "domain"
FORBIDDEN = (
    "flask",
    "flask_",
    "sqlalchemy",
    "werkzeug",
    "trainer.models",
    "trainer.services",
    "trainer.web",
    "trainer.extensions",
)


def test_domain_imports_no_framework_or_database() -> None:
    offenders = []
    for path in sorted(DOMAIN.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if name.startswith(FORBIDDEN):
                    offenders.append(f"{path.name}:{node.lineno} imports {name}")
    assert not offenders, offenders
    assert len(list(DOMAIN.rglob("*.py"))) > 1  # the check really looked at files


def test_every_type_ignore_says_why() -> None:
    """mypy runs in `make test`; a silenced error carries its reason next to it."""
    package = DOMAIN.parent
    bare = []
    for path in sorted(package.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for n, line in enumerate(path.read_text().splitlines(), start=1):
            if "# type: ignore" in line:
                after = line.split("# type: ignore", 1)[1]
                if not after.startswith("[") or "#" not in after.split("]", 1)[1]:
                    bare.append(f"{path.relative_to(package)}:{n}")
    assert not bare, f"type: ignore without a code and a reason: {bare}"
