"""`trainer content import-gift` / `export-gift` as an author runs them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from tests.support.content import write_tree
from tests.support.exams import complete_program_modules
from trainer.clock import utcnow
from trainer.domain.content import parse_tree
from trainer.domain.content.gift import bank_yaml
from trainer.extensions import db
from trainer.models import Item, User
from trainer.services import exams, quizzes


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


def test_import_skips_unsupported_questions_unless_strict(runner: Any, tmp_path: Path) -> None:
    gift = tmp_path / "mixed.gift"
    gift.write_text(
        "::ok:: Pick one {=Right ~Wrong ~Other ####Because.}\n\n"
        "// a matching question\n::m:: Match {=a -> 1 =b -> 2 =c -> 3}\n"
    )
    out = tmp_path / "bank.yaml"
    args = [str(gift), "--module", "beta", "--domain", "advocacy", "-o", str(out)]
    r = _import(runner, *args, "--strict")
    assert r.exit_code == 1
    assert f"{gift}:4: unsupported matching question: answers with ->" in r.stderr
    assert not out.exists()
    r = _import(runner, *args)
    assert r.exit_code == 0, r.output
    assert r.stderr.splitlines() == [
        f"{gift}:4: skipped: unsupported matching question: answers with ->",
        f"{gift}: imported 1 questions (0 drafts without general feedback), skipped 1; wrote {out}",
    ]
    assert [i["id"] for i in yaml.safe_load(out.read_text())["items"]] == ["ok"]


# -- a real-world Moodle bank ------------------------------------------------------------------

MOODLE = Path(__file__).resolve().parents[1] / "data" / "gift" / "moodle_bank.gift"
MOODLE_ARGS = ["--module", "alpha", "--domain", "mentoring-education"]
SKIPPED_LINES = [43, 74, 77, 85, 87, 89, 95, 98, 101]
DRAFTS = ["alpha-gift-001", "alpha-gift-002", "alpha-gift-004", "recovery-pathways"]


def _import(runner: Any, *args: str) -> Any:
    return runner.invoke(args=["content", "import-gift", *args])


def _import_moodle(runner: Any, out: Path) -> list[dict[str, Any]]:
    r = _import(runner, str(MOODLE), *MOODLE_ARGS, "-o", str(out))
    assert r.exit_code == 0, r.output
    items: list[dict[str, Any]] = yaml.safe_load(out.read_text())["items"]
    return items


def _add_to_alpha(tree: Path, items: list[dict[str, Any]]) -> Path:
    """Append bank ``items`` to the fixture's alpha bank (its scenarios kept)."""
    bank = tree / "items" / "alpha.yaml"
    original = yaml.safe_load(bank.read_text())
    bank.write_text(
        bank_yaml("alpha", original["items"] + items)
        + "\n"
        + yaml.safe_dump({"scenarios": original["scenarios"]}, sort_keys=False)
    )
    return bank


def test_a_moodle_bank_imports_with_drafts_and_each_skip_on_its_line(
    runner: Any, tmp_path: Path
) -> None:
    out = tmp_path / "alpha.yaml"
    r = _import(runner, str(MOODLE), *MOODLE_ARGS, "-o", str(out))
    assert r.exit_code == 0, r.output
    *skips, summary = r.stderr.splitlines()
    assert [line.split(": skipped: ")[0] for line in skips] == [
        f"{MOODLE}:{n}" for n in SKIPPED_LINES
    ]
    assert skips[0] == (
        f"{MOODLE}:43: skipped: unsupported partial credit (~%weight% above 0) in a "
        "single-answer question"
    )
    assert summary == (
        f"{MOODLE}: imported 10 questions (4 drafts without general feedback), skipped 9; "
        f"wrote {out}"
    )
    items = yaml.safe_load(out.read_text())["items"]
    assert len(items) == 10
    assert [i["id"] for i in items if i.get("draft")] == DRAFTS
    assert all("rationale" not in i for i in items if i.get("draft"))
    # Without -o the bank goes to standard output and the report to standard error.
    r = _import(runner, str(MOODLE), *MOODLE_ARGS)
    assert r.exit_code == 0 and yaml.safe_load(r.stdout)["items"] == items


def test_strict_writes_nothing_and_lists_every_problem(runner: Any, tmp_path: Path) -> None:
    out = tmp_path / "alpha.yaml"
    r = _import(runner, str(MOODLE), *MOODLE_ARGS, "--strict", "-o", str(out))
    assert r.exit_code == 1
    assert not out.exists() and r.stdout == ""
    *problems, last = r.stderr.splitlines()
    assert last == "15 problem(s); nothing was written."
    lines = sorted({int(p.removeprefix(f"{MOODLE}:").split(":")[0]) for p in problems})
    assert lines == sorted(SKIPPED_LINES + [9, 35, 55, 71])
    assert f"{MOODLE}:9: no general feedback (####) to use as the rationale" in problems
    # A file where every question is complete passes --strict.
    clean = tmp_path / "clean.gift"
    clean.write_text("::c1::Which?{=A ~B ~C####Because.}\n")
    r = _import(runner, str(clean), *MOODLE_ARGS, "--strict", "-o", str(out))
    assert r.exit_code == 0, r.output
    assert [i["id"] for i in yaml.safe_load(out.read_text())["items"]] == ["c1"]


