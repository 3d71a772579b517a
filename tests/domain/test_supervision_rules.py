"""Who may supervise: a program's rule against the credentials a supervisor holds."""

from __future__ import annotations

from datetime import date

import pytest

from trainer.domain import supervision as rules
from trainer.domain.content.model import Qualifying, SupervisorRule

# KRS 309.0831(3), as content/programs/ky-radpss.yaml states it
KY = SupervisorRule(
    "KRS 309.0831(3)",
    (
        Qualifying("cadc", 24, True),
        Qualifying("lcadc", 12, False),
        Qualifying("lcadc", 0, True),
        Qualifying("radpss", 24, True),
    ),
)
LABELS = {
    "cadc": "Certified Alcohol and Drug Counselor (CADC)",
    "lcadc": "Licensed Clinical Alcohol and Drug Counselor (LCADC)",
    "radpss": "Registered Alcohol and Drug Peer Support Specialist",
}
ON = date(2026, 6, 1)


def held(
    credential: str,
    issued: date,
    *,
    status: str = "approved",
    training: bool = False,
    expires: date | None = None,
    id: int = 1,
) -> rules.Held:
    return rules.Held(id, credential, status, issued, expires, training)


@pytest.mark.parametrize(
    ("credential", "issued", "training", "ok"),
    [
        ("cadc", date(2024, 6, 1), True, True),  # exactly two years, trained
        ("cadc", date(2024, 6, 2), True, False),  # a day short of two years
        ("cadc", date(2020, 1, 1), False, False),  # years enough, no supervision training
        ("lcadc", date(2025, 6, 1), False, True),  # twelve months of licensure
        ("lcadc", date(2026, 1, 1), False, False),  # five months, untrained
        ("lcadc", date(2026, 1, 1), True, True),  # five months, but trained: (b)'s "or"
        ("radpss", date(2023, 1, 1), True, True),
        ("radpss", date(2025, 1, 1), True, False),
    ],
)
def test_each_alternative_of_the_kentucky_rule(
    credential: str, issued: date, training: bool, ok: bool
) -> None:
    assert rules.may_supervise(KY, [held(credential, issued, training=training)], ON) is ok


def test_only_verified_unexpired_credentials_count() -> None:
    good = dict(issued=date(2020, 1, 1), training=True)
    assert not rules.may_supervise(KY, [held("cadc", status="pending", **good)], ON)
    assert not rules.may_supervise(KY, [held("cadc", status="rejected", **good)], ON)
    assert not rules.may_supervise(KY, [held("cadc", expires=date(2026, 5, 31), **good)], ON)
    assert rules.may_supervise(KY, [held("cadc", expires=ON, **good)], ON)  # valid that day


def test_no_rule_asks_nothing_and_the_longest_held_credential_is_named() -> None:
    assert rules.may_supervise(None, [], ON) and rules.qualifying(None, [], ON) is None
    older = held("lcadc", date(2019, 1, 1), id=7)
    newer = held("cadc", date(2022, 1, 1), training=True, id=3)
    assert rules.qualifying(KY, [newer, older], ON) == older


def test_months_are_whole_calendar_months() -> None:
    assert rules.months_between(date(2024, 1, 31), date(2024, 2, 29)) == 0
    assert rules.months_between(date(2024, 1, 31), date(2024, 3, 31)) == 2
    assert rules.months_between(date(2026, 1, 1), date(2025, 1, 1)) == 0


def test_the_refusal_states_the_rule_and_what_is_missing() -> None:
    text = rules.why_not(KY, [], ON, LABELS)
    assert text.startswith("KRS 309.0831(3) asks for a Certified Alcohol and Drug Counselor (CADC)")
    assert "held for at least 2 years, who attended the board's supervision training" in text
    assert (
        "a Licensed Clinical Alcohol and Drug Counselor (LCADC), held for at least 1 year" in text
    )
    assert text.endswith("No qualifying credential is recorded yet.")
    pending = rules.why_not(KY, [held("cadc", date(2020, 1, 1), status="pending")], ON, LABELS)
    assert pending.endswith("is waiting for an administrator to verify it.")
    young = rules.why_not(KY, [held("cadc", date(2025, 12, 1), training=True)], ON, LABELS)
    assert young.endswith("has been held for 6 months.")
    expired = rules.why_not(
        KY, [held("cadc", date(2020, 1, 1), training=True, expires=date(2026, 1, 31))], ON, LABELS
    )
    assert expired.endswith("expired on 31 January 2026.")
    untrained = rules.why_not(KY, [held("cadc", date(2020, 1, 1))], ON, LABELS)
    assert untrained.endswith("is recorded without the board's supervision training.")
