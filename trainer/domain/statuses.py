"""Every stored status in one place. The database's CHECK constraints are generated from
these (``one_of``), and services, views and templates compare against the members, so a
new state is added here or nowhere. Members are strings: ``EntryStatus.PENDING == "pending"``.
"""

from __future__ import annotations

from enum import StrEnum


class CertificateStatus(StrEnum):
    REVIEW = "review"  # earned; an admin checks the record before it is issued
    ACTIVE = "active"  # issued (expired is active past expires_at, not a stored state)
    REVOKED = "revoked"
    SUSPENDED = "suspended"  # temporarily not valid; reinstated by a board or on its end date
    SUPERSEDED = "superseded"  # renewed: the successor carries the credential


class CertificateEventKind(StrEnum):
    """What happened to a certificate, as told to webhooks and employers (the event feed)."""

    ISSUED = "certificate.issued"
    RENEWED = "certificate.renewed"
    SUSPENDED = "certificate.suspended"
    REINSTATED = "certificate.reinstated"
    REVOKED = "certificate.revoked"
    EXPIRED = "certificate.expired"
    CONDITION_ADDED = "certificate.condition_added"


class AttemptStatus(StrEnum):
    OPEN = "open"
    SUBMITTED = "submitted"
    EXPIRED = "expired"  # scored from saved answers when the deadline passed


class LinkStatus(StrEnum):
    """A supervisor's link to a trainee's enrolment."""

    INVITED = "invited"
    ACTIVE = "active"
    DECLINED = "declined"
    ENDED = "ended"


class EntryStatus(StrEnum):
    """A supervised-hours entry (the transitions are in domain.hours)."""

    PENDING = "pending"
    APPROVED = "approved"
    RETURNED = "returned"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class EntryKind(StrEnum):
    DIRECT = "direct"
    SUPERVISION = "supervision"


class ReviewStatus(StrEnum):
    """An uploaded document or a continuing-education entry an admin decides."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class MessageStatus(StrEnum):
    """An outbox message (sending and retrying are queued messages, seen by the admin)."""

    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class ReminderStage(StrEnum):
    """Renewal reminders: days before expiry, and on the day."""

    DAYS_90 = "90"
    DAYS_30 = "30"
    DAYS_7 = "7"
    EXPIRED = "expired"


def one_of(column: str, states: type[StrEnum]) -> str:
    """The SQL of a CHECK constraint: ``status IN ('a', 'b')``, in declaration order."""
    quoted = ", ".join(f"'{state}'" for state in states)
    return f"{column} IN ({quoted})"
