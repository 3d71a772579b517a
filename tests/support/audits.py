"""Renewals that used continuing education, the population of a CE audit: one through the
real services (log CE, an admin approves it, the renewal is issued), or many at once."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from tests.support.certificates import certified
from tests.support.registry import fake_pdf, make_certificates
from trainer.clock import utcnow
from trainer.domain.certnumbers import format_number
from trainer.extensions import db
from trainer.models import CEEntry, Certificate, User
from trainer.services import certificates

#: when the bulk renewals were issued (the audit window in tests covers June 2026)
RENEWED_AT = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
WINDOW = (date(2026, 6, 1), date(2026, 6, 30))
PDF = b"%PDF-1.7\n% evidence\n%%EOF\n"


def renewed(app: Any, make_user: Any, name: str = "Casey Candidate") -> dict[str, Any]:
    """A holder of test-prog (content loaded by the caller) who logged two CE entries, had
    them approved and so was renewed today: returns holder, admin, the renewal's number and
    id, the old certificate's number and the CE entry ids."""
    holder, _sup, admin = certified(app, make_user, name=name)
    with app.app_context():
        user = db.session.get(User, holder.id)
        boss = db.session.get(User, admin.id)
        old = db.session.scalar(select(Certificate).where(Certificate.user_id == holder.id))
        assert old is not None
        old_number, today, now = old.number, utcnow().date(), utcnow()
        entries = [
            certificates.log_ce(user, old.id, today, 4, None, "Recovery coaching update", now),
            certificates.log_ce(
                user, old.id, today, 2, "ethical-responsibility", "Ethics refresher", now
            ),
        ]
        ids = [e.id for e in entries]
        for entry_id in ids:
            certificates.decide_ce(boss, entry_id, True, utcnow())
        db.session.commit()
        new = db.session.scalar(
            select(Certificate).where(Certificate.user_id == holder.id, Certificate.cycle == 2)
        )
        assert new is not None, "the approved CE did not renew the certificate"
        return {
            "holder": holder,
            "admin": admin,
            "number": new.number,
            "certificate_id": new.id,
            "old_number": old_number,
            "entries": ids,
        }


def bulk_renewals(
    app: Any,
    count: int,
    jurisdiction: str = "TS",
    entries: int = 2,
    renewed_at: datetime = RENEWED_AT,
    with_ce: bool = True,
) -> list[str]:
    """``count`` holders renewed at ``renewed_at`` (cycle 2, active) whose old certificate
    has ``entries`` approved CE entries (none when not ``with_ce``); the renewals' numbers."""
    olds = make_certificates(app, count, jurisdiction, status="superseded")
    numbers = []
    with app.app_context():
        rows = db.session.scalars(select(Certificate).where(Certificate.number.in_(olds)))
        for old in sorted(rows, key=lambda c: c.id):
            new = Certificate(
                user_id=old.user_id,
                enrolment_id=old.enrolment_id,
                program_id=old.program_id,
                jurisdiction=old.jurisdiction,
                cycle=2,
                status="active",
                earned_at=renewed_at,
                issued_at=renewed_at,
                expires_at=renewed_at + timedelta(days=730),
                holder_name=old.holder_name,
                credential_name=old.credential_name,
                issuing_authority=old.issuing_authority,
                release_id=old.release_id,
                updated_at=renewed_at,
                evidence={**old.evidence, "renewal_of": old.number},
            )
            db.session.add(new)
            db.session.flush()
            new.number = format_number("TS-TPS", renewed_at.year, new.id)
            new.pdf = fake_pdf(new.number)
            new.pdf_sha256 = hashlib.sha256(new.pdf).hexdigest()
            old.superseded_by_id = new.id
            for k in range(entries if with_ce else 0):
                db.session.add(
                    CEEntry(
                        certificate_id=old.id,
                        user_id=old.user_id,
                        completed_on=(renewed_at - timedelta(days=30 + k)).date(),
                        hours=3,
                        topic=None,
                        title=f"Course {k + 1}",
                        status="approved",
                        decided_at=renewed_at - timedelta(days=1),
                    )
                )
            numbers.append(new.number)
        db.session.commit()
    return numbers
