"""Registry data in bulk: certificates of several jurisdictions without walking the whole
earning path (tests/support/certificates does that; here 500 certificates must be cheap)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from trainer.domain.certnumbers import format_number
from trainer.extensions import db
from trainer.models import Certificate, ContentRelease, Enrolment, User
from trainer.services import audit

UTC = UTC
BASE = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def fake_pdf(number: str) -> bytes:
    """A distinct small PDF-looking body per certificate (the export checks bytes, not
    rendering; rendering is tested in tests/services/test_certificate_pdf*)."""
    return (
        b"%PDF-1.7\n% trainer test certificate "
        + number.encode()
        + b"\n"
        + hashlib.sha256(number.encode()).hexdigest().encode() * 8
        + b"\n%%EOF\n"
    )


def make_certificates(
    app: Any,
    count: int,
    jurisdiction: str,
    *,
    names: list[str] | None = None,
    program_id: str = "test-prog",
    status: str = "active",
    issued: datetime = BASE,
    step: timedelta = timedelta(hours=1),
    validity: timedelta = timedelta(days=730),
    evidence: dict[str, Any] | None = None,
) -> list[str]:
    """``count`` issued certificates in ``jurisdiction``; returns their numbers in order."""
    numbers = []
    with app.app_context():
        release = db.session.scalar(select(ContentRelease).order_by(ContentRelease.id.desc()))
        assert release is not None, "load content first (tests.support.exams.load)"
        start = (db.session.scalar(select(db.func.count()).select_from(User)) or 0) + 1
        for i in range(count):
            name = names[i] if names else f"Holder {jurisdiction} {start + i:05d}"
            user = User(
                email=f"holder{start + i}-{jurisdiction.lower()}@example.org", legal_name=name
            )
            db.session.add(user)
            db.session.flush()
            enrolment = Enrolment(user_id=user.id, program_id=program_id, release_id=release.id)
            db.session.add(enrolment)
            db.session.flush()
            at = issued + step * i
            cert = Certificate(
                user_id=user.id,
                enrolment_id=enrolment.id,
                program_id=program_id,
                jurisdiction=jurisdiction,
                cycle=1,
                status=status,
                earned_at=at,
                issued_at=at,
                expires_at=at + validity,
                holder_name=name,
                credential_name="Test Peer Specialist",
                issuing_authority="Test Board",
                release_id=release.id,
                updated_at=at,
                evidence=evidence
                or {
                    "modules": ["Recovery basics"],
                    "exam": {"passed_at": (at - timedelta(days=3)).isoformat()},
                    "hours_by_category": {"advocacy": 20.0},
                    "supervision_hours": 4.0,
                    "supervisors": ["Sam Supervisor"],
                    "attestations": ["ethics"],
                    "documents": [],
                },
            )
            db.session.add(cert)
            db.session.flush()
            cert.number = format_number("TS-TPS", at.year, cert.id)
            cert.pdf = fake_pdf(cert.number)
            cert.pdf_sha256 = hashlib.sha256(cert.pdf).hexdigest()
            if status == "revoked":
                cert.revoked_at, cert.revoke_reason = at + timedelta(days=1), "Test revocation"
            audit.record("certificate.issued", subject=cert, number=cert.number)
            numbers.append(cert.number)
        db.session.commit()
    return numbers
