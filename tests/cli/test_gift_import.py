"""`trainer content import-gift` / `export-gift` as an author runs them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.support.content import write_tree
from trainer.domain.content import parse_tree


def test_export_then_import_gives_the_same_bank(runner: Any, tmp_path: Path) -> None:
    tree = write_tree(tmp_path)
    out = tmp_path / "beta.gift"
    r = runner.invoke(
        args=["content", "export-gift", str(tree), "--module", "beta", "-o", str(out)]
    )
    assert r.exit_code == 0, r.output
    assert "::beta-001::" in out.read_text()
    bank = tmp_path / "beta.yaml"
    r = runner.invoke(
        args=["content", "import-gift", str(out), "--module", "beta", "-o", str(bank)]
    )
    assert r.exit_code == 0, r.output
    imported = yaml.safe_load(bank.read_text())
    original = yaml.safe_load((tree / "items" / "beta.yaml").read_text())
    assert [i["id"] for i in imported["items"]] == [i["id"] for i in original["items"]]
    for a, b in zip(imported["items"], original["items"], strict=True):
        assert (a["stem"], a["answer"], a["options"], a["rationale"], a["domain"]) == (
            b["stem"],
            b["answer"],
            b["options"],
            b["rationale"],
            b["domain"],
        )
    (tree / "items" / "beta.yaml").write_text(bank.read_text())
    assert parse_tree(tree)[1] == []


def test_import_reports_unsupported_questions_with_file_and_line(
    runner: Any, tmp_path: Path
) -> None:
    gift = tmp_path / "mixed.gift"
    gift.write_text(
        "::ok:: Pick one {=Right ~Wrong ~Other ####Because.}\n\n"
        "// a matching question\n::m:: Match {=a -> 1 =b -> 2 =c -> 3}\n"
    )
    out = tmp_path / "bank.yaml"
    r = runner.invoke(
        args=[
            "content",
            "import-gift",
            str(gift),
            "--module",
            "beta",
            "--domain",
            "advocacy",
            "-o",
            str(out),
        ]
    )
    assert r.exit_code == 1
    assert f"{gift}:4: unsupported" in r.output and "matching" in r.output
    assert not out.exists()
