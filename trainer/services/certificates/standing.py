"""A certificate's standing: suspension and reinstatement, and public conditions.

Admins act anywhere, board members in their own jurisdiction (as for revocation). Every
change is audited, recorded in the event feed (webhooks, employers), told to the holder
through the outbox, and a suspension marks the status lists for signing again.

Chosen: the reason for a suspension is for the holder and the board only; what the public
should read goes in a condition (public by design, the board writes it as a notice).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from trainer.domain.errors import NotFound, RuleError
from trainer.domain.statuses import CertificateEventKind, CertificateStatus
from trainer.extensions import db
from trainer.models import Certificate, CertificateCondition, User
from trainer.services import audit, outbox
from trainer.services.certificates import events, status_list
from trainer.services.certificates.issuance import verify_url
from trainer.services.certificates.public import by_number

MAX_TEXT = 500


def acting_on(actor: User | None, number: str) -> Certificate:
    """The issued certificate ``number`` if ``actor`` may change its standing (None: the
    system). NotFound otherwise: a board member learns nothing of other jurisdictions."""
    cert = by_number(number)
    allowed = cert is not None and (
        actor is None
        or actor.has_role("admin")
        or (actor.has_role("board") and actor.jurisdiction == cert.jurisdiction)
    )
    if cert is None or not allowed or cert.number is None:
        raise NotFound(number)
    return cert


def _text(value: str, field: str, what: str) -> str:
    text = " ".join(value.split())
    if not text:
        raise RuleError(field, f"Give the {what}.")
    if len(text) > MAX_TEXT:
        raise RuleError(field, f"Shorten the {what} to {MAX_TEXT} characters.")
    return text


def _future(until: date | None, now: datetime, field: str = "until") -> date | None:
    if until is not None and until <= now.date():
        raise RuleError(field, "The end date must be after today.")
    return until


def _tell_holder(cert: Certificate, subject: str, body: str, kind: str) -> None:
    holder = db.session.get(User, cert.user_id)
    assert holder is not None and cert.number is not None
    outbox.queue_mail(
        holder.email,
        subject,
        f"Hello {holder.display_name},\n\n{body}\n\n"
        f"Anyone who checks the certificate sees its standing: {verify_url(cert.number)}\n"
        "If you believe this is a mistake, contact the issuing authority.\n",
        kind=kind,
    )


def suspend(
    actor: User | None, number: str, reason: str, until: date | None, now: datetime
) -> Certificate:
    """Suspend an active certificate (not valid until reinstated, or until ``until``)."""
    cert = acting_on(actor, number)
    reason = _text(reason, "reason", "reason for the suspension")
    until = _future(until, now)
    if cert.status == CertificateStatus.SUSPENDED:
        raise RuleError(None, f"Certificate {cert.number} is already suspended.")
    if cert.status != CertificateStatus.ACTIVE:
        raise RuleError(None, f"Only an active certificate can be suspended ({cert.status}).")
    cert.status, cert.suspended_at, cert.suspended_until = CertificateStatus.SUSPENDED, now, until
    cert.suspend_reason, cert.suspended_by_id = reason, actor.id if actor else None
    cert.updated_at = now
    db.session.flush()
    status_list.mark_stale()
    until_text = until.isoformat() if until else None
    audit.record(
        "certificate.suspended", actor=actor, subject=cert, number=cert.number,
        reason=reason, until=until_text,
    )  # fmt: skip
    events.record(cert, CertificateEventKind.SUSPENDED, now, until=until_text)
    ends = f" until {until:%-d %B %Y}" if until else " until the authority reinstates it"
    _tell_holder(
        cert,
        f"Your certificate {cert.number} is suspended",
        f"Your certificate {cert.number} ({cert.credential_name}) is suspended{ends}, "
        f"from {now:%-d %B %Y}. While it is suspended it is not valid. The reason given:"
        f"\n\n{reason}",
        "certificate_suspended",
    )
    return cert


def reinstate(actor: User | None, number: str, now: datetime, note: str = "") -> Certificate:
    """End a suspension early (a board), or on its end date (the worker, ``actor`` None)."""
    cert = acting_on(actor, number)
    if cert.status != CertificateStatus.SUSPENDED:
        raise RuleError(None, f"Certificate {cert.number} is not suspended.")
    cert.status, cert.updated_at = CertificateStatus.ACTIVE, now
    cert.suspended_at = cert.suspended_until = cert.suspend_reason = None
    cert.suspended_by_id = None
    db.session.flush()
    status_list.mark_stale()
    audit.record(
        "certificate.reinstated", actor=actor, subject=cert, number=cert.number,
        note=note.strip() or None,
    )  # fmt: skip
    events.record(cert, CertificateEventKind.REINSTATED, now)
    _tell_holder(
        cert,
        f"Your certificate {cert.number} is reinstated",
        f"The suspension of your certificate {cert.number} ({cert.credential_name}) ended "
        f"on {now:%-d %B %Y}; the certificate is valid again.",
        "certificate_reinstated",
    )
    return cert


def end_suspensions(now: datetime) -> int:
    """The worker's job: reinstate every suspension whose end date has come."""
    numbers = list(
        db.session.scalars(
            select(Certificate.number).where(
                Certificate.status == CertificateStatus.SUSPENDED,
                Certificate.suspended_until <= now.date(),
            )
        )
    )
    for number in numbers:
        assert number is not None
        reinstate(None, number, now, note="the suspension's end date")
    return len(numbers)


def add_condition(
    actor: User | None, number: str, text: str, until: date | None, now: datetime
) -> CertificateCondition:
    """Attach a public condition or notice to an issued (active or suspended) certificate."""
    cert = acting_on(actor, number)
    text = _text(text, "text", "condition or notice")
    until = _future(until, now)
    if cert.status not in (CertificateStatus.ACTIVE, CertificateStatus.SUSPENDED):
        raise RuleError(None, "A condition can only be added to a current certificate.")
    condition = CertificateCondition(
        certificate_id=cert.id,
        text=text,
        until=until,
        added_at=now,
        added_by_id=actor.id if actor else None,
    )
    db.session.add(condition)
    cert.updated_at = now
    db.session.flush()
    until_text = until.isoformat() if until else None
    audit.record(
        "certificate.condition_added", actor=actor, subject=cert, number=cert.number,
        condition=condition.id, text=text, until=until_text,
    )  # fmt: skip
    events.record(cert, CertificateEventKind.CONDITION_ADDED, now, text=text, until=until_text)
    _tell_holder(
        cert,
        f"A condition was added to your certificate {cert.number}",
        f"This condition now shows with your certificate {cert.number} "
        f"({cert.credential_name}) wherever it is checked:\n\n{text}",
        "certificate_condition",
    )
    return condition


def lift_condition(actor: User | None, number: str, condition_id: int, now: datetime) -> None:
    """Take a condition off before its end date (it stays in the history)."""
    cert = acting_on(actor, number)
    condition = db.session.get(CertificateCondition, condition_id)
    if condition is None or condition.certificate_id != cert.id:
        raise NotFound(condition_id)
    if condition.lifted_at is not None:
        raise RuleError(None, "This condition was already lifted.")
    condition.lifted_at, condition.lifted_by_id = now, actor.id if actor else None
    cert.updated_at = now
    db.session.flush()
    audit.record(
        "certificate.condition_lifted", actor=actor, subject=cert, number=cert.number,
        condition=condition.id,
    )  # fmt: skip
