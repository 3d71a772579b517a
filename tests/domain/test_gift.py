"""Moodle GIFT import and export (trainer/domain/content/gift.py): pure functions, no app."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.content import REAL_CONTENT, write_tree
from trainer.domain.content import Item, Option, parse_tree
from trainer.domain.content.gift import (
    DOMAINS,
    NO_RATIONALE,
    bank_yaml,
    export_gift,
    item_from_dict,
    item_to_dict,
    parse_gift,
)
from trainer.domain.content.parse import RAW_HTML_RE

DATA = Path(__file__).resolve().parents[1] / "data" / "gift"
BANK_KEYS = [
    "id",
    "type",
    "use",
    "domain",
    "competencies",
    "stem",
    "options",
    "answer",
    "rationale",
    "draft",
    "feedback",
]


def _parse(name: str, **kwargs: Any) -> tuple[list[dict[str, Any]], list[tuple[int, str]]]:
    text = (DATA / name).read_text(encoding="utf-8")
    items, problems = parse_gift(text, module="alpha", path=f"gift/{name}", **kwargs)
    assert all(p.path == f"gift/{name}" for p in problems)
    return items, [(p.line, p.message) for p in problems]


def _item(
    iid: str,
    type_: str,
    options: dict[str, str],
    answer: Any,
    *,
    stem: str = "",
    domain: str = "advocacy",
    use: str = "both",
    feedback: dict[str, str] | None = None,
    rationale: str = "Because.",
    competencies: tuple[str, ...] = ("engagement",),
    draft: bool = False,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": iid,
        "type": type_,
        "use": use,
        "domain": domain,
        "competencies": list(competencies),
        "stem": stem or f"Stem {iid}?",
    }
    if type_ != "truefalse":
        data["options"] = options
    data["answer"] = answer
    if draft:
        data["draft"] = True
    else:
        data["rationale"] = rationale
    if feedback:
        data["feedback"] = feedback
    return data


# -- import: every supported construct ---------------------------------------------------------

ENGAGE = ["engagement"]
CONSTRUCTS = [
    {
        "id": "alpha-gift-001",
        "type": "single",
        "use": "both",
        "domain": "recovery-wellness",
        "competencies": ENGAGE,
        "stem": "A peer specialist meets Dana for the first time. What comes first?",
        "options": {
            "a": "Explain the program rules in detail",
            "b": "Ask what brings her in and listen",
            "c": "Share the peer's own recovery story at length",
        },
        "answer": "b",
        "rationale": "Engagement starts with listening to what matters to the person.",
    },
    {
        "id": "advocacy-grant",
        "type": "single",
        "use": "both",
        "domain": "advocacy",
        "competencies": ENGAGE,
        "stem": "Who is buried\nin Grant's tomb?",
        "options": {"a": "No one", "b": "Ulysses Grant", "c": "Julia Grant"},
        "answer": "a",
        "rationale": "Grant and his wife are entombed above ground.",
        "feedback": {
            "a": "Right: he is entombed, not buried.",
            "b": "He lies in a sarcophagus above ground.",
        },
    },
    {
        "id": "escapes",
        "type": "single",
        "use": "both",
        "domain": "advocacy",
        "competencies": ENGAGE,
        "stem": "Which characters need a backslash in GIFT: ~, =, #, { and }?",
        "options": {
            "a": "Only { and }",
            "b": "All five, and the colon",
            "c": "None; C:\\temp shows a backslash is plain text",
        },
        "answer": "b",
        "rationale": "A backslash makes ~ = # { } and : plain text.\nWrite \\ for a backslash.",
    },
    {
        "id": "alpha-gift-002",
        "type": "single",
        "use": "both",
        "domain": "advocacy",
        "competencies": ENGAGE,
        "stem": "Who is also entombed there?",
        "options": {
            "a": "Julia Grant",
            "b": "Ulysses & no one else",
            "c": "*Nobody*",
            "d": "Jesse Grant\n(a son)",
        },
        "answer": "a",
        "rationale": "Julia Grant was entombed beside him in 1902.\n\nSee the park site.",
        "feedback": {"a": "Yes, since 1902."},
    },
    {
        "id": "tf-short",
        "type": "truefalse",
        "use": "both",
        "domain": "ethical-responsibility",
        "competencies": ENGAGE,
        "stem": "A peer specialist may accept a $50 gift card from a person served.",
        "answer": False,
        "rationale": "Cash-like gifts are not accepted.",
    },
    {
        "id": "alpha-gift-003",
        "type": "truefalse",
        "use": "both",
        "domain": "ethical-responsibility",
        "competencies": ENGAGE,
        "stem": "A peer specialist tells their supervisor about a gift they turned down.",
        "answer": True,
        "rationale": "Supervisors should know about every offer.",
    },
    {
        "id": "alpha-gift-004",
        "type": "truefalse",
        "use": "both",
        "domain": "ethical-responsibility",
        "competencies": ENGAGE,
        "stem": "Confidentiality ends when a person leaves the program.",
        "answer": False,
        "rationale": "The duty of confidentiality continues after services end.",
        "feedback": {"true": "It does not: the duty continues.", "false": "Right: it continues."},
    },
    {
        "id": "alpha-gift-005",
        "type": "truefalse",
        "use": "both",
        "domain": "ethical-responsibility",
        "competencies": ENGAGE,
        "stem": "Peer specialists follow a code of ethics.",
        "answer": True,
        "rationale": "Every credential comes with a code of ethics.",
        "feedback": {"true": "Right.", "false": "Wrong: they do."},
    },
    {
        "id": "alpha-gift-006",
        "type": "truefalse",
        "use": "both",
        "domain": "ethical-responsibility",
        "competencies": ENGAGE,
        "stem": "Dual relationships need care.",
        "answer": True,
        "rationale": "Dual relationships can harm the person served.",
        "feedback": {"true": "Yes, they do."},
    },
    {
        "id": "multi-weights",
        "type": "multiple",
        "use": "both",
        "domain": "recovery-wellness",
        "competencies": ENGAGE,
        "stem": "Which are **dimensions** of recovery? Select all that apply.",
        "options": {"a": "Health", "b": "Home", "c": "Income", "d": "Popularity"},
        "answer": ["a", "b"],
        "rationale": "The four are health, home, purpose and community.",
        "feedback": {"a": "Yes, *health* is one.", "c": "Income is not one of the four."},
    },
    {
        "id": "multi-three",
        "type": "multiple",
        "use": "exam",
        "domain": "recovery-wellness",
        "competencies": ["support", "communication"],
        "stem": "Which are SAMHSA competency categories? Select all that apply.",
        "options": {
            "a": "Engages peers in collaborative relationships",
            "b": "Provides support",
            "c": "Prescribes medication",
            "d": "Diagnoses disorders",
            "e": "Values communication",
        },
        "answer": ["a", "b", "e"],
        "rationale": "The twelve categories include engagement, support and communication.",
    },
    {
        "id": "alpha-gift-007",
        "type": "single",
        "use": "both",
        "domain": "recovery-wellness",
        "competencies": ENGAGE,
        "stem": "Line one\nline two: which is the second line?",
        "options": {"a": "Line two", "b": "Line one", "c": "Neither"},
        "answer": "a",
        "rationale": "Moodle text may hold HTML such as\nand it becomes text.",
    },
    {
        "id": "alpha-gift-008",
        "type": "single",
        "use": "both",
        "domain": "recovery-wellness",
        "competencies": ENGAGE,
        "stem": "Which sign is a comparison: 3 < 4 & 5 > 2?",
        "options": {"a": "The < sign", "b": "The & sign", "c": "The ? sign"},
        "answer": "a",
        "rationale": "Both < and > compare.",
    },
    {
        "id": "colours",
        "type": "multiple",
        "use": "both",
        "domain": "recovery-wellness",
        "competencies": ENGAGE,
        "stem": "What's between orange and green in the spectrum?",
        "options": {"a": "yellow", "b": "red", "c": "off-beige", "d": "blue"},
        "answer": ["a", "c"],
        "rationale": "Yellow and off-beige sit between them.",
        "feedback": {"a": "right; good!", "b": "wrong", "c": "right; good!", "d": "wrong"},
    },
]


def test_every_supported_construct_parses_to_exact_bank_dicts() -> None:
    items, problems = _parse("constructs.gift", default_domain="recovery-wellness")
    assert problems == []
    assert items == CONSTRUCTS
    # Keys come in the order of content/README.md, feedback only when there is some.
    for item in items:
        assert list(item) == [k for k in BANK_KEYS if k in item]
    texts = [
        text
        for item in items
        for text in [
            item["stem"],
            item["rationale"],
            *item.get("options", {}).values(),
            *item.get("feedback", {}).values(),
        ]
    ]
    assert not [text for text in texts if RAW_HTML_RE.search(text)]  # no HTML reaches the bank


def test_use_and_competencies_come_from_the_arguments() -> None:
    items, problems = _parse(
        "constructs.gift", default_domain="advocacy", use="quiz", competencies=("support", "crisis")
    )
    assert problems == []
    commented = {"multi-three"}  # its // trainer: comment wins over the arguments
    assert {(i["use"], tuple(i["competencies"])) for i in items if i["id"] not in commented} == {
        ("quiz", ("support", "crisis"))
    }
    # The questions before any category, and after one naming no domain, take the default.
    assert [i["domain"] for i in items if i["id"] in ("alpha-gift-001", "colours")] == [
        "advocacy",
        "advocacy",
    ]


# -- import: what the bank cannot hold -------------------------------------------------------


def test_each_unsupported_kind_is_reported_at_its_line() -> None:
    items, problems = _parse("unsupported.gift")
    assert problems == [
        (5, "unsupported matching question: answers with ->"),
        (13, "unsupported numerical question: an answer block starting {#"),
        (16, "unsupported short-answer question: only = answers and no ~"),
        (19, "unsupported short-answer question: only = answers and no ~"),
        (22, "unsupported essay question: an answer block without answers {}"),
        (24, "unsupported essay question: an answer block without answers {}"),
        (27, "unsupported description: text without an answer block {...}"),
        (30, "unsupported short-answer question: only = answers and no ~"),
        (
            33,
            "unsupported short-answer question: only = answers and no ~ "
            "(true/false is written {T}, {TRUE}, {F} or {FALSE})",
        ),
    ]
    assert all(message.startswith("unsupported ") for _, message in problems)
    # Nothing is dropped silently: every question is either an item or a problem.
    assert [i["id"] for i in items] == ["still-read"]
    text = (DATA / "unsupported.gift").read_text()
    starts = [
        n
        for n, line in enumerate(text.split("\n"), 1)
        if line and not line.startswith(("//", " ", "=", "~", "}", "$", "#"))
    ]
    assert starts == [line for line, _ in problems] + [36]


def test_questions_with_mistakes_are_reported_at_their_lines() -> None:
    items, problems = _parse("invalid.gift", drafts=False)
    assert items == []
    assert problems == [
        (5, "a choice question needs 3 to 6 options, not 2"),
        (8, "a choice question needs 3 to 6 options, not 7"),
        (11, NO_RATIONALE),
        (14, "unbalanced braces: a '{' that is never closed by '}'"),
        (17, "unbalanced braces: a '}' without a '{' before it (write \\} for a brace in text)"),
        (20, "unbalanced braces: a '{' inside an answer block (write \\{ for a brace in text)"),
        (
            23,
            "unsupported: several = answers; mark each right option of a select-all question "
            "with ~%weight% instead",
        ),
        (26, "unsupported partial credit (~%weight% above 0) in a single-answer question"),
        (29, "no right answer: mark it with = or give it a positive weight ~%100%"),
        (
            32,
            "every option has a positive weight; a multiple-response item needs a wrong option too",
        ),
        (35, "unsupported image (<img>) in the text: the bank holds text only"),
        (38, "unsupported HTML in the text: '<b>' (the bank is Markdown without HTML)"),
        (41, "the question title is not closed by '::'"),
        (44, "text before the first answer (~ or =): 'stray words'"),
        (47, "an answer has no text"),
        (47, "two options have the same text"),
    ]
    assert NO_RATIONALE == "no general feedback (####) to use as the rationale"
    # With drafts (the default), the question without general feedback is imported as a draft
    # and every other mistake is still reported, none of them NO_RATIONALE.
    drafted, others = _parse("invalid.gift")
    assert [(i["id"], i["draft"], "rationale" in i) for i in drafted] == [
        ("alpha-gift-003", True, False)
    ]
    assert others == [p for p in problems if p[1] != NO_RATIONALE]


# -- a Moodle bank: drafts and skipped questions ----------------------------------------------

MOODLE_SKIPPED = [
    (43, "unsupported partial credit (~%weight% above 0) in a single-answer question"),
    (74, "unsupported short-answer question: only = answers and no ~"),
    (77, "unsupported matching question: answers with ->"),
    (85, "unsupported numerical question: an answer block starting {#"),
    (87, "unsupported numerical question: an answer block starting {#"),
    (89, "unsupported numerical question: an answer block starting {#"),
    (95, "unsupported essay question: an answer block without answers {}"),
    (98, "unsupported description: text without an answer block {...}"),
    (101, "a choice question needs 3 to 6 options, not 2"),
]


def test_a_moodle_bank_imports_every_question_the_bank_can_hold() -> None:
    items, problems = _parse("moodle_bank.gift", default_domain="mentoring-education")
    assert problems == MOODLE_SKIPPED
    # (id, type, domain, draft): generated ids count the skipped questions too (003 is one).
    assert [(i["id"], i["type"], i["domain"], i.get("draft", False)) for i in items] == [
        ("alpha-gift-001", "single", "mentoring-education", True),
        ("advocacy-rights", "single", "mentoring-education", False),
        ("advocacy-supports", "multiple", "advocacy", False),
        ("alpha-gift-002", "multiple", "advocacy", True),
        ("ethics-gift", "truefalse", "ethical-responsibility", False),
        ("alpha-gift-004", "truefalse", "ethical-responsibility", True),
        ("ethics-escapes", "single", "ethical-responsibility", False),
        ("alpha-gift-005", "single", "recovery-wellness", False),
        ("recovery-pathways", "single", "recovery-wellness", True),
        ("recovery-stages", "single", "recovery-wellness", False),
    ]
    # A draft is a whole item but for its rationale: draft: True stands in its place.
    assert all(("rationale" in i) != i.get("draft", False) for i in items)
    for item in items:
        assert list(item) == [k for k in BANK_KEYS if k in item]


def test_moodle_constructs_become_exact_bank_items() -> None:
    items, _ = _parse("moodle_bank.gift", default_domain="mentoring-education")
    by_id = {i["id"]: i for i in items}
    assert by_id["alpha-gift-001"] == _item(  # [html], per-answer feedback, no ####
        "alpha-gift-001",
        "single",
        {
            "a": "Ask what brings her in, and listen",
            "b": "Explain the program rules",
            "c": "Tell her own recovery story at length",
        },
        "a",
        stem="A peer specialist meets Dana for the first time. What comes first?",
        domain="mentoring-education",
        feedback={
            "a": "Yes: engagement starts with listening.",
            "b": "Rules can wait until there is trust.",
        },
        draft=True,
    )
    assert by_id["advocacy-rights"]["rationale"] == (  # [markdown] general feedback
        "Self-advocacy starts with *knowing the rule* and the choices it leaves."
    )
    assert by_id["advocacy-supports"]["answer"] == ["a", "b"]  # %50% %50% %-100% %-100%
    assert by_id["alpha-gift-002"]["answer"] == ["a", "b", "c"]  # %33.33333% each
    assert (by_id["ethics-gift"]["answer"], "feedback" in by_id["ethics-gift"]) == (False, False)
    assert by_id["alpha-gift-004"]["feedback"] == {  # {FALSE#if wrong#if right}
        "true": "It does not: the duty continues.",
        "false": "Right: it continues after discharge.",
    }
    escapes = by_id["ethics-escapes"]  # [plain] with \: \= \~ \# \{ \}
    assert escapes["stem"] == 'In a note, which line keeps to the rule "facts only: no opinions"?'
    assert escapes["options"] == {
        "a": "Attended 2 of 3 groups = 67%",
        "b": "Seems unmotivated ~ maybe lazy",
        "c": "Group #2 was {probably} a waste",
    }
    assert escapes["rationale"] == "Notes record what happened: counts and facts, {not} judgements."
    assert by_id["alpha-gift-005"]["stem"] == (  # missing word, #### inside the block
        "Recovery is a process of change through which people improve their _____ and wellness."
    )
    assert by_id["alpha-gift-005"]["rationale"] == "SAMHSA's working definition of recovery."
    assert by_id["recovery-pathways"]["stem"] == "There are _____ pathways to recovery."
    stages = by_id["recovery-stages"]  # a // comment inside the question is dropped
    assert stages["options"] == {"a": "Action", "b": "Contemplation", "c": "Maintenance"}
    assert stages["stem"] == "Which stage comes *before* preparation?"


def test_without_drafts_a_missing_rationale_is_a_problem_again() -> None:
    items, problems = _parse("moodle_bank.gift", default_domain="mentoring-education", drafts=False)
    assert [i["id"] for i in items] == [
        "advocacy-rights",
        "advocacy-supports",
        "ethics-gift",
        "ethics-escapes",
        "alpha-gift-005",
        "recovery-stages",
    ]
    assert sorted(problems) == sorted(
        MOODLE_SKIPPED + [(n, NO_RATIONALE) for n in (9, 35, 43, 55, 71, 101)]
    )


def test_drafts_export_without_general_feedback_and_read_back_as_drafts() -> None:
    items, _ = _parse("moodle_bank.gift", default_domain="mentoring-education")
    text = export_gift(item_from_dict(d, "alpha") for d in items)
    again, problems = parse_gift(text, module="alpha")
    assert problems == []
    assert {d["id"]: d for d in again} == {d["id"]: d for d in items}
    assert text.count("####") == sum(1 for d in items if "rationale" in d)


def test_a_draft_item_and_back() -> None:
    data = _item("alpha-d1", "single", {"a": "A", "b": "B", "c": "C"}, "b", draft=True)
    item = item_from_dict(data, "alpha")
    assert (item.draft, item.rationale) == (True, "")
    assert item_to_dict(item) == data
    assert "draft" not in item.content()  # published items' revisions are unchanged by it
    written = item_to_dict(replace(item, rationale="Written now."))
    assert list(written)[-2:] == ["rationale", "draft"]


def test_a_missing_word_question_has_a_blank_and_one_answer_block() -> None:
    text = "Peers share {~authority =lived experience ~diagnoses####R.} with the people they serve."
    items, problems = parse_gift(text, module="alpha", default_domain="advocacy")
    assert problems == []
    assert items[0]["stem"] == "Peers share _____ with the people they serve."
    items, problems = parse_gift(
        "A {~x =y ~z####R.} and B {~p =q ~r####R.}", module="alpha", default_domain="advocacy"
    )
    assert items == []
    assert [p.message for p in problems] == [
        "unsupported: more than one answer block {...} in a question"
    ]


def test_a_question_without_a_domain_is_a_problem() -> None:
    text = (
        "// no category\n\nWhich?{=A ~B ~C####Because.}\n\n$CATEGORY: top/other\n\n"
        "Which now?{=A ~B ~C####Because.}\n"
    )
    items, problems = parse_gift(text, module="alpha")
    assert items == []
    assert [(p.line, p.message.split(":")[0]) for p in problems] == [
        (3, "no domain"),
        (7, "no domain"),
    ]
    items, problems = parse_gift(text, module="alpha", default_domain="advocacy")
    assert problems == [] and [i["domain"] for i in items] == ["advocacy", "advocacy"]


def test_a_category_sets_the_domain_from_its_last_segment() -> None:
    text = (
        "$CATEGORY: $course$/top/advocacy/\n\nA?{=A ~B ~C####R.}\n\n"
        "$CATEGORY: recovery-wellness\nB?{=A ~B ~C####R.}\n\n"
        "$CATEGORY: advocacy/Sub\n\nC?{=A ~B ~C####R.}\n"
    )
    items, problems = parse_gift(text, module="alpha", default_domain="ethical-responsibility")
    assert problems == []
    assert [(i["stem"], i["domain"]) for i in items] == [
        ("A?", "advocacy"),
        ("B?", "recovery-wellness"),
        ("C?", "ethical-responsibility"),
    ]


def test_ids_come_from_valid_unused_titles_else_are_numbered_in_order() -> None:
    question = "{=A ~B ~C####R.}"
    text = "\n\n".join(
        [
            f"First?{question}",  # alpha-gift-001
            f"::alpha-gift-002::Titled?{question}",  # claims alpha-gift-002
            f"::Not An Id::Third?{question}",  # alpha-gift-003
            f"::alpha-gift-002::Again?{question}",  # taken: alpha-gift-004
            f"::mine-1::Fifth?{question}",
            f"::  mine-2  ::Sixth?{question}",  # titles are trimmed
        ]
    )
    items, problems = parse_gift(text, module="alpha", default_domain="advocacy")
    assert problems == []
    assert [i["id"] for i in items] == [
        "alpha-gift-001",
        "alpha-gift-002",
        "alpha-gift-003",
        "alpha-gift-004",
        "mine-1",
        "mine-2",
    ]


def test_ids_count_questions_with_problems_too() -> None:
    text = "Broken?{=A ~B}\n\nFine?{=A ~B ~C####R.}\n"
    items, problems = parse_gift(text, module="alpha", default_domain="advocacy")
    assert [i["id"] for i in items] == ["alpha-gift-002"] and len(problems) == 1


def test_a_trainer_comment_it_cannot_read_is_a_problem() -> None:
    text = "// trainer: use=sometimes competencies=Bad_Id\nQ?{=A ~B ~C####R.}\n"
    items, problems = parse_gift(text, module="alpha", default_domain="advocacy")
    assert items == []
    assert [(p.line, p.message.split(" in ")[0]) for p in problems] == [
        (2, "cannot read 'use=sometimes'"),
        (2, "cannot read 'competencies=Bad_Id'"),
    ]


def test_html_is_reduced_to_text() -> None:
    text = (
        "[html]<div><script>alert(1)</script><style>p\\{\\}</style>Pick:<ul><li>one</li>"
        "<li>two &amp; three</li></ul></div>{=A ~B ~C####<!-- note --><i>R</i>.}"
    )
    items, problems = parse_gift(text, module="alpha", default_domain="advocacy")
    assert problems == []
    assert items[0]["stem"] == "Pick:\n\n- one\n- two & three"  # a Markdown list
    assert items[0]["rationale"] == "R."


def test_only_bracketed_known_formats_are_markers() -> None:
    text = "[latex]Is this text?{=Yes ~No ~Maybe####[plain]Unknown markers stay.}"
    items, problems = parse_gift(text, module="alpha", default_domain="advocacy")
    assert problems == []
    assert items[0]["stem"] == "[latex]Is this text?"
    assert items[0]["rationale"] == "Unknown markers stay."


def test_windows_line_ends_and_a_byte_order_mark() -> None:
    text = "\ufeff// c\r\n::crlf::Two\r\nlines?{\r\n=A\r\n~B\r\n~C\r\n####R.\r\n}\r\n"
    items, problems = parse_gift(text, module="alpha", default_domain="advocacy")
    assert problems == [] and items[0]["id"] == "crlf" and items[0]["stem"] == "Two\nlines?"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"module": "Alpha"},
        {"module": "alpha", "use": "sometimes"},
        {"module": "alpha", "competencies": ()},
        {"module": "alpha", "competencies": ("Not an id",)},
        {"module": "alpha", "default_domain": "cooking"},
    ],
)
def test_unusable_arguments_raise(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        parse_gift("Q?{=A ~B ~C####R.}", **kwargs)


def test_the_default_domains_are_the_taxonomy_domains() -> None:
    taxonomy = yaml.safe_load((REAL_CONTENT / "taxonomy.yaml").read_text())
    assert set(DOMAINS) == set(taxonomy["domains"])


# -- export -------------------------------------------------------------------------------------

EXPORT_ITEMS = [
    Item(
        "alpha-001",
        "alpha",
        "single",
        "quiz",
        "advocacy",
        ("engagement",),
        "Pick {one}: a = b?",
        (Option("a", "First #1", "Right."), Option("b", "%50 off"), Option("c", "[html] is text")),
        ("a",),
        "Because ~ and \\ matter.\nSecond line.",
    ),
    Item(
        "beta-001",
        "beta",
        "truefalse",
        "both",
        "ethical-responsibility",
        ("support",),
        "It is true.",
        (Option("true", "True", "No: it is false."), Option("false", "False", "Yes.")),
        ("false",),
        "It is false.",
    ),
    Item(
        "alpha-002",
        "alpha",
        "multiple",
        "exam",
        "advocacy",
        ("support", "crisis"),
        "Which? Select all that apply.",
        (Option("a", "A"), Option("b", "B", "Also right."), Option("c", "C"), Option("d", "D")),
        ("a", "b", "c"),
        "A, B and C.",
    ),
    Item(
        "alpha-s01-1",
        "alpha",
        "truefalse",
        "both",
        "recovery-wellness",
        ("engagement",),
        "Sam should be welcomed.",
        (Option("true", "True"), Option("false", "False")),
        ("true",),
        "Welcome matters.",
        scenario="alpha-s01",
        vignette="Sam is new.",
    ),
]

EXPORTED = """\
// Question bank exported by trainer in Moodle GIFT format.