def test_nothing_to_import_is_an_error(runner: Any, tmp_path: Path) -> None:
    gift = tmp_path / "none.gift"
    gift.write_text("Describe recovery.{}\n\nName one dimension.{=health}\n")
    out = tmp_path / "bank.yaml"
    r = _import(runner, str(gift), *MOODLE_ARGS, "-o", str(out))
    assert r.exit_code == 1
    assert r.stderr.splitlines() == [
        f"{gift}:1: skipped: unsupported essay question: an answer block without answers {{}}",
        f"{gift}:3: skipped: unsupported short-answer question: only = answers and no ~",
        f"{gift}: nothing was imported: every question was skipped; nothing was written.",
    ]
    assert not out.exists()
    gift.write_text("// only a comment\n$CATEGORY: $course$/top/advocacy\n")
    r = _import(runner, str(gift), *MOODLE_ARGS, "-o", str(out))
    assert r.exit_code == 1 and not out.exists()
    assert "nothing was imported: it holds no questions" in r.stderr


def test_import_then_export_gives_the_imported_questions_back(runner: Any, tmp_path: Path) -> None:
    tree = write_tree(tmp_path)
    imported = _import_moodle(runner, tmp_path / "imported.yaml")
    _add_to_alpha(tree, imported)
    exported = tmp_path / "alpha.gift"
    r = runner.invoke(
        args=["content", "export-gift", str(tree), "--module", "alpha", "-o", str(exported)]
    )
    assert r.exit_code == 0, r.output
    r = _import(runner, str(exported), "--module", "alpha", "-o", str(tmp_path / "again.yaml"))
    assert r.exit_code == 0 and "(4 drafts without general feedback), skipped 0" in r.stderr
    again = yaml.safe_load((tmp_path / "again.yaml").read_text())["items"]
    by_id = {i["id"]: i for i in again}
    assert [by_id[i["id"]] for i in imported] == imported  # drafts come back as drafts


def test_check_warns_about_drafts_and_load_leaves_them_out_of_quizzes_and_exams(
    runner: Any, app: Any, tmp_path: Path, make_user: Any
) -> None:
    tree = write_tree(tmp_path)
    bank = _add_to_alpha(tree, _import_moodle(runner, tmp_path / "imported.yaml"))
    check = runner.invoke(args=["content", "check", str(tree)])
    assert check.exit_code == 0, check.output
    assert check.stderr.splitlines() == [
        f"content/items/alpha.yaml:{_line_of(bank, f'- id: {iid}')}: warning: draft: item "
        f"'{iid}' is left out of quizzes and exams until you write its rationale and remove "
        "'draft: true'"
        for iid in DRAFTS
    ] + [  # the test tree's practice pool is one quiz item (alpha-tf): a short practice exam
        "content/programs/test-prog.yaml:15: warning: practice: the quiz and practice items of "
        "this program's modules fill 1 of the blueprint's 5 questions (advocacy 1 of 3, "
        "ethical-responsibility 0 of 2); the practice exam has 1 question"
    ]
    assert check.stdout.startswith("ok: 2 modules, 19 items, 1 programs, 4 drafts left out")
    loaded = runner.invoke(args=["content", "load", str(tree)])
    assert loaded.exit_code == 0, loaded.output
    assert "19 items added" in loaded.stdout and len(loaded.stderr.splitlines()) == 5
    user = make_user("trainee")
    complete_program_modules(app, user.id, "test-prog")  # draws and passes every quiz
    with app.app_context():
        assert db.session.scalars(select(Item.id).where(Item.id.in_(DRAFTS))).all() == []
        pool = {r.item_id for r in quizzes.current_revisions(Item.module_id == "alpha")}
        assert "recovery-stages" in pool and not pool & set(DRAFTS)
        trainee = db.session.get(User, user.id)
        drawn = set()
        for seed in range(20):
            drawn |= {q["item_id"] for q in quizzes.start(trainee, "alpha", utcnow(), seed).form}
        exam = exams.start(trainee, "test-prog", utcnow(), seed=1)
        drawn |= {i.item_id for i in exam.items}
        assert drawn and not drawn & set(DRAFTS)
        db.session.rollback()


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().split("\n"), 1) if needle in line)
