"""Continuing-education audits: the pure rules.

A board samples a percentage of the renewals issued in a window whose continuing education
was self-reported; each selected holder evidences every CE entry by a due date; the board
accepts each entry or not (with a reason); the audit closes as passed or failed, with an
outcome for each holder who failed. Here: the sample's size and members (reproducible from
a recorded seed), what a board may ask for, each holder's result and when reminders go out.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from enum import StrEnum

from trainer.domain.errors import RuleError, RuleErrors

MAX_DUE_DAYS = 365  # a due date at most a year ahead
MIN_DUE_DAYS = 1  # at least tomorrow
MAX_TEXT = 500
#: Reminders before the due date: the stage and how many days before it is due.
REMINDERS = (("7_days", 7), ("1_day", 1))


class AuditStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class AuditResult(StrEnum):
    PASSED = "passed"
    FAILED = "failed"


class Decision(StrEnum):
    """The board's decision on one CE entry's evidence."""

    ACCEPTED = "accepted"
    NOT_ACCEPTED = "not_accepted"


class HolderState(StrEnum):
    """Where a selected holder stands (worked out, except when the audit closes)."""

    REQUESTED = "requested"  # evidence asked for, not yet submitted
    SUBMITTED = "submitted"  # submitted, the board has not decided every entry
    PASSED = "passed"  # every entry accepted
    FAILED = "failed"  # at least one entry not accepted
    NO_RESPONSE = "no_response"  # the due date passed without a submission


class Outcome(StrEnum):
    """What happens to a holder who failed the audit or did not respond."""

    NONE = "none"
    CONDITIONS = "conditions"
    SUSPENSION = "suspension"
    REVOCATION = "revocation"


class NoticeStage(StrEnum):
    DAYS_7 = "7_days"
    DAY_1 = "1_day"
    OVERDUE = "overdue"


STATE_LABELS = {
    HolderState.REQUESTED: "Evidence requested",
    HolderState.SUBMITTED: "Submitted, to review",
    HolderState.PASSED: "Passed",
    HolderState.FAILED: "Failed",
    HolderState.NO_RESPONSE: "No response",
}
OUTCOME_LABELS = {
    Outcome.NONE: "No further action",
    Outcome.CONDITIONS: "Conditions on the certificate",
    Outcome.SUSPENSION: "Suspension",
    Outcome.REVOCATION: "Revocation",
}
DECISION_LABELS = {Decision.ACCEPTED: "Accepted", Decision.NOT_ACCEPTED: "Not accepted"}

_PERCENT = re.compile(r"[0-9]{1,3}(\.[0-9])?")  # ASCII digits only


def parse_percent(text: str | None) -> float:
    """A sample percentage, 1 to 100, whole or with one decimal ("12.5")."""
    value = (text or "").strip().removesuffix("%").strip()
    if not _PERCENT.fullmatch(value):
        raise RuleError("percent", "Enter a percentage from 1 to 100, e.g. 10 or 12.5.")
    percent = float(value)
    if not 1 <= percent <= 100:
        raise RuleError("percent", "The percentage must be from 1 to 100.")
    return percent


def sample_size(population: int, percent: float) -> int:
    """ceil(population x percent / 100), at least one of a non-empty population. Counted in
    tenths of a percent, as integers, so 10% of 30 is 3, never 4 by rounding."""
    if population <= 0:
        return 0
    tenths = round(percent * 10)
    return min(population, max(1, -(-population * tenths // 1000)))


def select_sample(ids: Iterable[int], percent: float, seed: int) -> list[int]:
    """The sample: ``sample_size`` of ``ids``, drawn by a generator seeded with ``seed``
    from the ids in order, so the same seed and population give the same sample. Sorted."""
    population = sorted(set(ids))
    k = sample_size(len(population), percent)
    # not for secrecy: the draw must be repeatable by anyone holding the recorded seed
    drawn = random.Random(seed).sample(population, k)  # noqa: S311
    return sorted(drawn)


def check_request(
    renewed_from: date | None, renewed_to: date | None, due_on: date | None, today: date
) -> None:
    """The window of renewals (issued from ``renewed_from`` through ``renewed_to``, not in
    the future) and the due date (tomorrow at the earliest, within a year). RuleErrors
    naming every field at fault."""
    problems = []
    if renewed_from is None:
        problems.append(RuleError("renewed_from", "Enter the first day of renewals to audit."))
    if renewed_to is None:
        problems.append(RuleError("renewed_to", "Enter the last day of renewals to audit."))
    elif renewed_to > today:
        problems.append(RuleError("renewed_to", "The window cannot end in the future."))
    elif renewed_from is not None and renewed_from > renewed_to:
        problems.append(RuleError("renewed_to", "The last day must be on or after the first."))
    if due_on is None:
        problems.append(RuleError("due_on", "Enter the date evidence is due."))
    elif due_on < today + timedelta(days=MIN_DUE_DAYS):
        problems.append(RuleError("due_on", "The due date must be in the future."))
    elif due_on > today + timedelta(days=MAX_DUE_DAYS):
        problems.append(RuleError("due_on", "The due date must be within a year."))
    if problems:
        raise RuleErrors(problems)


def clean_text(value: str | None, field: str, what: str, required: bool = True) -> str:
    """Text as entered, spacing normalised; RuleError when missing (if ``required``) or
    longer than MAX_TEXT."""
    text = " ".join((value or "").split())
    if required and not text:
        raise RuleError(field, f"Give the {what}.")
    if len(text) > MAX_TEXT:
        raise RuleError(field, f"Shorten the {what} to {MAX_TEXT} characters.")
    return text


def check_decision(decision: str | None, reason: str | None) -> tuple[Decision, str]:
    """Accepted, or not accepted with a reason (the holder reads it)."""
    if decision not in set(Decision):
        raise RuleError("decision", "Choose whether the evidence is accepted.")
    chosen = Decision(decision)
    text = clean_text(
        reason, "reason", "reason the evidence is not accepted", chosen == Decision.NOT_ACCEPTED
    )
    return chosen, text


def check_outcome(
    outcome: str | None, text: str | None, until: date | None, today: date
) -> tuple[Outcome, str, date | None]:
    """An outcome for a failed holder: conditions (their text, an optional end date),
    suspension (a reason, an optional end date), revocation (a reason) or none."""
    if outcome not in set(Outcome):
        raise RuleError("outcome", "Choose an outcome.")
    chosen = Outcome(outcome)
    if chosen == Outcome.NONE:
        return chosen, clean_text(text, "text", "note", required=False), None
    what = "conditions" if chosen == Outcome.CONDITIONS else "reason"
    cleaned = clean_text(text, "text", what)
    if chosen == Outcome.REVOCATION:
        until = None
    if until is not None and until <= today:
        raise RuleError("until", "The end date must be after today.")
    return chosen, cleaned, until


def holder_state(submitted: bool, decisions: Sequence[str | None], due_passed: bool) -> HolderState:
    """A selected holder's state from their submission and the board's decision on each
    entry (None: not decided)."""
    return state_of(
        submitted,
        len(decisions),
        sum(d == Decision.ACCEPTED for d in decisions),
        sum(d == Decision.NOT_ACCEPTED for d in decisions),
        due_passed,
    )


def state_of(
    submitted: bool, entries: int, accepted: int, not_accepted: int, due_passed: bool
) -> HolderState:
    """``holder_state`` from counts of the decisions."""
    if not submitted:
        return HolderState.NO_RESPONSE if due_passed else HolderState.REQUESTED
    if not_accepted:
        return HolderState.FAILED
    if entries and accepted == entries:
        return HolderState.PASSED
    return HolderState.SUBMITTED


def audit_result(states: Iterable[HolderState]) -> AuditResult:
    """Passed when every selected holder passed."""
    return (
        AuditResult.PASSED if all(s == HolderState.PASSED for s in states) else AuditResult.FAILED
    )


def closing_problem(states: Sequence[HolderState], missing_outcomes: int) -> str | None:
    """Why the audit cannot close yet, or None."""
    waiting = sum(s == HolderState.REQUESTED for s in states)
    undecided = sum(s == HolderState.SUBMITTED for s in states)
    if waiting:
        return (
            f"{waiting} selected holder{'s have' if waiting > 1 else ' has'} not submitted "
            "evidence and the due date has not passed."
        )
    if undecided:
        return (
            f"Decide every entry first: {undecided} holder{'s have' if undecided > 1 else ' has'}"
            " evidence still to review."
        )
    if missing_outcomes:
        return (
            f"Choose an outcome for each holder who failed or did not respond "
            f"({missing_outcomes} to choose)."
        )
    return None


def due_passed(due_on: date, today: date) -> bool:
    """Evidence is accepted through the due date; the day after, it has passed."""
    return today > due_on


def holder_may_respond(status: str, submitted: bool, past_due: bool) -> bool:
    """The holder may still add or change evidence: the audit is open, they have not
    submitted, and the due date has not passed (services.ce_audits.acting says which)."""
    return status == AuditStatus.OPEN and not submitted and not past_due


def board_may_decide(status: str, submitted: bool) -> bool:
    """The board may decide on (or change its decision about) a holder's evidence: the
    holder submitted it and the audit is still open."""
    return status == AuditStatus.OPEN and submitted


def notice_stage(due_on: date, today: date, started_on: date) -> NoticeStage | None:
    """The notice a holder who has not submitted is due today: a reminder 7 days and 1 day
    before the due date (not for a stage whose day came before the audit started, so a
    short audit does not remind on the day it asks), and a notice once it has passed."""
    if due_passed(due_on, today):
        return NoticeStage.OVERDUE
    days_left = (due_on - today).days
    for stage, days in sorted(REMINDERS, key=lambda r: r[1]):
        if days_left <= days and started_on < due_on - timedelta(days=days):
            return NoticeStage(stage)
    return None
