"""A valid supervision session, and a cadence rule month by month."""

from __future__ import annotations

from datetime import date

import pytest

from trainer.domain import sessions as rules
from trainer.domain.content.model import Cadence
from trainer.domain.errors import RuleErrors

DOMAINS = {"advocacy": "Advocacy", "ethical-responsibility": "Ethical Responsibility"}
TODAY = date(2026, 6, 15)


def draft(**changes: object) -> rules.SessionDraft:
    values: dict[str, object] = {
        "held_on": date(2026, 6, 1),
        "hours": "1",
        "format": "individual",
        "mode": "in-person",
        "domains": ("advocacy",),
        "notes": "",
    }
    return rules.SessionDraft(**{**values, **changes})


def test_a_good_session_gives_its_minutes() -> None:
    assert rules.check(draft(hours="1.25"), TODAY, date(2026, 1, 1), None, DOMAINS) == 75


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"held_on": date(2026, 6, 16)}, "held_on", "cannot be in the future"),
        ({"held_on": date(2025, 12, 31)}, "held_on", "must fall within it"),
        ({"held_on": None}, "held_on", "Enter the date"),
        ({"hours": "8.25"}, "hours", "longer than 8 hours"),
        ({"hours": "0.3"}, "hours", "quarter hours"),
        ({"format": "seminar"}, "format", "individual or group"),
        ({"mode": "phone"}, "mode", "in person or video"),
        ({"domains": ()}, "domains", "Choose the domains"),
        ({"domains": ("astrology",)}, "domains", "Choose the domains"),
        ({"notes": "x" * 2001}, "notes", "at most 2000"),
    ],
)
def test_each_broken_rule_is_named_on_its_field(
    changes: dict[str, object], field: str, words: str
) -> None:
    with pytest.raises(RuleErrors) as caught:
        rules.check(draft(**changes), TODAY, date(2026, 1, 1), None, DOMAINS)
    [problem] = caught.value.problems
    assert problem.field == field and words in problem.message


def test_every_problem_at_once_and_the_link_end_counts() -> None:
    with pytest.raises(RuleErrors) as caught:
        rules.check(
            draft(hours="", format="", mode="", domains=()), TODAY, date(2026, 1, 1), None, DOMAINS
        )
    assert {p.field for p in caught.value.problems} == {"hours", "format", "mode", "domains"}
    with pytest.raises(RuleErrors, match="to 31 May 2026"):
        rules.check(draft(), TODAY, date(2026, 1, 1), date(2026, 5, 31), DOMAINS)


KY = Cadence("908 KAR 2:220", 2, in_person=True, one_at_least_minutes=30)


def test_cadence_month_by_month() -> None:
    held = [
        rules.Held(date(2026, 3, 2), 30, "in-person"),
        rules.Held(date(2026, 3, 20), 15, "in-person"),
        rules.Held(date(2026, 4, 3), 60, "in-person"),
        rules.Held(date(2026, 4, 9), 60, "video"),  # not face to face: does not count
        rules.Held(date(2026, 5, 5), 15, "in-person"),
        rules.Held(date(2026, 5, 6), 15, "in-person"),  # two, but none of 30 minutes
    ]
    months = rules.months(KY, held, date(2026, 3, 2), date(2026, 6, 1))
    assert [(m.first_day.month, m.met) for m in months] == [
        (3, True),
        (4, False),
        (5, False),
        (6, False),
    ]
    assert months[1].detail == "1 of 2 sessions in person"
    assert months[2].detail == "2 of 2 sessions in person; none of at least 30 minutes"
    assert rules.months(KY, [], date(2026, 12, 5), date(2027, 1, 2))[-1].first_day == date(
        2027, 1, 1
    )
