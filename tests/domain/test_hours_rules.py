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


def _entry(**changes: object) -> hours.ParsedEntry:
    base = dict(
        work_date=date(2026, 3, 9),
        minutes=120,
        category="advocacy",
        setting="cmhc",
        kind="direct",
        description="Led a recovery group.",
    )
    base.update(changes)
    return hours.ParsedEntry(**base)  # type: ignore[arg-type]


def _check(entry: hours.ParsedEntry, other: int = 0) -> None:
    hours.check_entry(
        entry,
        today=TODAY,
        enrolled_on=date(2026, 1, 5),
        categories=CATS,
        settings=SETTINGS,
        other_minutes_that_day=other,
    )


def test_a_good_entry_passes_up_to_the_edges() -> None:
    _check(_entry())
    _check(_entry(work_date=TODAY, minutes=1440))  # today, a whole day: the limits themselves
    # one step past either edge is refused, so the two above passed on their merits
    with pytest.raises(RuleError):
        _check(_entry(work_date=TODAY, minutes=1440), other=15)
    with pytest.raises(RuleError):
        _check(_entry(work_date=TODAY + timedelta(days=1)))


@pytest.mark.parametrize(
    ("changes", "other", "field", "message"),
    [
        ({"work_date": date(2026, 3, 11)}, 0, "work_date", "future"),
        ({"work_date": date(2026, 1, 4)}, 0, "work_date", "before you enrolled"),
        ({"minutes": 60}, 23 * 60 + 15, "hours", "more than 24 hours on one day"),
        ({"category": "astrology"}, 0, "category", "program's list"),
        ({"setting": "moon"}, 0, "setting", "from the list"),
        ({"kind": "napping"}, 0, "kind", "direct peer support"),
        ({"description": "   "}, 0, "description", "Describe"),
        ({"description": "x" * 501}, 0, "description", "under 500"),
        ({"minutes": 20}, 0, "hours", "quarter hours"),
    ],
)
def test_entry_rules(changes: dict[str, object], other: int, field: str, message: str) -> None:
    with pytest.raises(RuleError, match=message) as info:
        _check(_entry(**changes), other)
    assert info.value.field == field


def test_category_total_met() -> None:
    total = hours.CategoryTotal("advocacy", "Advocacy", 600, 60, 10)
    assert total.approved_hours == 10 and total.pending_hours == 1 and total.met
    assert not hours.CategoryTotal("advocacy", "Advocacy", 599, 0, 10).met
