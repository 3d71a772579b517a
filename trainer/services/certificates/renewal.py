"""Renewal: continuing education logged by the holder, approved by an admin, and the next
certificate once the cycle's hours are met.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from trainer.domain import requirements as req
from trainer.domain.certnumbers import add_months
from trainer.domain.errors import NotFound, RuleError
from trainer.domain.statuses import CertificateEventKind, CertificateStatus, ReviewStatus
from trainer.extensions import db
from trainer.models import (
    Certificate,
    CertificateCondition,
    Program,
    User,
)
from trainer.services import audit, content
from trainer.services import release as releases
from trainer.services.certificates import conditions, events
from trainer.services.certificates.issuance import finalise
from trainer.services.certificates.public import for_holder


def log_ce(
    holder: User,
    certificate_id: int,
    completed_on: Any,
    hours: float,
    topic: str | None,
    title: str,
    now: datetime,
) -> Any:
    """The holder records continuing education toward renewing a certificate."""
    from trainer.models import CEEntry

    cert = for_holder(holder, certificate_id)
    if cert.status != CertificateStatus.ACTIVE or cert.issued_at is None or cert.expires_at is None:
        raise RuleError(None, "Continuing education counts toward an issued, current certificate.")
    if not 0 < hours <= 100 or round(hours * 4) != hours * 4:
        raise RuleError("hours", "Enter the hours in quarter hours, more than 0.")
    if not title.strip():
        raise RuleError("title", "Name the course or event.")
    if len(title.strip()) > 200:
        raise RuleError("title", "Shorten the name of the course or event to 200 characters.")
    topics = content.labels("topics")
    if topic and topic not in topics:
        raise RuleError("topic", "Choose a topic from the list.")
    if not cert.issued_at.date() <= completed_on <= min(now.date(), cert.expires_at.date()):
        raise RuleError(
            "completed_on",
            "The date must fall within this certificate's cycle and not in the future.",
        )
    entry = CEEntry(
        certificate_id=cert.id,
        user_id=holder.id,
        completed_on=completed_on,
        hours=hours,
        topic=topic or None,
        title=title.strip(),
    )
    db.session.add(entry)
    db.session.flush()
    audit.record("certificate.ce_logged", actor=holder, subject=entry, hours=hours, topic=topic)
    return entry


def ce_entries(certificate_id: int) -> list[Any]:
    from trainer.models import CEEntry

    return list(
        db.session.scalars(
            select(CEEntry)
            .where(CEEntry.certificate_id == certificate_id)
            .order_by(CEEntry.completed_on)
        )
    )


def pending_ce() -> list[Any]:
    from trainer.models import CEEntry

    return list(
        db.session.scalars(
            select(CEEntry)
            .where(CEEntry.status == ReviewStatus.PENDING)
            .order_by(CEEntry.created_at)
        )
    )


def renewal_status(
    cert: Certificate, now: datetime, entries: list[Any] | None = None
) -> list[req.Status]:
    """What renewing still needs; ``entries``: the certificate's CE entries, when the page
    has already read them."""
    assert cert.issued_at and cert.expires_at
    cached = releases.get().programs.get(cert.program_id)  # the cached release: no statement
    row = db.session.get(Program, cert.program_id) if cached is None else None
    d = cached.spec if cached is not None else row.spec if row is not None else None
    assert d is not None
    facts = [
        req.CEFact(
            e.decided_at,
            datetime.combine(e.completed_on, datetime.min.time(), tzinfo=cert.issued_at.tzinfo),
            e.hours,
            e.topic,
        )
        for e in (ce_entries(cert.id) if entries is None else entries)
        if e.status == ReviewStatus.APPROVED and e.decided_at
    ]
    return req.evaluate_renewal(
        d.renewal_ce_hours,
        d.renewal_topics,
        facts,
        cert.issued_at.replace(hour=0, minute=0, second=0, microsecond=0),  # whole days
        cert.expires_at,
        now,
        content.labels("topics"),
    )


def decide_ce(admin: User, entry_id: int, approve: bool, now: datetime) -> Any:
    """Approve or reject continuing education; approval may renew the certificate."""
    from trainer.models import CEEntry

    entry = db.session.get(CEEntry, entry_id)
    if entry is None:
        raise NotFound(entry_id)
    if entry.status != ReviewStatus.PENDING:
        raise RuleError(None, "This entry was already decided.")
    entry.status = ReviewStatus.APPROVED if approve else ReviewStatus.REJECTED
    entry.decided_by_id, entry.decided_at = admin.id, now
    db.session.flush()
    audit.record(f"certificate.ce_{entry.status}", actor=admin, subject=entry)
    if approve:
        renew(db.session.get(Certificate, entry.certificate_id), now)
    return entry


def renew(cert: Certificate | None, now: datetime) -> Certificate | None:
    """When the cycle's continuing education is complete, issue the next certificate (its
    validity runs on from the old expiry) and mark the old one superseded. Exactly once."""
    if cert is None or cert.status != CertificateStatus.ACTIVE or cert.expires_at is None:
        return None
    program = db.session.get(Program, cert.program_id)
    assert program is not None
    if not program.spec.renewal_ce_hours or not req.all_met(renewal_status(cert, now)):
        return None
    user = db.session.get(User, cert.user_id)
    assert user is not None
    new = Certificate(
        user_id=cert.user_id,
        enrolment_id=cert.enrolment_id,
        program_id=cert.program_id,
        jurisdiction=cert.jurisdiction,
        cycle=cert.cycle + 1,
        status=CertificateStatus.ACTIVE,
        earned_at=now,
        holder_name=user.legal_name,
        credential_name=cert.credential_name,
        issuing_authority=cert.issuing_authority,
        release_id=cert.release_id,
        evidence={**cert.evidence, "renewal_of": cert.number},
        updated_at=now,
    )
    db.session.add(new)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        return None
    validity = program.spec.validity_months
    finalise(new, now, expires_at=add_months(max(cert.expires_at, now), validity))
    cert.status, cert.superseded_by_id, cert.updated_at = CertificateStatus.SUPERSEDED, new.id, now
    _carry_conditions(cert, new, now)
    db.session.flush()
    audit.record("certificate.renewed", subject=cert, renewed_by=new.number)
    assert new.expires_at is not None
    events.record(
        cert,
        CertificateEventKind.RENEWED,
        now,
        renewed_by=new.number,
        expires_on=new.expires_at.date().isoformat(),
    )
    return new


def _carry_conditions(old: Certificate, new: Certificate, now: datetime) -> None:
    """A renewal keeps the public conditions in force: they bind the holder, not one cycle."""
    for kept in conditions.in_force([old.id], now)[old.id]:
        db.session.add(
            CertificateCondition(
                certificate_id=new.id,
                text=kept.text,
                until=date.fromisoformat(kept.until) if kept.until else None,
                added_at=now,
            )
        )
