"""The hour-entry life cycle and entry rules, as pure functions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from trainer.domain import hours
from trainer.domain.errors import NotAllowed, RuleError

CATS = {"advocacy": "Advocacy", "ethical-responsibility": "Ethical Responsibility"}
SETTINGS = {"cmhc": "Community mental health center", "other": "Other"}
TODAY = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("state", "action", "actor", "new"),
    [
        ("pending", "approve", "supervisor", "approved"),
        ("pending", "return", "supervisor", "returned"),
        ("pending", "reject", "supervisor", "rejected"),
        ("pending", "edit", "trainee", "pending"),
        ("returned", "edit", "trainee", "pending"),
        ("pending", "withdraw", "trainee", "withdrawn"),
        ("returned", "withdraw", "trainee", "withdrawn"),
    ],
)
def test_allowed_transitions(state: str, action: str, actor: str, new: str) -> None:
    assert hours.transition(state, action, actor) == new


@pytest.mark.parametrize(
    ("state", "action", "actor"),
    [
        ("pending", "approve", "trainee"),  # nobody approves their own work
        ("pending", "edit", "supervisor"),
        ("approved", "edit", "trainee"),  # approved hours are evidence
        ("approved", "withdraw", "trainee"),
        ("approved", "approve", "supervisor"),  # decided once
        ("rejected", "approve", "supervisor"),
        ("returned", "approve", "supervisor"),  # the trainee corrects it first
        ("withdrawn", "edit", "trainee"),
        ("rejected", "edit", "trainee"),
    ],
)
def test_refused_transitions(state: str, action: str, actor: str) -> None:
    with pytest.raises(NotAllowed):
        hours.transition(state, action, actor)


def test_every_state_is_covered() -> None:
    finals = {s for s in hours.STATES if not any(k[0] == s for k in hours.TRANSITIONS)}
    assert finals == {"approved", "rejected", "withdrawn"}


@pytest.mark.parametrize(
    ("text", "minutes"), [("1", 60), ("0.25", 15), ("1.75", 105), ("24", 1440), (" 2.5 ", 150)]
)
def test_parse_hours(text: str, minutes: int) -> None:
    assert hours.parse_hours(text) == minutes


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0", "more than zero"),
        ("-1", "more than zero"),
        ("abc", "as a number"),
        ("1.1", "whole quarter hours"),
        ("0.3333", "whole quarter hours"),
        ("25", "longer than 24 hours"),
        ("NaN", "as a number"),
        ("Infinity", "as a number"),
        ("٣", "as a number"),  # an Arabic-Indic three is not what the form asks for
        ("1e1", "as a number"),
    ],
)
def test_parse_hours_refuses(text: str, message: str) -> None:
    with pytest.raises(RuleError, match=message) as info:
        hours.parse_hours(text)
    assert info.value.field == "hours"


ENROLLED = date(2026, 1, 5)


def _entry(**changes: object) -> hours.EntryDraft:
    base = dict(
        work_date=date(2026, 3, 9),
        hours="2",
        category="advocacy",
        setting="cmhc",
        kind="direct",
        description="Led a recovery group.",
    )
    base.update(changes)
    return hours.EntryDraft(**base)  # type: ignore[arg-type]


def _problems(entry: hours.EntryDraft, other: int = 0, prior: int = 0) -> list[RuleError]:
    return hours.entry_problems(
        entry,
        today=TODAY,
        enrolled_on=ENROLLED,
        prior_work_days=prior,
        categories=CATS,
        settings=SETTINGS,
        other_minutes_that_day=other,
    )


def test_a_good_entry_passes_up_to_the_edges() -> None:
    assert _problems(_entry()) == []
    # today, a whole day, the enrolment date: the limits themselves
    assert _problems(_entry(work_date=TODAY, hours="24")) == []
    assert _problems(_entry(work_date=ENROLLED)) == []
    # one step past any edge is refused, so the ones above passed on their merits
    assert _problems(_entry(work_date=TODAY, hours="24"), other=15)
    assert _problems(_entry(work_date=TODAY + timedelta(days=1)))
    assert _problems(_entry(work_date=ENROLLED - timedelta(days=1)))


@pytest.mark.parametrize(
    ("changes", "other", "field", "message"),
    [
        ({"work_date": date(2026, 3, 11)}, 0, "work_date", "future"),
        ({"work_date": date(2026, 1, 4)}, 0, "work_date", "before you enrolled"),
        ({"work_date": None}, 0, "work_date", "Enter the date"),
        ({"hours": "1"}, 23 * 60 + 15, "hours", "more than 24 hours on one day"),
        ({"category": "astrology"}, 0, "category", "program's list"),
        ({"setting": "moon"}, 0, "setting", "from the list"),
        ({"kind": "napping"}, 0, "kind", "direct peer support"),
        ({"description": "   "}, 0, "description", "Describe"),
        ({"description": "x" * 501}, 0, "description", "under 500"),
        ({"hours": "0.3333"}, 0, "hours", "quarter hours"),
    ],
)
def test_entry_rules(changes: dict[str, object], other: int, field: str, message: str) -> None:
    problems = _problems(_entry(**changes), other)
    assert [(p.field, message in p.message) for p in problems] == [(field, True)]


def test_every_broken_rule_is_reported_at_once_one_per_field() -> None:
    draft = _entry(
        work_date=date(2026, 3, 11),
        hours="1.1",
        category="astrology",
        setting="moon",
        kind="napping",
        description=" ",
    )
    problems = _problems(draft)
    assert [p.field for p in problems] == [
        "work_date",
        "hours",
        "category",
        "setting",
        "kind",
        "description",
    ]
    error = hours.EntryProblems(problems)  # what the service raises: the first, and all
    assert isinstance(error, RuleError) and error.field == "work_date"
    assert error.problems == tuple(problems)


def test_no_day_total_without_a_good_date() -> None:
    """A full day elsewhere does not count against a date that is itself refused."""
    problems = _problems(_entry(work_date=date(2026, 3, 11)), other=24 * 60)
    assert [p.field for p in problems] == ["work_date"]


def test_work_before_enrolling_within_the_programs_window() -> None:
    earliest = hours.earliest_work_date(ENROLLED, 30)
    assert earliest == date(2025, 12, 6)
    assert hours.earliest_work_date(ENROLLED, 0) == ENROLLED
    assert _problems(_entry(work_date=earliest), prior=30) == []
    [beyond] = _problems(_entry(work_date=earliest - timedelta(days=1)), prior=30)
    assert beyond.field == "work_date"
    assert "6 December 2025" in beyond.message and "30 days before you enrolled" in beyond.message
    assert hours.before_enrolment(earliest, ENROLLED)
    assert not hours.before_enrolment(ENROLLED, ENROLLED)


def test_category_total_met() -> None:
    total = hours.CategoryTotal("advocacy", "Advocacy", 600, 60, 10)
    assert total.approved_hours == 10 and total.pending_hours == 1 and total.met
    assert not hours.CategoryTotal("advocacy", "Advocacy", 599, 0, 10).met
