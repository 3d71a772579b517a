"""Certificates: evidence -> requirements -> exactly one certificate, rendered once, signed.

``issue_if_met(user, program_id)`` runs after every event that can complete a requirement
(module completed, exam passed, hours approved, statement signed, document approved). A
database unique constraint on (enrolment, cycle) makes issuance happen exactly once, whatever
races.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from trainer.domain import credential as vc
from trainer.domain import requirements as req
from trainer.domain.certnumbers import add_months, format_number, parse_number
from trainer.domain.errors import NotAllowed, NotFound, RuleError
from trainer.extensions import db
from trainer.models import (
    AttestationSignature,
    Certificate,
    DocumentUpload,
    Enrolment,
    ExamAttempt,
    HourEntry,
    Module,
    ModuleSection,
    Program,
    QuizAttempt,
    SectionRead,
    User,
)
from trainer.models.base import utcnow
from trainer.services import audit, content, outbox

# -- the issuer's signing key ------------------------------------------------------------------


def _key_path() -> Path:
    configured = current_app.config.get("SIGNING_KEY_PATH")
    return (
        Path(configured) if configured else Path(current_app.instance_path) / "issuer-ed25519.pem"
    )


def signing_key() -> Ed25519PrivateKey:
    """The issuer key: generated on first use into the instance folder (mode 0600)."""
    path = _key_path()
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        assert isinstance(key, Ed25519PrivateKey)
        return key
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker made it first
        return signing_key()
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    return key


def public_key() -> Ed25519PublicKey:
    return signing_key().public_key()


def _base() -> str:
    return str(current_app.config["BASE_URL"])


def key_url() -> str:
    return _base() + "/.well-known/trainer-issuer.json#key-1"


# -- evidence and requirements -----------------------------------------------------------------


def spec_for(program: Program) -> req.Spec:
    d = program.definition
    modules = {
        m.id: m for m in db.session.scalars(select(Module).where(Module.id.in_(d["modules"])))
    }
    labels = {**content.labels("topics"), **content.labels("domains")}
    return req.Spec(
        modules=d["modules"],
        module_titles={k: m.title for k, m in modules.items()},
        module_credit={k: m.meta.get("credit", {}) for k, m in modules.items()},
        education_hours=d["education_hours"],
        education_topics=d["education_topics"],
        supervised_hours=d["supervised_hours"],
        supervised_categories=d["supervised_categories"],
        supervision_hours=d["supervision_hours"],
        attestations={a["id"]: a["text"] for a in d["attestations"]},
        documents={x["id"]: (x["title"], x["count"]) for x in d["documents"]},
        labels=labels,
    )


def record_for(enrolment: Enrolment, exam_note: str = "") -> req.Record:
    """Everything the person did toward the program, with times (a handful of queries)."""
    user_id, program = enrolment.user_id, enrolment.program
    modules = program.definition["modules"]
    totals = dict(
        db.session.execute(
            select(ModuleSection.module_id, func.count())
            .where(ModuleSection.module_id.in_(modules))
            .group_by(ModuleSection.module_id)
        ).all()
    )
    reads = {
        r[0]: (r[1], r[2])
        for r in db.session.execute(
            select(SectionRead.module_id, func.count(), func.max(SectionRead.read_at))
            .join(
                ModuleSection,
                (ModuleSection.module_id == SectionRead.module_id)
                & (ModuleSection.anchor == SectionRead.anchor),
            )
            .where(SectionRead.user_id == user_id, SectionRead.module_id.in_(modules))
            .group_by(SectionRead.module_id)
        ).all()
    }
    passed = dict(
        db.session.execute(
            select(QuizAttempt.module_id, func.min(QuizAttempt.submitted_at))
            .where(
                QuizAttempt.user_id == user_id,
                QuizAttempt.module_id.in_(modules),
                QuizAttempt.passed.is_(True),
            )
            .group_by(QuizAttempt.module_id)
        ).all()
    )
    completed: dict[str, datetime] = {}
    for m in modules:
        count, last_read = reads.get(m, (0, None))
        quiz_at = passed.get(m)
        if count >= totals.get(m, 0) > 0 and quiz_at is not None and last_read is not None:
            completed[m] = max(last_read, quiz_at)
    exam_at = db.session.scalar(
        select(func.min(ExamAttempt.finished_at)).where(
            ExamAttempt.user_id == user_id,
            ExamAttempt.program_id == program.id,
            ExamAttempt.passed.is_(True),
        )
    )
    # One fact per approval moment and category: a supervisor approves a batch at one
    # instant, so this is exact for the "met on" dates and reads far fewer rows.
    minutes = func.sum(HourEntry.minutes).label("minutes")
    hours = [
        req.HourFact(r.decided_at, int(r.minutes), r.category, r.kind)
        for r in db.session.execute(
            select(HourEntry.decided_at, minutes, HourEntry.category, HourEntry.kind)
            .where(HourEntry.enrolment_id == enrolment.id, HourEntry.status == "approved")
            .group_by(HourEntry.decided_at, HourEntry.category, HourEntry.kind)
        ).all()
        if r.decided_at is not None
    ]
    attestations = dict(
        db.session.execute(
            select(AttestationSignature.attestation_id, AttestationSignature.signed_at).where(
                AttestationSignature.user_id == user_id,
                AttestationSignature.program_id == program.id,
            )
        ).all()
    )
    documents: dict[str, list[datetime]] = {}
    for rid, at in db.session.execute(
        select(DocumentUpload.requirement_id, DocumentUpload.decided_at).where(
            DocumentUpload.user_id == user_id,
            DocumentUpload.program_id == program.id,
            DocumentUpload.status == "approved",
        )
    ).all():
        if at is not None:  # an approved document always has its decision time
            documents.setdefault(rid, []).append(at)
    return req.Record(completed, exam_at, exam_note, hours, attestations, documents)


def requirements(enrolment: Enrolment, now: datetime, exam_note: str = "") -> list[req.Status]:
    return req.evaluate(spec_for(enrolment.program), record_for(enrolment, exam_note), now)


# -- issuance --------------------------------------------------------------------------------


def current(enrolment_id: int) -> Certificate | None:
    return db.session.scalar(
        select(Certificate)
        .where(Certificate.enrolment_id == enrolment_id)
        .order_by(Certificate.cycle.desc())
        .limit(1)
    )


def issue_if_met(user: User, program_id: str, now: datetime | None = None) -> Certificate | None:
    """Issue the certificate (or queue it for the authority's review) if every requirement
    is now met: writes the certificate, its PDF and signed credential, audit events and the
    holder's e-mail. Called by whatever may complete a requirement; returns None when
    nothing was issued (not met yet, or already issued)."""
    now = now or utcnow()
    enrolment = db.session.scalar(
        select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.program_id == program_id)
    )
    if enrolment is None or current(enrolment.id) is not None:
        return None
    statuses = requirements(enrolment, now)
    if not req.all_met(statuses):
        return None
    program = enrolment.program
    d = program.definition
    review = d["issuance"] == "review"
    release = content.latest_release()
    assert release is not None
    cert = Certificate(
        user_id=user.id,
        enrolment_id=enrolment.id,
        program_id=program.id,
        jurisdiction=program.jurisdiction,
        cycle=1,
        status="review" if review else "active",
        earned_at=req.earned_at(statuses) or now,
        holder_name=user.legal_name,
        credential_name=d["credential"],
        issuing_authority=d["issuing_authority"],
        release_id=release.id,
        evidence=_evidence(enrolment, statuses),
        updated_at=now,
    )
    try:
        # add inside the savepoint: begin_nested() flushes what is pending first
        with db.session.begin_nested():
            db.session.add(cert)
            db.session.flush()
    except IntegrityError:
        return None  # another request issued it at the same instant
    audit.record("certificate.earned", actor=user, subject=cert, program=program.id, review=review)
    if review:
        outbox.queue_mail(
            user.email,
            f"{d['credential']}: requirements met",
            f"Hello {user.display_name},\n\nYou have met every requirement of "
            f"{d['title']}. The issuing authority reviews your record before issuing the "
            "certificate; we will write again when it is issued.\n",
            kind="certificate_review",
        )
        return cert
    _finalise(cert, now)
    return cert


def approve_review(admin: User, certificate_id: int, now: datetime) -> Certificate:
    cert = db.session.get(Certificate, certificate_id)
    if cert is None:
        raise NotFound(certificate_id)
    if cert.status != "review":
        raise RuleError(None, "This certificate is not waiting for review.")
    _finalise(cert, now)
    audit.record("certificate.review_approved", actor=admin, subject=cert)
    return cert


def _evidence(enrolment: Enrolment, statuses: list[req.Status]) -> dict[str, Any]:
    """What the board sees behind a certificate: never descriptions of the work."""
    d = enrolment.program.definition
    exam = db.session.execute(
        select(ExamAttempt.finished_at, ExamAttempt.percent)
        .where(
            ExamAttempt.user_id == enrolment.user_id,
            ExamAttempt.program_id == enrolment.program_id,
            ExamAttempt.passed.is_(True),
        )
        .order_by(ExamAttempt.finished_at)
        .limit(1)
    ).first()
    rows = db.session.execute(
        select(HourEntry.category, HourEntry.kind, func.sum(HourEntry.minutes))
        .where(HourEntry.enrolment_id == enrolment.id, HourEntry.status == "approved")
        .group_by(HourEntry.category, HourEntry.kind)
    ).all()
    supervisors = (
        db.session.execute(
            select(User.legal_name)
            .join(HourEntry, HourEntry.supervisor_id == User.id)
            .where(HourEntry.enrolment_id == enrolment.id, HourEntry.status == "approved")
            .distinct()
        )
        .scalars()
        .all()
    )
    hours_by_cat: dict[str, float] = {}
    supervision = 0.0
    for cat, kind, minutes in rows:
        hours_by_cat[cat] = hours_by_cat.get(cat, 0) + (minutes or 0) / 60
        if kind == "supervision":
            supervision += (minutes or 0) / 60
    return {
        "modules": [
            s.label.removeprefix("Module: ") for s in statuses if s.key.startswith("module:")
        ],
        "exam": {"passed_at": exam.finished_at.isoformat() if exam else None, "result": "passed"},
        "hours_by_category": {k: round(v, 2) for k, v in sorted(hours_by_cat.items())},
        "supervision_hours": round(supervision, 2),
        "supervisors": sorted(supervisors),
        "attestations": [a["id"] for a in d["attestations"]],
        "documents": [x["id"] for x in d["documents"]],
        "requirements": [
            {"key": s.key, "label": s.label, "met_at": s.met_at.isoformat() if s.met_at else None}
            for s in statuses
        ],
    }


def verify_url(number: str) -> str:
    """The public verification address (also what the QR code holds); works outside requests."""
    return f"{_base()}/verify/{number}"


def _facts(cert: Certificate) -> vc.CertificateFacts:
    program = db.session.get(Program, cert.program_id)
    assert program is not None and cert.number and cert.issued_at and cert.expires_at
    d = program.definition
    return vc.CertificateFacts(
        number=cert.number,
        holder_name=cert.holder_name,
        credential_name=cert.credential_name,
        abbreviation=d["abbreviation"],
        program_title=d["title"],
        issuing_authority=cert.issuing_authority,
        jurisdiction=d["jurisdiction_name"],
        issued_at=cert.issued_at,
        expires_at=cert.expires_at,
        verify_url=verify_url(cert.number),
        issuer_url=_base() + "/.well-known/trainer-issuer.json",
        key_url=key_url(),
    )


def _finalise(cert: Certificate, now: datetime, expires_at: datetime | None = None) -> None:
    """Number, dates, signed credential and the PDF: done once, stored, never redone."""
    from trainer.services import certificate_pdf

    program = db.session.get(Program, cert.program_id)
    assert program is not None
    d = program.definition
    cert.issued_at = now
    cert.expires_at = expires_at or add_months(now, d["validity_months"])
    cert.number = format_number(d["number_prefix"], now.year, cert.id)
    facts = _facts(cert)
    signed = vc.sign(vc.build(facts), signing_key(), key_url(), now)
    cert.credential_json = json.dumps(signed, indent=2, ensure_ascii=False)
    cert.pdf = certificate_pdf.render(facts, cert.credential_json)
    cert.pdf_sha256 = hashlib.sha256(cert.pdf).hexdigest()
    cert.status = "active"
    cert.updated_at = now
    db.session.flush()
    audit.record("certificate.issued", subject=cert, number=cert.number, sha256=cert.pdf_sha256)
    user = db.session.get(User, cert.user_id)
    assert user is not None
    outbox.queue_mail(
        user.email,
        f"Your certificate: {cert.credential_name}",
        f"Hello {user.display_name},\n\nCongratulations: your certificate "
        f"{cert.number} is issued. Download it from your program page. Anyone can check "
        f"it at {facts.verify_url}\n",
        kind="certificate_issued",
    )


# -- reading, revoking ---------------------------------------------------------------------


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
    issuing_authority: str
    jurisdiction: str
    issued_on: str
    expires_on: str
    status: str  # active | expired | revoked | superseded
    revoked_on: str | None

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def public(number: str, now: datetime) -> PublicCertificate:
    cert = by_number(number)
    if cert is None or cert.status == "review" or cert.number is None:
        raise NotFound(number)
    program = db.session.get(Program, cert.program_id)
    assert program is not None and cert.issued_at and cert.expires_at
    return PublicCertificate(
        cert.number,
        cert.holder_name,
        cert.credential_name,
        program.title,
        cert.issuing_authority,
        program.definition["jurisdiction_name"],
        cert.issued_at.date().isoformat(),
        cert.expires_at.date().isoformat(),
        cert.public_status(now),
        cert.revoked_at.date().isoformat() if cert.revoked_at else None,
    )


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
    if cert.status == "revoked":
        raise RuleError(None, f"Certificate {cert.number} is already revoked.")
    if cert.status == "superseded":
        raise RuleError(
            None,
            f"Certificate {cert.number} was superseded by a renewal; revoke "
            "the current certificate instead.",
        )
    if cert.status != "active":
        raise RuleError(None, "Only an issued certificate can be revoked.")
    cert.status, cert.revoked_at, cert.revoke_reason = "revoked", now, reason.strip()
    cert.revoked_by_id = actor.id if actor else None
    cert.updated_at = now
    db.session.flush()
    audit.record(
        "certificate.revoked", actor=actor, subject=cert, number=cert.number, reason=reason.strip()
    )
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


# -- renewal ------------------------------------------------------------------------------


def log_ce(
    holder: User,
    certificate_id: int,
    completed_on: Any,
    hours: float,
    topic: str | None,
    title: str,
) -> Any:
    """The holder records continuing education toward renewing a certificate."""
    from trainer.models import CEEntry

    cert = for_holder(holder, certificate_id)
    if cert.status != "active" or cert.issued_at is None or cert.expires_at is None:
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
    if not cert.issued_at.date() <= completed_on <= min(utcnow().date(), cert.expires_at.date()):
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
            select(CEEntry).where(CEEntry.status == "pending").order_by(CEEntry.created_at)
        )
    )


def renewal_status(cert: Certificate, now: datetime) -> list[req.Status]:
    program = db.session.get(Program, cert.program_id)
    assert program is not None and cert.issued_at and cert.expires_at
    d = program.definition
    facts = [
        req.CEFact(
            e.decided_at,
            datetime.combine(e.completed_on, datetime.min.time(), tzinfo=cert.issued_at.tzinfo),
            e.hours,
            e.topic,
        )
        for e in ce_entries(cert.id)
        if e.status == "approved" and e.decided_at
    ]
    return req.evaluate_renewal(
        d["renewal_ce_hours"],
        d["renewal_topics"],
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
    if entry.status != "pending":
        raise RuleError(None, "This entry was already decided.")
    entry.status = "approved" if approve else "rejected"
    entry.decided_by_id, entry.decided_at = admin.id, now
    db.session.flush()
    audit.record(f"certificate.ce_{entry.status}", actor=admin, subject=entry)
    if approve:
        renew(db.session.get(Certificate, entry.certificate_id), now)
    return entry


def renew(cert: Certificate | None, now: datetime) -> Certificate | None:
    """When the cycle's continuing education is complete, issue the next certificate (its
    validity runs on from the old expiry) and mark the old one superseded. Exactly once."""
    if cert is None or cert.status != "active" or cert.expires_at is None:
        return None
    program = db.session.get(Program, cert.program_id)
    assert program is not None
    if not program.definition["renewal_ce_hours"] or not req.all_met(renewal_status(cert, now)):
        return None
    user = db.session.get(User, cert.user_id)
    assert user is not None
    new = Certificate(
        user_id=cert.user_id,
        enrolment_id=cert.enrolment_id,
        program_id=cert.program_id,
        jurisdiction=cert.jurisdiction,
        cycle=cert.cycle + 1,
        status="active",
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
    validity = program.definition["validity_months"]
    _finalise(new, now, expires_at=add_months(max(cert.expires_at, now), validity))
    cert.status, cert.superseded_by_id, cert.updated_at = "superseded", new.id, now
    db.session.flush()
    audit.record("certificate.renewed", subject=cert, renewed_by=new.number)
    return new


@dataclass(frozen=True)
class Dashboard:
    """What the trainee's program page shows about earning and keeping the credential."""

    statuses: list[req.Status]
    documents: list[Any]
    certificate: Certificate | None
    renewal: list[req.Status] | None  # while a certificate is active
    ce: list[Any]
    topics: dict[str, str]


def dashboard(
    enrolment: Enrolment, next_exam_at: datetime | None, exam_reason: str, now: datetime
) -> Dashboard:
    """Every requirement with what is missing in plain words (dates in the trainee's zone)."""
    from zoneinfo import ZoneInfo

    from trainer.services import evidence

    note = exam_reason
    if next_exam_at is not None:
        local = next_exam_at.astimezone(ZoneInfo(enrolment.user.timezone or "UTC"))
        note = f"Pass the certification exam: next attempt allowed on {local:%-d %B %Y}."
    cert = current(enrolment.id)
    active = cert is not None and cert.status == "active"
    return Dashboard(
        statuses=requirements(enrolment, now, note),
        documents=evidence.documents(enrolment.user, enrolment.program_id),
        certificate=cert,
        renewal=renewal_status(cert, now) if active and cert is not None else None,
        ce=ce_entries(cert.id) if cert is not None else [],
        topics=content.labels("topics"),
    )
