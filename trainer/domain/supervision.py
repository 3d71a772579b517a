"""Who may supervise: a program's rule (content/programs/ID.yaml, ``supervisors``) against the
credentials a supervisor holds. Pure: the day is a parameter.

A rule is a list of alternatives; any one met is enough. An alternative names a credential
type (ids from the taxonomy's ``credentials``), how long it must have been held (months
since it was issued: "post-certification experience") and whether the supervisor must have
attended the board's supervision training. A credential counts only once an administrator
has verified it, and only while it has not expired.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from trainer.domain.content.model import Qualifying, SupervisorRule
from trainer.domain.statuses import ReviewStatus


@dataclass(frozen=True)
class Held:
    """A credential a supervisor recorded, as the rule reads it."""

    id: int
    credential: str
    status: str  # ReviewStatus: pending | approved | rejected
    issued_on: date
    expires_on: date | None
    supervision_training: bool


def months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end`` (0 when ``end`` is earlier)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return max(months, 0)


def _meets(option: Qualifying, held: Held, on: date) -> bool:
    return (
        held.credential == option.credential
        and held.status == ReviewStatus.APPROVED
        and (held.expires_on is None or held.expires_on >= on)
        and held.issued_on <= on
        and months_between(held.issued_on, on) >= option.min_months
        and (held.supervision_training or not option.supervision_training)
    )


def qualifying(rule: SupervisorRule | None, held: Sequence[Held], on: date) -> Held | None:
    """The credential that lets its holder supervise under ``rule`` on ``on`` (the longest
    held one when several do); None when none does. No rule: nothing is asked."""
    if rule is None:
        return None
    meeting = [h for h in held if any(_meets(o, h, on) for o in rule.options)]
    return min(meeting, key=lambda h: (h.issued_on, h.id)) if meeting else None


def may_supervise(rule: SupervisorRule | None, held: Sequence[Held], on: date) -> bool:
    return rule is None or qualifying(rule, held, on) is not None


def option_words(option: Qualifying, labels: Mapping[str, str]) -> str:
    """One alternative in plain words: "a Certified Alcohol and Drug Counselor (CADC),
    held for at least 24 months, who attended the board's supervision training"."""
    words = "a " + labels.get(option.credential, option.credential.replace("-", " "))
    if option.min_months:
        years, months = divmod(option.min_months, 12)
        span = (
            f"{years} year{'s' * (years != 1)}"
            if years and not months
            else (f"{option.min_months} months")
        )
        words += f", held for at least {span}"
    if option.supervision_training:
        words += ", who attended the board's supervision training"
    return words


def why_not(rule: SupervisorRule, held: Sequence[Held], on: date, labels: Mapping[str, str]) -> str:
    """Why someone may not supervise under ``rule`` on ``on``, in plain words: the rule, then
    what is missing from what they hold."""
    wanted = "; or ".join(option_words(o, labels) for o in rule.options)
    relevant = [h for h in held if any(h.credential == o.credential for o in rule.options)]
    if not relevant:
        have = "No qualifying credential is recorded yet."
    else:
        have = " ".join(_shortfall(h, rule, on, labels) for h in relevant)
    return f"{rule.source} asks for {wanted}. {have}"


def _shortfall(held: Held, rule: SupervisorRule, on: date, labels: Mapping[str, str]) -> str:
    name = labels.get(held.credential, held.credential)
    if held.status == ReviewStatus.PENDING:
        return f"The {name} recorded is waiting for an administrator to verify it."
    if held.status == ReviewStatus.REJECTED:
        return f"The {name} recorded was not accepted."
    if held.expires_on is not None and held.expires_on < on:
        return f"The {name} expired on {held.expires_on:%-d %B %Y}."
    options = [o for o in rule.options if o.credential == held.credential]
    need = min(o.min_months for o in options)
    if months_between(held.issued_on, on) < need:
        return f"The {name} has been held for {months_between(held.issued_on, on)} months."
    return f"The {name} is recorded without the board's supervision training."
