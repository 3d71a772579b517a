"""`trainer content check`: each kind of mistake is reported with its file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.content import write_tree
from trainer.domain.content import parse_tree


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return write_tree(tmp_path)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"fixture no longer contains {old!r}"
    path.write_text(text.replace(old, new, 1))


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().split("\n"), 1) if needle in line)


def _problems(tree: Path) -> list[str]:
    result, problems = parse_tree(tree)
    assert result is None, "a tree with problems must not be returned"
    return [str(p) for p in problems]


def test_the_fixture_is_valid(tree: Path) -> None:
    result, problems = parse_tree(tree)
    assert problems == [] and result is not None
    assert set(result.modules) == {"alpha", "beta"} and len(result.items) == 13


def test_yaml_syntax_error_names_its_line(tree: Path) -> None:
    bank = tree / "items" / "alpha.yaml"
    _edit(bank, "    rationale: Because alpha-002.", "    rationale: [unclosed")
    line = _line_of(bank, "[unclosed")
    problems = _problems(tree)
    assert any(
        p.startswith(f"content/items/alpha.yaml:{line + 1}:")
        and "YAML syntax" in p
        or p.startswith(f"content/items/alpha.yaml:{line}:")
        and "YAML syntax" in p
        for p in problems
    ), problems


def test_front_matter_syntax_error_in_a_module(tree: Path) -> None:
    module = tree / "modules" / "02-beta.md"
    _edit(module, "summary: The second module.", "summary: [broken")
    problems = _problems(tree)
    assert any(
        p.startswith("content/modules/02-beta.md:") and "YAML syntax" in p for p in problems
    ), problems


def test_unclosed_front_matter(tree: Path) -> None:
    module = tree / "modules" / "02-beta.md"
    module.write_text(module.read_text().replace("---\n\n## First part", "\n## First part"))
    assert (
        "content/modules/02-beta.md:1: the front matter is not closed by a '---' line"
        in _problems(tree)
    )


def test_unknown_key(tree: Path) -> None:
    module = tree / "modules" / "01-alpha.md"
    _edit(module, "order: 1\n", "order: 1\ncolour: blue\n")
    line = _line_of(module, "colour: blue")
    assert any(
        p.startswith(f"content/modules/01-alpha.md:{line}: unknown key 'colour'")
        for p in _problems(tree)
    )


def test_missing_key(tree: Path) -> None:
    bank = tree / "items" / "beta.yaml"
    _edit(bank, "    rationale: Because beta-003.\n", "")
    line = _line_of(bank, "- id: beta-003")
    assert f"content/items/beta.yaml:{line}: missing key 'rationale' in an item" in _problems(tree)


def test_wrong_type(tree: Path) -> None:
    module = tree / "modules" / "01-alpha.md"
    _edit(module, "order: 1", "order: first")
    line = _line_of(module, "order: first")
    assert f"content/modules/01-alpha.md:{line}: 'order' must be a whole number" in _problems(tree)


def test_duplicate_ids_across_files(tree: Path) -> None:
    bank = tree / "items" / "beta.yaml"
    _edit(bank, "- id: beta-002", "- id: alpha-001")
    line = _line_of(bank, "- id: alpha-001")
    first = _line_of(tree / "items" / "alpha.yaml", "- id: alpha-001")
    assert (
        f"content/items/beta.yaml:{line}: duplicate id 'alpha-001' (first used at "
        f"content/items/alpha.yaml:{first})"
    ) in _problems(tree)


def test_correct_answer_not_among_the_options(tree: Path) -> None:
    bank = tree / "items" / "alpha.yaml"
    text = bank.read_text()
    bank.write_text(
        text.replace(
            "    answer: b\n    rationale: Because alpha-003.",
            "    answer: e\n    rationale: Because alpha-003.",
        )
    )
    line = _line_of(bank, "    answer: e")
    assert (
        f"content/items/alpha.yaml:{line}: the answer 'e' is not among the options (a, b, c)"
    ) in _problems(tree)


def test_multiple_response_item_with_no_correct_option(tree: Path) -> None:
    bank = tree / "items" / "alpha.yaml"
    _edit(bank, "    answer: [a, b]", "    answer: []")
    line = _line_of(bank, "answer: []")
    assert any(
        p.startswith(f"content/items/alpha.yaml:{line}: a multiple-response item needs")
        for p in _problems(tree)
    )


def test_program_names_a_module_that_does_not_exist(tree: Path) -> None:
    program = tree / "programs" / "test-prog.yaml"
    _edit(program, "modules: [alpha, beta]", "modules:\n  - alpha\n  - gamma")
    line = _line_of(program, "- gamma")
    assert f"content/programs/test-prog.yaml:{line}: unknown module 'gamma'" in _problems(tree)


def test_program_names_a_domain_that_does_not_exist(tree: Path) -> None:
    program = tree / "programs" / "test-prog.yaml"
    _edit(
        program,
        "  blueprint: {advocacy: 3, ethical-responsibility: 2}",
        "  blueprint: {advocacy: 3, astrology: 2}",
    )
    line = _line_of(program, "astrology")
    assert any(
        p.startswith(f"content/programs/test-prog.yaml:{line}: unknown domain 'astrology'")
        for p in _problems(tree)
    )


def test_blueprint_asks_for_more_items_than_the_bank_holds(tree: Path) -> None:
    program = tree / "programs" / "test-prog.yaml"
    _edit(
        program,
        "  blueprint: {advocacy: 3, ethical-responsibility: 2}",
        "  blueprint:\n    advocacy: 3\n    ethical-responsibility: 9",
    )
    line = _line_of(program, "ethical-responsibility: 9")
    assert (
        f"content/programs/test-prog.yaml:{line}: the blueprint asks for 9 items of "
        "'ethical-responsibility' but the bank holds only 5 exam items of that domain"
    ) in _problems(tree)


def test_link_between_modules_that_points_nowhere(tree: Path) -> None:
    module = tree / "modules" / "01-alpha.md"
    _edit(module, "module:beta#second-part", "module:beta#third-part")
    line = _line_of(module, "module:beta#third-part")
    assert any(
        p.startswith(f"content/modules/01-alpha.md:{line}: link to 'module:beta#third-part'")
        for p in _problems(tree)
    )
    _edit(module, "module:beta#third-part", "module:gamma")
    assert f"content/modules/01-alpha.md:{line}: link to unknown module 'gamma'" in _problems(tree)


def test_raw_html_and_script_links_are_reported(tree: Path) -> None:
    module = tree / "modules" / "02-beta.md"
    _edit(module, "Beta text.", "Beta <script>alert(1)</script> text.\n\n[x](javascript:alert(1))")
    html_line = _line_of(module, "<script>")
    link_line = _line_of(module, "javascript:")
    problems = _problems(tree)
    assert (
        f"content/modules/02-beta.md:{html_line}: raw HTML is not allowed in a module; "
        "use Markdown" in problems
    )
    assert (
        f"content/modules/02-beta.md:{link_line}: link to 'javascript:alert(1)' is not "
        "allowed" in problems
    )


def test_unknown_taxonomy_ids_and_duplicate_stems(tree: Path) -> None:
    bank = tree / "items" / "beta.yaml"
    _edit(
        bank,
        "    domain: ethical-responsibility\n    competencies: [engagement]\n"
        "    stem: Question beta-004",
        "    domain: ethical-responsibility\n    competencies: [telepathy]\n"
        "    stem: Question beta-004",
    )
    _edit(
        bank,
        "stem: Question beta-005 about a situation?",
        "stem: Question beta-001 about a situation?",
    )
    problems = _problems(tree)
    assert any(
        "unknown competency 'telepathy'" in p and p.startswith("content/items/beta.yaml:")
        for p in problems
    )
    line = _line_of(bank, "stem: Question beta-001 about a situation?")
    assert any(
        p.startswith("content/items/beta.yaml:") and "repeats the stem of item beta-001" in p
        for p in problems
    )
    assert line > 0


def test_education_hours_the_modules_cannot_cover(tree: Path) -> None:
    program = tree / "programs" / "test-prog.yaml"
    _edit(
        program,
        "  topics: {advocacy: 2, ethical-responsibility: 1}",
        "  topics:\n    advocacy: 5\n    ethical-responsibility: 1",
    )
    line = _line_of(program, "advocacy: 5")
    assert (
        f"content/programs/test-prog.yaml:{line}: the required modules credit 2 hours of "
        "'advocacy'; the program requires 5"
    ) in _problems(tree)


def test_every_mistake_is_reported_in_one_run(tree: Path) -> None:
    _edit(tree / "modules" / "01-alpha.md", "order: 1", "order: first")
    _edit(
        tree / "items" / "beta.yaml",
        "    answer: b\n    rationale: Because beta-001.",
        "    answer: z\n    rationale: Because beta-001.",
    )
    _edit(tree / "programs" / "test-prog.yaml", "validity_months: 24", "validity_months: -1")
    files = {p.split(":")[0] for p in _problems(tree)}
    assert files >= {
        "content/modules/01-alpha.md",
        "content/items/beta.yaml",
        "content/programs/test-prog.yaml",
    }


def test_the_real_content_passes(curriculum: Any) -> None:
    assert len(curriculum.modules) >= 10  # parsed with no problems (the fixture checks)


# -- drafts: items that wait for their rationale ------------------------------------------------


def _draft(bank: Path, iid: str, rationale: str | None = None) -> None:
    """Mark item ``iid`` of ``bank`` as a draft, dropping its rationale unless one is given."""
    new = f"    rationale: {rationale}\n    draft: true" if rationale else "    draft: true"
    _edit(bank, f"    rationale: Because {iid}.", new)


def test_a_draft_needs_no_rationale_and_is_kept_out_of_the_items(tree: Path) -> None:
    bank = tree / "items" / "beta.yaml"
    _draft(bank, "beta-001")
    _draft(bank, "beta-002", rationale="Written, but not yet reviewed.")
    result, problems = parse_tree(tree)
    assert problems == [] and result is not None
    assert set(result.drafts) == {"beta-001", "beta-002"}
    assert not set(result.drafts) & set(result.items) and len(result.items) == 11
    assert result.drafts["beta-002"].rationale == "Written, but not yet reviewed."
    assert [str(w) for w in result.warnings()] == [
        f"content/items/beta.yaml:{_line_of(bank, 'id: beta-001')}: warning: draft: item "
        "'beta-001' is left out of quizzes and exams until you write its rationale and "
        "remove 'draft: true'",
        f"content/items/beta.yaml:{_line_of(bank, 'id: beta-002')}: warning: draft: item "
        "'beta-002' is left out of quizzes and exams until you remove 'draft: true'",
    ]


def test_draft_false_is_a_published_item(tree: Path) -> None:
    bank = tree / "items" / "beta.yaml"
    _edit(
        bank,
        "    rationale: Because beta-001.",
        "    rationale: Because beta-001.\n    draft: false",
    )
    result, problems = parse_tree(tree)
    assert problems == [] and result is not None
    assert "beta-001" in result.items and result.drafts == {} and result.warnings() == []


def test_a_draft_is_checked_like_any_item(tree: Path) -> None:
    bank = tree / "items" / "beta.yaml"
    _draft(bank, "beta-001")
    _edit(bank, "    answer: b\n    draft: true", "    answer: z\n    draft: true")
    _edit(bank, "    rationale: Because beta-002.", "    draft: maybe")
    alpha = tree / "items" / "alpha.yaml"
    _edit(alpha, "        rationale: Greeting builds trust.", "        draft: true")
    problems = _problems(tree)
    assert (
        f"content/items/beta.yaml:{_line_of(bank, 'answer: z')}: the answer 'z' is not among "
        "the options (a, b, c)"
    ) in problems
    assert (
        f"content/items/beta.yaml:{_line_of(bank, 'draft: maybe')}: 'draft' must be true or false"
        in problems
    )
    # Without draft: true, the rationale is required as before.
    assert any(p.endswith("missing key 'rationale' in an item") for p in problems)
    # A scenario's items are published together: none of them can be a draft.
    assert any(
        p.startswith(
            f"content/items/alpha.yaml:{_line_of(alpha, 'draft: true')}: unknown key 'draft'"
        )
        for p in problems
    ), problems


def test_drafts_do_not_fill_a_quiz_or_an_exam_blueprint(tree: Path) -> None:
    bank = tree / "items" / "beta.yaml"
    for n in range(1, 5):  # beta's quiz draws 3; the blueprint asks 2 ethics exam items
        _draft(bank, f"beta-00{n}")
    problems = _problems(tree)
    assert (
        "content/modules/02-beta.md:1: the quiz draws 3 items but the bank holds only 1 quiz "
        "items for this module (4 more are drafts, which count once they are published)"
    ) in problems
    assert any(
        "asks for 2 items of 'ethical-responsibility' but the bank holds only 1 exam items" in p
        for p in problems
    ), problems
