"""Reading and revoking: the public view of a certificate, the holder's own, revocation."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from trainer.domain.certnumbers import parse_number
from trainer.domain.errors import NotAllowed, NotFound, RuleError
from trainer.domain.statuses import CertificateEventKind, CertificateStatus
from trainer.extensions import db
from trainer.models import (
    Certificate,
    Program,
    User,
)
from trainer.services import audit, outbox
from trainer.services.certificates import conditions, events, keys, status_list
from trainer.services.certificates.issuance import verify_url


def by_number(number: str) -> Certificate | None:
    parsed = parse_number(number)
    if parsed is None:
        return None
    return db.session.scalar(
        select(Certificate).where(Certificate.number == number.strip().upper())
    )


@dataclass(frozen=True)
class PublicCertificate:
    """What anyone may see: the facts the certificate states, and its status."""

    number: str
    holder_name: str
    credential: str
    program: str
    issuing_authority: str  # the regulator or board whose rules the credential follows
    jurisdiction: str
    issued_on: str
    expires_on: str
    status: str  # active | expired | revoked | superseded
    revoked_on: str | None
    issued_by: str = ""  # who signed it: this deployment (older ones: the authority)
    suspended_on: str | None = None
    suspended_until: str | None = None  # None while suspended: until reinstated
    # conditions and notices in force: {"text", "until", "added_on"}
    conditions: tuple[dict[str, str | None], ...] = ()
    # the day the key that signed its digital credential was retired (None: in use)
    signing_key_retired_on: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {**self.__dict__, "conditions": list(self.conditions)}


def public(number: str, now: datetime) -> PublicCertificate:
    cert = by_number(number)
    if cert is None or cert.status == CertificateStatus.REVIEW or cert.number is None:
        raise NotFound(number)
    program = db.session.get(Program, cert.program_id)
    assert program is not None and cert.issued_at and cert.expires_at
    return PublicCertificate(
        cert.number,
        cert.holder_name,
        cert.credential_name,
        program.title,
        cert.issuing_authority,
        program.spec.jurisdiction_name,
        cert.issued_at.date().isoformat(),
        cert.expires_at.date().isoformat(),
        cert.public_status(now),
        cert.revoked_at.date().isoformat() if cert.revoked_at else None,
        cert.issuer_name or cert.issuing_authority,
        cert.suspended_at.date().isoformat() if cert.suspended_at else None,
        cert.suspended_until.isoformat() if cert.suspended_until else None,
        tuple(c.as_json() for c in conditions.in_force([cert.id], now)[cert.id]),
        _retired_on(cert),
    )


def _retired_on(cert: Certificate) -> str | None:
    """When the key that signed ``cert``'s credential was retired, if it was."""
    try:
        proof = json.loads(cert.credential_json or "{}").get("proof")
    except ValueError:
        return None
    first = proof[0] if isinstance(proof, list) and proof else proof
    if not isinstance(first, dict):
        return None
    key = keys.by_method(str(first.get("verificationMethod", "")))
    return key.retired_at.date().isoformat() if key and key.retired_at else None


def revoke(actor: User | None, number: str, reason: str, now: datetime) -> Certificate:
    """Revoke with a reason: admins anywhere, board members in their own jurisdiction only.

    Raises NotFound (no such certificate, or another jurisdiction's for a board member),
    RuleError (no reason, already revoked, superseded).
    """
    cert = by_number(number)
    if cert is None:
        raise NotFound(number)
    allowed = (
        actor is None
        or actor.has_role("admin")
        or (actor.has_role("board") and actor.jurisdiction == cert.jurisdiction)
    )
    if not allowed:
        raise NotFound(number)
    if not reason.strip():
        raise RuleError("reason", "Give the reason for revoking.")
    if cert.status == CertificateStatus.REVOKED:
        raise RuleError(None, f"Certificate {cert.number} is already revoked.")
    if cert.status == CertificateStatus.SUPERSEDED:
        raise RuleError(
            None,
            f"Certificate {cert.number} was superseded by a renewal; revoke "
            "the current certificate instead.",
        )
    if cert.status not in (CertificateStatus.ACTIVE, CertificateStatus.SUSPENDED):
        raise RuleError(None, "Only an issued certificate can be revoked.")
    cert.status, cert.revoked_at, cert.revoke_reason = (
        CertificateStatus.REVOKED,
        now,
        reason.strip(),
    )
    cert.revoked_by_id = actor.id if actor else None
    cert.updated_at = now
    db.session.flush()
    status_list.mark_stale()
    audit.record(
        "certificate.revoked", actor=actor, subject=cert, number=cert.number, reason=reason.strip()
    )
    events.record(cert, CertificateEventKind.REVOKED, now)
    holder = db.session.get(User, cert.user_id)
    assert holder is not None and cert.number is not None
    outbox.queue_mail(
        holder.email,
        f"Your certificate {cert.number} was revoked",
        f"Hello {holder.display_name},\n\nYour certificate {cert.number} "
        f"({cert.credential_name}) was revoked by {cert.issuing_authority} on "
        f"{now:%-d %B %Y}. The reason given:\n\n{cert.revoke_reason}\n\n"
        "Anyone who checks the certificate now sees that it is revoked: "
        f"{verify_url(cert.number)}\n"
        "If you believe this is a mistake, contact the issuing authority.\n",
        kind="certificate_revoked",
    )
    return cert


def for_holder(user: User, certificate_id: int) -> Certificate:
    cert = db.session.get(Certificate, certificate_id)
    if cert is None:
        raise NotFound(certificate_id)
    if cert.user_id != user.id:
        raise NotAllowed(certificate_id)
    return cert
