"""Rules of delivery and reminding, as pure functions: when to try a message again, what
state to show for it, which renewal reminder is due. The clock and the randomness are
parameters, so the rules are tested at any instant with any dice."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta


def retry_delay(
    attempts: int,
    base_seconds: float,
    cap_seconds: float,
    rand: Callable[[], float] = random.random,
) -> timedelta:
    """How long to wait after the ``attempts``-th failed try (1 for the first).

    Exponential backoff with "equal jitter": half of the capped delay is fixed, the other
    half random, so workers that failed together do not all come back in the same second.
    """
    if attempts < 1:
        raise ValueError("attempts counts failed tries, from 1")
    delay = min(cap_seconds, base_seconds * 2 ** min(attempts - 1, 32))
    return timedelta(seconds=delay / 2 + rand() * delay / 2)


#: States an admin sees, in the order the outbox page filters them.
STATES = {
    "queued": "Queued",
    "sending": "Sending",
    "retrying": "Retrying",
    "failed": "Failed",
    "sent": "Sent",
}


def display_state(status: str, attempts: int, locked_until: datetime | None, now: datetime) -> str:
    """One word for a message's state (a key of STATES)."""
    if status in ("sent", "failed"):
        return status
    if locked_until is not None and locked_until > now:
        return "sending"
    return "retrying" if attempts else "queued"


#: Reminder stages before expiry, soonest first: (days left at most, stage name).
REMINDER_STAGES = ((7, "7"), (30, "30"), (90, "90"))
#: How long after expiry the expiry notice may still go out (a worker that was down a few
#: days still sends it; a certificate that expired long ago gets none).
EXPIRY_NOTICE_GRACE = timedelta(days=7)


def reminder_stage(expires_at: datetime, now: datetime) -> str | None:
    """The renewal reminder due at ``now`` for a certificate expiring at ``expires_at``.

    "90", "30" or "7" while at most that many days are left; "expired" from the moment of
    expiry for EXPIRY_NOTICE_GRACE; None otherwise. Only the most urgent stage is due: a
    worker catching up after a long outage sends the 7-day reminder, not three at once.
    """
    if now >= expires_at:
        return "expired" if now < expires_at + EXPIRY_NOTICE_GRACE else None
    left = expires_at - now
    for days, stage in REMINDER_STAGES:
        if left <= timedelta(days=days):
            return stage
    return None


def earliest_reminder_window() -> timedelta:
    """How far ahead of expiry the first reminder can fall (for the job's query)."""
    return timedelta(days=max(days for days, _ in REMINDER_STAGES))
