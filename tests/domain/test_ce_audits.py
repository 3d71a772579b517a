"""The pure rules of continuing-education audits: the sample's size and members (the same
seed draws the same sample), what a board may ask for, results and reminder stages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from trainer.domain import ce_audits as rules
from trainer.domain.ce_audits import AuditResult, HolderState, NoticeStage, Outcome
from trainer.domain.errors import RuleError, RuleErrors

TODAY = date(2026, 7, 1)


@pytest.mark.parametrize(
    ("text", "value"), [("1", 1.0), ("10", 10.0), ("12.5", 12.5), (" 100 ", 100.0), ("5%", 5.0)]
)
def test_percentages_from_1_to_100_whole_or_one_decimal(text: str, value: float) -> None:
    assert rules.parse_percent(text) == value


@pytest.mark.parametrize("text", ["0", "101", "abc", "", None, "0.5", "12.55", "-5", "1e2", "٣"])
def test_other_percentages_are_refused_on_the_field(text: str | None) -> None:
    with pytest.raises(RuleError) as refused:
        rules.parse_percent(text)
    assert refused.value.field == "percent"


def test_sample_size_rounds_up_and_is_never_empty() -> None:
    assert rules.sample_size(0, 50) == 0
    assert rules.sample_size(1, 1) == 1
    assert rules.sample_size(30, 10) == 3  # exactly: not 4 by floating point
    assert rules.sample_size(20, 12.5) == 3
    assert rules.sample_size(7, 100) == 7
    assert rules.sample_size(1000, 0.1 * 10) == 10
    assert rules.sample_size(3, 33.3) == 1 and rules.sample_size(3, 33.4) == 2


def test_the_same_seed_and_population_draw_the_same_sample() -> None:
    population = list(range(100, 200))
    first = rules.select_sample(population, 10, 123456789)
    assert len(first) == 10 and set(first) <= set(population) and first == sorted(first)
    assert rules.select_sample(reversed(population), 10, 123456789) == first  # order-free
    assert rules.select_sample(population + population, 10, 123456789) == first
    others = {tuple(rules.select_sample(population, 10, seed)) for seed in range(20)}
    assert len(others) > 1  # the seed does matter
    assert rules.select_sample(population, 100, 1) == population


def test_the_window_and_the_due_date() -> None:
    rules.check_request(date(2026, 6, 1), date(2026, 6, 30), TODAY + timedelta(days=1), TODAY)
    rules.check_request(TODAY, TODAY, TODAY + timedelta(days=365), TODAY)
    cases = {
        (None, TODAY, TODAY + timedelta(days=30)): {"renewed_from"},
        (TODAY, None, TODAY + timedelta(days=30)): {"renewed_to"},
        (TODAY, TODAY + timedelta(days=1), TODAY + timedelta(days=30)): {"renewed_to"},
        (TODAY, TODAY - timedelta(days=1), TODAY + timedelta(days=30)): {"renewed_to"},
        (TODAY, TODAY, None): {"due_on"},
        (TODAY, TODAY, TODAY): {"due_on"},
        (TODAY, TODAY, TODAY - timedelta(days=3)): {"due_on"},
        (TODAY, TODAY, TODAY + timedelta(days=366)): {"due_on"},
        (None, None, None): {"renewed_from", "renewed_to", "due_on"},
    }
    for (start, end, due), fields in cases.items():
        with pytest.raises(RuleErrors) as refused:
            rules.check_request(start, end, due, TODAY)
        assert {p.field for p in refused.value.problems} == fields, (start, end, due)


def test_a_decision_not_to_accept_needs_a_reason() -> None:
    assert rules.check_decision("accepted", "") == ("accepted", "")
    assert rules.check_decision("not_accepted", " Not  a provider ") == (
        "not_accepted",
        "Not a provider",
    )
    for decision, reason, field in (
        ("not_accepted", "  ", "reason"),
        ("not_accepted", "x" * 501, "reason"),
        (None, "", "decision"),
        ("perhaps", "", "decision"),
    ):
        with pytest.raises(RuleError) as refused:
            rules.check_decision(decision, reason)
        assert refused.value.field == field


def test_outcomes() -> None:
    later = TODAY + timedelta(days=90)
    assert rules.check_outcome("none", "", None, TODAY) == (Outcome.NONE, "", None)
    assert rules.check_outcome("conditions", "Supervised", later, TODAY) == (
        Outcome.CONDITIONS,
        "Supervised",
        later,
    )
    assert rules.check_outcome("revocation", "Fraud", later, TODAY) == (
        Outcome.REVOCATION,
        "Fraud",
        None,
    )
    for outcome, text, until, field in (
        ("conditions", "", None, "text"),
        ("suspension", " ", None, "text"),
        ("revocation", "", None, "text"),
        ("suspension", "x", TODAY, "until"),
        ("banishment", "x", None, "outcome"),
        (None, "x", None, "outcome"),
    ):
        with pytest.raises(RuleError) as refused:
            rules.check_outcome(outcome, text, until, TODAY)
        assert refused.value.field == field


def test_where_a_holder_stands_and_the_audit_result() -> None:
    assert rules.holder_state(False, [None, None], False) == HolderState.REQUESTED
    assert rules.holder_state(False, [None], True) == HolderState.NO_RESPONSE
    assert rules.holder_state(True, ["accepted", None], True) == HolderState.SUBMITTED
    assert rules.holder_state(True, ["accepted", "accepted"], False) == HolderState.PASSED
    assert rules.holder_state(True, ["accepted", "not_accepted"], False) == HolderState.FAILED
    assert rules.holder_state(True, [None, "not_accepted"], False) == HolderState.FAILED
    assert rules.audit_result([HolderState.PASSED] * 3) == AuditResult.PASSED
    assert rules.audit_result([HolderState.PASSED, HolderState.NO_RESPONSE]) == AuditResult.FAILED


def test_when_an_audit_may_close() -> None:
    assert rules.closing_problem([HolderState.PASSED, HolderState.FAILED], 0) is None
    assert "not submitted" in (rules.closing_problem([HolderState.REQUESTED], 0) or "")
    assert "Decide every entry" in (rules.closing_problem([HolderState.SUBMITTED], 0) or "")
    assert "Choose an outcome" in (rules.closing_problem([HolderState.FAILED], 1) or "")


def test_reminder_stages() -> None:
    due, started = date(2026, 7, 31), date(2026, 7, 1)
    stage = [rules.notice_stage(due, due - timedelta(days=n), started) for n in (9, 8, 7, 2, 1, 0)]
    assert stage == [None, None, "7_days", "7_days", "1_day", "1_day"]
    assert rules.notice_stage(due, due + timedelta(days=1), started) == NoticeStage.OVERDUE
    # an audit that starts 3 days before its due date: no 7-day reminder on its first day
    assert rules.notice_stage(due, due - timedelta(days=3), due - timedelta(days=3)) is None
    assert rules.notice_stage(due, due - timedelta(days=1), due - timedelta(days=3)) == "1_day"
    assert rules.notice_stage(due, due, due - timedelta(days=1)) is None
    assert not rules.due_passed(due, due) and rules.due_passed(due, due + timedelta(days=1))


@pytest.mark.parametrize(
    ("status", "submitted", "past_due", "responds", "decides"),
    [
        ("open", False, False, True, False),  # waiting for the holder
        ("open", False, True, False, False),  # too late to respond; nothing to decide on
        ("open", True, False, False, True),  # submitted: the board decides
        ("open", True, True, False, True),  # decisions may follow the due date
        ("closed", True, False, False, False),  # final
        ("closed", False, False, False, False),
    ],
)
def test_who_may_act_on_an_audit_request(
    status: str, submitted: bool, past_due: bool, responds: bool, decides: bool
) -> None:
    assert rules.holder_may_respond(status, submitted, past_due) is responds
    assert rules.board_may_decide(status, submitted) is decides
