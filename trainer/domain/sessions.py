"""Supervision sessions: what a valid session is, and a program's cadence rule month by month.
Pure: today and the supervision link's dates are parameters.

A session is recorded by one of the two people (supervisor or trainee) and counts only once
the other has confirmed it. Confirmed sessions count toward the program's supervision hours.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from trainer.domain.content.model import Cadence
from trainer.domain.errors import RuleError, RuleErrors
from trainer.domain.hours import parse_hours

FORMATS = {"individual": "Individual", "group": "Group"}
MODES = {"in-person": "In person", "video": "Video"}
MAX_MINUTES = 8 * 60
MAX_NOTES = 2000


@dataclass(frozen=True)
class SessionDraft:
    """A session as typed: ``held_on`` None when missing or not a date, ``hours`` the text."""

    held_on: date | None
    hours: str
    format: str
    mode: str
    domains: tuple[str, ...]
    notes: str


def check(
    draft: SessionDraft,
    today: date,
    link_from: date,
    link_to: date | None,
    domains: Mapping[str, str],
) -> int:
    """The session's minutes; RuleErrors with every problem, each on its field."""
    problems: list[RuleError] = []
    minutes = 0
    try:
        minutes = parse_hours(draft.hours)
        if minutes > MAX_MINUTES:
            problems.append(RuleError("hours", "A session cannot be longer than 8 hours."))
    except RuleError as error:
        problems.append(error)
    if draft.held_on is None:
        problems.append(RuleError("held_on", "Enter the date of the session, e.g. 2026-03-14."))
    elif draft.held_on > today:
        problems.append(RuleError("held_on", "The session cannot be in the future."))
    elif draft.held_on < link_from or (link_to is not None and draft.held_on > link_to):
        until = f" to {link_to:%-d %B %Y}" if link_to else ""
        problems.append(
            RuleError(
                "held_on",
                f"This supervision ran from {link_from:%-d %B %Y}{until}: the session must "
                "fall within it.",
            )
        )
    if draft.format not in FORMATS:
        problems.append(RuleError("format", "Choose individual or group."))
    if draft.mode not in MODES:
        problems.append(RuleError("mode", "Choose in person or video."))
    if not draft.domains or any(d not in domains for d in draft.domains):
        problems.append(RuleError("domains", "Choose the domains you discussed."))
    if len(draft.notes) > MAX_NOTES:
        problems.append(RuleError("notes", f"Notes are at most {MAX_NOTES} characters."))
    if problems:
        raise RuleErrors(problems)
    return minutes


@dataclass(frozen=True)
class Held:
    held_on: date
    minutes: int
    mode: str


@dataclass(frozen=True)
class Month:
    first_day: date
    sessions: int  # that count toward the rule (in person where it asks for that)
    met: bool
    detail: str


def _months(start: date, end: date) -> list[date]:
    out, day = [], start.replace(day=1)
    while day <= end:
        out.append(day)
        day = day.replace(year=day.year + day.month // 12, month=day.month % 12 + 1)
    return out


def months(cadence: Cadence, sessions: Sequence[Held], start: date, today: date) -> list[Month]:
    """Each month from ``start`` to ``today``, whether the confirmed sessions met the rule
    (the current month is judged on what has happened so far)."""
    out = []
    for first in _months(start, today):
        counted = [
            s
            for s in sessions
            if (s.held_on.year, s.held_on.month) == (first.year, first.month)
            and (s.mode == "in-person" or not cadence.in_person)
        ]
        long_enough = any(s.minutes >= cadence.one_at_least_minutes for s in counted)
        met = len(counted) >= cadence.sessions_per_month and (
            long_enough or not cadence.one_at_least_minutes
        )
        where = " in person" if cadence.in_person else ""
        detail = f"{len(counted)} of {cadence.sessions_per_month} sessions{where}"
        if cadence.one_at_least_minutes and not long_enough and counted:
            detail += f"; none of at least {cadence.one_at_least_minutes} minutes"
        out.append(Month(first, len(counted), met, detail))
    return out