$CATEGORY: trainer/alpha/advocacy

// trainer: use=quiz competencies=engagement
::alpha-001::[markdown]Pick \\{one\\}\\: a \\= b?{
\t=First \\#1#Right.
\t~%0%%50 off
\t~[markdown][html] is text
\t####Because \\~ and \\\\ matter.\\nSecond line.
}

// trainer: use=exam competencies=support,crisis
::alpha-002::[markdown]Which? Select all that apply.{
\t~%33.33333%A
\t~%33.33333%B#Also right.
\t~%33.33333%C
\t~%-100%D
\t####A, B and C.
}

$CATEGORY: trainer/alpha/recovery-wellness

// trainer: use=both competencies=engagement
::alpha-s01-1::[markdown]Sam is new.\\n\\nSam should be welcomed.{TRUE####Welcome matters.}

$CATEGORY: trainer/beta/ethical-responsibility

// trainer: use=both competencies=support
::beta-001::[markdown]It is true.{FALSE#No\\: it is false.#Yes.####It is false.}
"""


def test_export_writes_exact_gift() -> None:
    assert export_gift(EXPORT_ITEMS) == EXPORTED


def test_export_then_import_gives_the_items_back() -> None:
    items, problems = parse_gift(export_gift(EXPORT_ITEMS), module="alpha")
    assert problems == []
    # In the order of the export: grouped by module, then by domain.
    assert items == [item_to_dict(EXPORT_ITEMS[i]) for i in (0, 2, 3, 1)]


def test_multiple_response_weights_share_100() -> None:
    for right, weight in ((1, "100"), (2, "50"), (3, "33.33333"), (4, "25"), (5, "20")):
        options = tuple(Option(k, k.upper()) for k in "abcdef")
        item = Item(
            "m-1",
            "m",
            "multiple",
            "both",
            "advocacy",
            ("engagement",),
            "Which?",
            options,
            tuple("abcdef"[:right]),
            "R.",
        )
        text = export_gift([item])
        assert text.count(f"~%{weight}%") == right and text.count("~%-100%") == 6 - right
        assert parse_gift(text, module="m")[0] == [item_to_dict(item)]


def test_scenario_items_export_as_standalone_questions() -> None:
    item = EXPORT_ITEMS[3]
    data = item_to_dict(item)
    assert data["stem"] == "Sam is new.\n\nSam should be welcomed."
    assert "scenario" not in data and "vignette" not in data
    assert item_from_dict(data, "alpha").vignette is None


def test_item_to_dict_and_back() -> None:
    for item in EXPORT_ITEMS[:3]:
        data = item_to_dict(item)
        assert list(data) == [k for k in BANK_KEYS if k in data]
        assert item_from_dict(data, item.module) == item


def test_import_export_import_is_stable() -> None:
    items, _ = _parse("constructs.gift", default_domain="recovery-wellness")
    text = export_gift(item_from_dict(d, "alpha") for d in items)
    again, problems = parse_gift(text, module="alpha")
    assert problems == []
    # Export groups by domain, so compare by id; then the export is a fixed point.
    assert {d["id"]: d for d in again} == {d["id"]: d for d in items}
    assert export_gift(item_from_dict(d, "alpha") for d in again) == text


def test_the_real_question_banks_round_trip(tmp_path: Path, curriculum: Any) -> None:
    tree = curriculum
    modules = sorted({i.module for i in tree.items.values()})
    for module in modules:
        items = [i for i in tree.items.values() if i.module == module]
        parsed, problems = parse_gift(
            export_gift(items), module=module, domains=tree.taxonomy.domains
        )
        assert problems == []
        assert {d["id"]: d for d in parsed} == {i.id: item_to_dict(i) for i in items}


# -- the bank file --------------------------------------------------------------------------------


def test_bank_yaml_is_readable_and_reads_back() -> None:
    items = [
        _item(
            "alpha-x1",
            "single",
            {"a": "Yes", "b": "No", "c": "true"},
            "a",
            feedback={"c": "Quoted, or YAML would read a boolean."},
        ),
        _item(
            "alpha-x2",
            "truefalse",
            {},
            False,
            stem="A long stem " + "word " * 20 + "end.",
            feedback={"true": "No.", "false": "Yes."},
            rationale="One line.\nTwo lines.",
        ),
        _item(
            "alpha-x3",
            "multiple",
            {"a": "A", "b": "B", "c": "C"},
            ["a", "c"],
            competencies=("support", "crisis"),
        ),
    ]
    text = bank_yaml("alpha", items)
    assert yaml.safe_load(text) == {"module": "alpha", "items": items}
    assert (
        text
        == """\
module: alpha
items:
  - id: alpha-x1
    type: single
    use: both
    domain: advocacy
    competencies: [engagement]
    stem: Stem alpha-x1?
    options:
      a: 'Yes'
      b: 'No'
      c: 'true'
    answer: a
    rationale: Because.
    feedback:
      c: Quoted, or YAML would read a boolean.

  - id: alpha-x2
    type: truefalse
    use: both
    domain: advocacy
    competencies: [engagement]
    stem: >-
      A long stem word word word word word word word word word word word word word word word word
      word word word word end.
    answer: false
    rationale: >-
      One line.

      Two lines.
    feedback:
      'true': No.
      'false': Yes.

  - id: alpha-x3
    type: multiple
    use: both
    domain: advocacy
    competencies: [support, crisis]
    stem: Stem alpha-x3?
    options:
      a: A
      b: B
      c: C
    answer: [a, c]
    rationale: Because.
"""
    )


def test_an_imported_bank_passes_the_project_checker(tmp_path: Path) -> None:
    content = write_tree(tmp_path)
    bank = content / "items" / "alpha.yaml"
    original = yaml.safe_load(bank.read_text())
    imported, problems = _parse("constructs.gift", default_domain="recovery-wellness")
    assert problems == [] and imported
    text = bank_yaml("alpha", original["items"] + imported)
    bank.write_text(
        text + "\n" + yaml.safe_dump({"scenarios": original["scenarios"]}, sort_keys=False)
    )
    tree, problems = parse_tree(content)
    assert problems == [], [str(p) for p in problems]
    assert tree is not None
    for data in imported:
        assert item_to_dict(tree.items[data["id"]]) == data
    # The fixture's own items come back unchanged through bank_yaml too.
    for data in original["items"]:
        assert item_to_dict(tree.items[data["id"]]) == data


# -- properties ---------------------------------------------------------------------------------

_CHARS = list("abcXYZ019 éß✓\t\n") + list("~=#{}:\\%[]/<>&*_-!?.,'\"|")
_TEXT = (
    st.one_of(
        st.text(st.sampled_from(_CHARS), min_size=1, max_size=30),
        st.sampled_from(
            [
                "[html]<b>x",
                "[markdown]y",
                "//not a comment",
                "::t::",
                "####",
                "{T}",
                "%50%x",
                "~%-100%",
                "C:\\temp\\n",
                "a->b",
                "\\",
                "true",
                "$CATEGORY: x",
            ]
        ),
    )
    .map(str.strip)
    .filter(bool)
    .filter(lambda t: not RAW_HTML_RE.search(t))
)
_IDS = ["engagement", "support", "crisis", "growth"]


@st.composite
def _bank_item(draw: st.DrawFn, n: int) -> dict[str, Any]:
    qtype = draw(st.sampled_from(["single", "multiple", "truefalse"]))
    keys: list[str] = ["true", "false"]
    options: dict[str, str] = {}
    if qtype == "truefalse":
        answer: Any = draw(st.booleans())
    else:
        texts = draw(st.lists(_TEXT, min_size=3, max_size=6, unique_by=str.lower))
        keys = list("abcdef"[: len(texts)])
        options = dict(zip(keys, texts, strict=True))
        if qtype == "single":
            answer = draw(st.sampled_from(keys))
        else:
            right = draw(st.sets(st.sampled_from(keys), min_size=1, max_size=len(keys) - 1))
            answer = sorted(right)
    feedback = draw(st.dictionaries(st.sampled_from(keys), _TEXT, max_size=len(keys)))
    return _item(
        f"m-{n}",
        qtype,
        options,
        answer,
        stem=draw(_TEXT),
        domain=draw(st.sampled_from(DOMAINS)),
        use=draw(st.sampled_from(["quiz", "exam", "both"])),
        competencies=tuple(draw(st.lists(st.sampled_from(_IDS), min_size=1, unique=True))),
        rationale=draw(_TEXT),
        feedback={k: feedback[k] for k in keys if k in feedback},
        draft=draw(st.booleans()),
    )


_BANKS = st.integers(1, 4).flatmap(lambda n: st.tuples(*[_bank_item(i) for i in range(n)]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_BANKS)
def test_property_items_with_gift_special_characters_round_trip(bank: tuple[dict, ...]) -> None:
    items = [item_from_dict(d, "m") for d in bank]
    assert [item_to_dict(i) for i in items] == list(bank)
    parsed, problems = parse_gift(export_gift(items), module="m")
    assert problems == []
    assert {d["id"]: d for d in parsed} == {d["id"]: d for d in bank}
    assert yaml.safe_load(bank_yaml("m", list(bank))) == {"module": "m", "items": list(bank)}


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            _CHARS
            + [
                "\n\n",
                "::",
                "~%50%",
                "####",
                "//",
                "{T}",
                "->",
                "$CATEGORY: advocacy\n",
                "[html]",
                "<p>",
            ]
        ),
        max_size=80,
    ).map("".join)
)
def test_property_any_text_parses_without_raising(text: str) -> None:
    items, problems = parse_gift(text, module="m", default_domain="advocacy")
    lines = text.count("\n") + 1
    assert all(1 <= p.line <= lines for p in problems)
    assert all(RAW_HTML_RE.search(d["stem"]) is None for d in items)
