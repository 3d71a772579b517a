"""Supervised hours: the entry life cycle and the rules an entry must meet. Pure functions.

    pending --approve (supervisor)--> approved          (final: evidence, never edited)
    pending --return (supervisor, comment)--> returned --edit (trainee)--> pending
    pending --reject (supervisor, reason)--> rejected   (final)
    pending|returned --edit (trainee)--> pending
    pending|returned --withdraw (trainee)--> withdrawn  (final)

An approved entry is corrected only by a reversing entry (negative minutes) that an admin
records with a reason; the original stays exactly as it was approved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from trainer.domain.errors import NotAllowed, RuleError, RuleErrors
from trainer.domain.statuses import EntryKind, EntryStatus

PENDING, APPROVED, RETURNED, REJECTED, WITHDRAWN = EntryStatus
STATES = tuple(EntryStatus)
KINDS: dict[str, str] = {
    EntryKind.DIRECT: "Direct peer support",
    EntryKind.SUPERVISION: "Supervision received",
}
STATUS_LABELS: dict[str, str] = {
    PENDING: "Pending",
    APPROVED: "Approved",
    RETURNED: "Returned for correction",
    REJECTED: "Rejected",
    WITHDRAWN: "Withdrawn",
}

#: (state, action) -> (who may do it, new state)
TRANSITIONS: dict[tuple[str, str], tuple[str, str]] = {
    (PENDING, "approve"): ("supervisor", APPROVED),
    (PENDING, "return"): ("supervisor", RETURNED),
    (PENDING, "reject"): ("supervisor", REJECTED),
    (PENDING, "edit"): ("trainee", PENDING),
    (RETURNED, "edit"): ("trainee", PENDING),
    (PENDING, "withdraw"): ("trainee", WITHDRAWN),
    (RETURNED, "withdraw"): ("trainee", WITHDRAWN),
}

ATTESTATION = "I supervised this work and the record is accurate."
MAX_DESCRIPTION = 500
DAY_MINUTES = 24 * 60
QUARTER = 15


def transition(state: str, action: str, actor: str) -> str:
    """The state after ``actor`` ("trainee" or "supervisor") does ``action``.

    Raises NotAllowed when the move does not exist from ``state`` or is not ``actor``'s.
    """
    move = TRANSITIONS.get((state, action))
    if move is None:
        raise NotAllowed(
            f"An entry that is {STATUS_LABELS.get(state, state).lower()} cannot be {action}ed."
            if action != "edit"
            else f"An entry that is {STATUS_LABELS.get(state, state).lower()} cannot be changed."
        )
    who, new_state = move
    if who != actor:
        raise NotAllowed(f"Only the {who} may {action} an entry.")
    return new_state


def counts_toward_totals(state: str) -> bool:
    return state == APPROVED


#: A number as people type it: ASCII digits, one optional decimal point and sign ("1",
#: "1.5", ".25", "-1"; the sign so that "-1" is told it must be more than zero). Python's
#: Decimal and float also take "٣" (Arabic-Indic three), "1e3", "1_0", "nan" and "inf".
PLAIN_NUMBER = re.compile(r"-?([0-9]{1,6}(\.[0-9]{0,4})?|\.[0-9]{1,4})")


def parse_hours(text: str) -> int:
    """Hours as typed ("1.5", "0.25", "2") to minutes; a whole number of quarter hours > 0."""
    typed = str(text).strip()
    if not PLAIN_NUMBER.fullmatch(typed):
        raise RuleError("hours", "Enter the hours as a number, e.g. 1.5.")
    try:
        value = Decimal(typed)
    except InvalidOperation:
        raise RuleError("hours", "Enter the hours as a number, e.g. 1.5.") from None
    if not value.is_finite() or value <= 0:
        raise RuleError("hours", "The duration must be more than zero.")
    minutes = value * 60
    if minutes != minutes.to_integral_value() or int(minutes) % QUARTER:
        raise RuleError("hours", "Enter whole quarter hours: 0.25, 0.5, 0.75, 1, 1.25 ...")
    if minutes > DAY_MINUTES:
        raise RuleError("hours", "One entry cannot be longer than 24 hours.")
    return int(minutes)


@dataclass(frozen=True)
class EntryDraft:
    """An hour entry as the trainee typed it, before any rule: ``work_date`` is None when
    the date was missing or not a date, ``hours`` is the text ("1.5")."""

    work_date: date | None
    hours: str
    category: str
    setting: str
    kind: str
    description: str


@dataclass(frozen=True)
class ParsedEntry:
    """An hour entry that meets every rule (``entry_problems`` found none), its hours as
    minutes."""

    work_date: date
    minutes: int
    category: str
    setting: str
    kind: str
    description: str


class EntryProblems(RuleErrors):
    """Every rule an hour entry breaks (see RuleErrors)."""


def earliest_work_date(enrolled_on: date, prior_work_days: int) -> date:
    """The first date an entry may carry: the enrolment date, or up to the program's
    ``prior_work_days`` before it."""
    return enrolled_on - timedelta(days=max(0, prior_work_days))


def before_enrolment(work_date: date, enrolled_on: date) -> bool:
    """Work done before enrolling (allowed within the program's window), which the
    supervisor is shown apart."""
    return work_date < enrolled_on


def _date_problem(work_date: date, today: date, enrolled_on: date, earliest: date) -> str | None:
    if work_date > today:
        return "The date cannot be in the future."
    if work_date < earliest:
        if earliest == enrolled_on:
            return f"The date cannot be before you enrolled ({enrolled_on:%-d %B %Y})."
        return (
            f"The earliest date you can log is {earliest:%-d %B %Y}: this program accepts "
            f"work from up to {(enrolled_on - earliest).days} days before you enrolled "
            f"({enrolled_on:%-d %B %Y})."
        )
    return None


def entry_problems(
    draft: EntryDraft,
    *,
    today: date,
    enrolled_on: date,
    prior_work_days: int,
    categories: dict[str, str],
    settings: dict[str, str],
    other_minutes_that_day: int,
) -> list[RuleError]:
    """Every rule the draft breaks, at most one per field, in the form's order.

    ``today`` is the trainee's local date, ``enrolled_on`` the local date they enrolled;
    ``other_minutes_that_day`` counts the trainee's other live entries (pending, returned or
    approved) on the draft's date.
    """
    problems: list[RuleError] = []
    date_ok = False
    if draft.work_date is None:
        problems.append(RuleError("work_date", "Enter the date of the work, e.g. 2026-03-14."))
    else:
        earliest = earliest_work_date(enrolled_on, prior_work_days)
        message = _date_problem(draft.work_date, today, enrolled_on, earliest)
        if message:
            problems.append(RuleError("work_date", message))
        date_ok = message is None
    try:
        minutes = parse_hours(draft.hours)
    except RuleError as error:
        problems.append(error)
    else:
        # the day's total is known only for a good date; an unknown one cannot overflow yet
        if date_ok and other_minutes_that_day + minutes > DAY_MINUTES:
            left = max(0, DAY_MINUTES - other_minutes_that_day) / 60
            problems.append(
                RuleError(
                    "hours",
                    f"That would make more than 24 hours on one day; at most "
                    f"{left:g} more hours fit on {draft.work_date:%-d %B %Y}.",
                )
            )
    if draft.category not in categories:
        problems.append(RuleError("category", "Choose a category from the program's list."))
    if draft.setting not in settings:
        problems.append(RuleError("setting", "Choose a setting from the list."))
    if draft.kind not in KINDS:
        problems.append(RuleError("kind", "Choose direct peer support or supervision received."))
    text = draft.description.strip()
    if not text:
        problems.append(RuleError("description", "Describe the work briefly."))
    elif len(text) > MAX_DESCRIPTION:
        problems.append(
            RuleError("description", f"Keep the description under {MAX_DESCRIPTION} characters.")
        )
    return problems


@dataclass(frozen=True)
class CategoryTotal:
    category: str
    label: str
    approved_minutes: int
    pending_minutes: int
    minimum_hours: float

    @property
    def approved_hours(self) -> float:
        return self.approved_minutes / 60

    @property
    def pending_hours(self) -> float:
        return self.pending_minutes / 60

    @property
    def met(self) -> bool:
        return self.approved_hours + 1e-9 >= self.minimum_hours
