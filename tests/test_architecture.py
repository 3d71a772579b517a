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


PACKAGE = DOMAIN.parent


def _module_names() -> dict[str, Path]:
    """Every module of the package by dotted name (migrations are generated, not imported)."""
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.relative_to(PACKAGE).parts:
            continue
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules that ``name`` imports anywhere in its file, function bodies too.

    ``from a import b`` is an import of ``a.b`` when that is a module, else of ``a``."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            candidates = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                for alias in node.names
            ]
        else:
            continue
        for candidate in candidates:
            while candidate and candidate not in modules:
                candidate = candidate.rpartition(".")[0]
            if candidate and candidate != name:
                found.add(candidate)
    return found


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycles() -> None:
    """Imports point one way, function-local imports included: a cycle hides who calls whom."""
    modules = _module_names()
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    assert len(graph) > 50 and graph["trainer.web.learn"]  # it really read the package
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    cycles = _cycles(graph)
    detail = [
        f"{' <-> '.join(cycle)}: "
        + "; ".join(f"{m} imports {sorted(graph[m] & set(cycle))}" for m in cycle)
        for cycle in cycles
    ]
    assert not cycles, "\n".join(detail)


def test_views_leave_queries_to_services() -> None:
    """A view asks a service; it does not build SQL or read rows itself (it may commit or roll
    back the request's transaction, which the services leave open)."""
    offenders = []
    for path in sorted((PACKAGE / "web").rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            builders = {"select", "func", "or_", "and_", "update", "delete"}
            if (
                isinstance(node, ast.ImportFrom)
                and (node.module or "").startswith("sqlalchemy")
                and any(a.name in builders for a in node.names)
            ):
                offenders.append(f"{path.name}:{node.lineno} imports query builders")
            if (
                isinstance(node, ast.Attribute)
                and node.attr in {"get", "scalar", "scalars", "execute", "query", "add", "delete"}
                and ast.unparse(node.value) == "db.session"
            ):
                offenders.append(
                    f"{path.relative_to(PACKAGE)}:{node.lineno} db.session.{node.attr}"
                )
    assert not offenders, offenders


def _calls_commit(function: ast.AST, helpers: dict[str, ast.FunctionDef]) -> bool:
    """Does ``function`` call db.session.commit(), itself or through a module-level helper?"""
    seen: set[str] = set()
    todo = [function]
    while todo:
        for node in ast.walk(todo.pop()):
            if not isinstance(node, ast.Call):
                continue
            callee = ast.unparse(node.func)
            if callee == "db.session.commit":
                return True
            if callee in helpers and callee not in seen:
                seen.add(callee)
                todo.append(helpers[callee])
    return False


def test_pages_commit_only_when_they_say_they_write() -> None:
    """A GET view commits nothing unless it is declared @writes_on_read (its service calls
    record a read: a section, a board member's access, an attempt scored at its deadline)."""
    offenders, declared = [], 0
    for path in sorted((PACKAGE / "web").rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        helpers = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
        for view in helpers.values():
            decorators = [ast.unparse(d) for d in view.decorator_list]
            if not any(d.startswith("bp.get(") for d in decorators):
                continue
            if "writes_on_read" in decorators:
                declared += 1
            elif _calls_commit(view, helpers):
                offenders.append(f"{path.relative_to(PACKAGE)}: {view.name}")
    assert declared >= 5  # the check saw the declared pages
    assert not offenders, offenders


def test_services_take_the_time_and_the_request_from_their_caller() -> None:
    """Services and rules never read the wall clock (the caller passes ``now``, so jobs,
    reminders and deadlines are tested with a chosen time) nor the HTTP request (the web
    layer states where a change comes from, audit.set_origin)."""
    offenders = []
    for folder in ("services", "domain"):
        for path in sorted((PACKAGE / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module == "trainer.clock":
                    offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno} imports the clock")
                if isinstance(node, ast.ImportFrom) and node.module == "flask":
                    names = {a.name for a in node.names}
                    if names & {"request", "has_request_context", "session", "url_for"}:
                        offenders.append(
                            f"{path.relative_to(PACKAGE)}:{node.lineno} reads the request"
                        )
                if isinstance(node, ast.Call) and ast.unparse(node.func) in {
                    "datetime.now",
                    "datetime.utcnow",
                    "date.today",
                    "time.time",
                }:
                    offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno} reads the time")
    assert not offenders, offenders


def test_files_and_functions_stay_readable() -> None:
    """No module over 500 lines, no function over 80 (generated migrations excepted): a file
    is read in one sitting, a function on one screen or two."""
    long_files, long_functions = [], []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.relative_to(PACKAGE).parts:
            continue
        text = path.read_text()
        if text.count("\n") > 500:
            long_files.append(f"{path.relative_to(PACKAGE)}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text, filename=str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > 80:
                    long_functions.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {length}")
    assert not long_files, long_files
    assert not long_functions, long_functions
