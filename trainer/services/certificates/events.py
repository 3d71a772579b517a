"""The certificate event feed: what happened to a certificate, told once to whoever watches it.

``record`` writes an event in the caller's transaction (beside the change it reports). The
worker's ``dispatch`` job hands each new event to the watchers: the webhooks of the
certificate's board and of employers with it on their roster (``services.webhooks``), and
the employers' e-mail (``services.employers``). ``expire`` and ``end_suspensions`` are the
worker's daily look at dates passing: an expiry is an event too, and a suspension with an end
date ends by itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, select

from trainer.domain.statuses import CertificateEventKind, CertificateStatus
from trainer.extensions import db
from trainer.models import Certificate, CertificateEvent

#: events handed on per job run (the rest wait for the next run)
BATCH = 200


def record(cert: Certificate, kind: CertificateEventKind, now: datetime, **data: Any) -> None:
    """Add an event about ``cert`` to the current transaction. ``data`` holds only what the
    public verify page shows (it goes to employers and other systems)."""
    assert cert.number is not None
    db.session.add(
        CertificateEvent(
            certificate_id=cert.id,
            number=cert.number,
            jurisdiction=cert.jurisdiction,
            kind=kind,
            occurred_at=now,
            data=data,
        )
    )


def dispatch(now: datetime) -> int:
    """Hand every undispatched event, oldest first, to webhooks and employers; each is
    marked dispatched in the same transaction as the deliveries it queued."""
    from trainer.services import employers, webhooks

    events = list(
        db.session.scalars(
            select(CertificateEvent)
            .where(CertificateEvent.dispatched_at.is_(None))
            .order_by(CertificateEvent.id)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        )
    )
    for event in events:
        owners = employers.watchers(event) | webhooks.board_owners(event.jurisdiction)
        webhooks.fan_out(event, owners, now)
        employers.on_event(event, now)
        event.dispatched_at = now
    db.session.flush()
    return len(events)


def expire(now: datetime) -> int:
    """Record ``certificate.expired`` once for each active certificate past its expiry."""
    seen = exists().where(
        and_(
            CertificateEvent.certificate_id == Certificate.id,
            CertificateEvent.kind == CertificateEventKind.EXPIRED,
        )
    )
    certs = list(
        db.session.scalars(
            select(Certificate).where(
                Certificate.status.in_([CertificateStatus.ACTIVE, CertificateStatus.SUSPENDED]),
                Certificate.expires_at <= now,
                ~seen,
            )
        )
    )
    for cert in certs:
        assert cert.expires_at is not None
        record(
            cert, CertificateEventKind.EXPIRED, now, expired_on=cert.expires_at.date().isoformat()
        )
    db.session.flush()
    return len(certs)
