"""`trainer content check` and `use: practice`: accepted, kept out of quizzes and the exam, and
a program whose practice pool cannot fill its blueprint is a warning, not a failure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.content import write_tree
from tests.support.practice import practice_tree


def test_a_short_practice_pool_is_a_warning_at_the_blueprint(runner: Any, tmp_path: Path) -> None:
    tree = write_tree(tmp_path)
    check = runner.invoke(args=["content", "check", str(tree)])
    assert check.exit_code == 0, check.output
    program = (tree / "programs" / "test-prog.yaml").read_text().split("\n")
    line = next(n for n, text in enumerate(program, 1) if text.strip().startswith("blueprint:"))
    assert check.stderr.splitlines() == [
        f"content/programs/test-prog.yaml:{line}: warning: practice: the quiz and practice "
        "items of this program's modules fill 1 of the blueprint's 5 questions (advocacy 1 of "
        "3, ethical-responsibility 0 of 2); the practice exam has 1 question"
    ]
    assert check.stdout.startswith("ok: 2 modules, 13 items, 1 programs")


def test_practice_items_are_accepted_and_fill_the_practice_exam(
    runner: Any, tmp_path: Path
) -> None:
    tree = practice_tree(tmp_path)
    check = runner.invoke(args=["content", "check", str(tree)])
    assert check.exit_code == 0, check.output
    assert check.stderr == "" and check.stdout.startswith("ok: 2 modules, 21 items")


def test_an_unknown_use_names_the_four_uses(runner: Any, tmp_path: Path) -> None:
    tree = write_tree(tmp_path)
    bank = tree / "items" / "beta.yaml"
    bank.write_text(bank.read_text().replace("use: both", "use: rehearsal", 1))
    check = runner.invoke(args=["content", "check", str(tree)])
    assert check.exit_code == 1
    assert "'use' must be one of quiz, exam, both, practice" in check.stderr
