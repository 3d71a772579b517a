"""Issuing: exactly one certificate per earned credential, its number, dates, signed
credential and PDF made once and stored, the holder told through the outbox.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from trainer.domain import credential as vc
from trainer.domain import requirements as req
from trainer.domain import sessions as session_rules
from trainer.domain.certnumbers import add_months, format_number
from trainer.domain.content.model import Cadence, EvaluationSpec
from trainer.domain.errors import NotFound, RuleError
from trainer.domain.statuses import CertificateEventKind, CertificateStatus, EntryKind, EntryStatus
from trainer.extensions import db
from trainer.models import (
    Certificate,
    CompetencyEvaluation,
    Enrolment,
    ExamAttempt,
    HourEntry,
    Program,
    SectionTime,
    SupervisionSession,
    SupervisorQualification,
    User,
)
from trainer.services import audit, certificate_pdf, outbox
from trainer.services import release as releases
from trainer.services.certificates import events, status_list
from trainer.services.certificates.keys import base_url, issuer, key_url, signing_key
from trainer.services.certificates.record import requirements


def current(enrolment_id: int) -> Certificate | None:
    return db.session.scalar(
        select(Certificate)
        .where(Certificate.enrolment_id == enrolment_id)
        .order_by(Certificate.cycle.desc())
        .limit(1)
    )


def issue_if_met(user: User, program_id: str, now: datetime) -> Certificate | None:
    """Issue the certificate (or queue it for the authority's review) if every requirement
    is now met: writes the certificate, its PDF and signed credential, audit events and the
    holder's e-mail. Called by whatever may complete a requirement; returns None when
    nothing was issued (not met yet, or already issued)."""
    enrolment = db.session.scalar(
        select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.program_id == program_id)
    )
    if enrolment is None:
        return None
    statuses = requirements(enrolment, now, fresh=True)  # stores the progress it judged
    if current(enrolment.id) is not None:
        return None
    if not req.all_met(statuses):
        return None
    program = enrolment.program
    d = program.spec
    review = d.issuance == "review"
    cert = Certificate(
        user_id=user.id,
        enrolment_id=enrolment.id,
        program_id=program.id,
        jurisdiction=program.jurisdiction,
        cycle=1,
        status=CertificateStatus.REVIEW if review else CertificateStatus.ACTIVE,
        earned_at=req.earned_at(statuses) or now,
        holder_name=user.legal_name,
        credential_name=d.credential,
        issuing_authority=d.issuing_authority,
        release_id=releases.get().id,
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
            f"{d.credential}: requirements met",
            f"Hello {user.display_name},\n\nYou have met every requirement of "
            f"{d.title}. The issuing authority reviews your record before issuing the "
            "certificate; we will write again when it is issued. Your program page shows "
            f"where it stands:\n{program_page(program.id)}\n",
            kind="certificate_review",
        )
        return cert
    finalise(cert, now)
    return cert


def approve_review(admin: User, certificate_id: int, now: datetime) -> Certificate:
    cert = db.session.get(Certificate, certificate_id)
    if cert is None:
        raise NotFound(certificate_id)
    if cert.status != CertificateStatus.REVIEW:
        raise RuleError(None, "This certificate is not waiting for review.")
    finalise(cert, now)
    audit.record("certificate.review_approved", actor=admin, subject=cert)
    return cert


def _evidence(enrolment: Enrolment, statuses: list[req.Status]) -> dict[str, Any]:
    """What the board sees behind a certificate: never descriptions of the work."""
    d = enrolment.program.spec
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
        .where(HourEntry.enrolment_id == enrolment.id, HourEntry.status == EntryStatus.APPROVED)
        .group_by(HourEntry.category, HourEntry.kind)
    ).all()
    supervisors = (
        db.session.execute(
            select(User.legal_name)
            .join(HourEntry, HourEntry.supervisor_id == User.id)
            .where(HourEntry.enrolment_id == enrolment.id, HourEntry.status == EntryStatus.APPROVED)
            .distinct()
        )
        .scalars()
        .all()
    )
    hours_by_cat: dict[str, float] = {}
    supervision = 0.0
    for cat, kind, minutes in rows:
        hours_by_cat[cat] = hours_by_cat.get(cat, 0) + (minutes or 0) / 60
        if kind == EntryKind.SUPERVISION:
            supervision += (minutes or 0) / 60
    return {
        "modules": [
            s.label.removeprefix("Module: ") for s in statuses if s.key.startswith("module:")
        ],
        "reading": _reading(enrolment.user_id, d.modules),
        "exam": {"passed_at": exam.finished_at.isoformat() if exam else None, "result": "passed"},
        "hours_by_category": {k: round(v, 2) for k, v in sorted(hours_by_cat.items())},
        "supervision_hours": round(supervision, 2),
        "supervisors": sorted(supervisors),
        "supervisor_qualifications": _qualifications(enrolment.id),
        "supervision_sessions": _sessions(enrolment, d.supervision_cadence),
        "evaluations": _evaluations(enrolment, d.evaluations),
        "attestations": [a.id for a in d.attestations],
        "documents": [x.id for x in d.documents],
        "requirements": [
            {"key": s.key, "label": s.label, "met_at": s.met_at.isoformat() if s.met_at else None}
            for s in statuses
        ],
    }


def _evaluations(enrolment: Enrolment, spec: EvaluationSpec | None) -> list[dict[str, Any]]:
    """Each signed competency evaluation: form, date, supervisor, lowest level, whether the
    trainee acknowledged it (the ratings stay with the evaluation's own PDF)."""
    titles = {f.id: f.title for f in spec.forms} if spec else {}
    rows = db.session.execute(
        select(
            CompetencyEvaluation.form_id,
            CompetencyEvaluation.signed_at,
            CompetencyEvaluation.signed_name,
            CompetencyEvaluation.lowest_level,
            CompetencyEvaluation.acknowledged_at,
        )
        .where(CompetencyEvaluation.enrolment_id == enrolment.id)
        .order_by(CompetencyEvaluation.signed_at)
    ).all()
    return [
        {
            "form": form_id,
            "title": titles.get(form_id, form_id),
            "signed_on": signed_at.date().isoformat(),
            "supervisor": name,
            "lowest_level": lowest,
            "acknowledged": acknowledged is not None,
        }
        for form_id, signed_at, name, lowest, acknowledged in rows
    ]


def _sessions(enrolment: Enrolment, cadence: Cadence | None) -> dict[str, Any]:
    """Confirmed supervision sessions: how many, their hours, and the program's cadence
    rule month by month (never their notes)."""
    rows = db.session.execute(
        select(
            SupervisionSession.held_on, SupervisionSession.minutes, SupervisionSession.mode
        ).where(
            SupervisionSession.enrolment_id == enrolment.id,
            SupervisionSession.confirmed_at.is_not(None),
        )
    ).all()
    held = [session_rules.Held(*row) for row in rows]
    months = []
    if cadence is not None and held:
        last = max(h.held_on for h in held)
        for m in session_rules.months(cadence, held, min(h.held_on for h in held), last):
            months.append(
                {"month": m.first_day.strftime("%Y-%m"), "met": m.met, "detail": m.detail}
            )
    return {
        "confirmed": len(held),
        "hours": round(sum(h.minutes for h in held) / 60, 2),
        "cadence": months,
    }


def _qualifications(enrolment_id: int) -> list[dict[str, Any]]:
    """The credential each approving supervisor held when signing off (as verified then),
    once per supervisor and credential."""
    labels = releases.get().labels("credentials")
    rows = db.session.execute(
        select(
            User.legal_name,
            SupervisorQualification.credential,
            SupervisorQualification.number,
            SupervisorQualification.issuer,
            SupervisorQualification.issued_on,
        )
        .join(HourEntry, HourEntry.qualification_id == SupervisorQualification.id)
        .join(User, User.id == SupervisorQualification.user_id)
        .where(HourEntry.enrolment_id == enrolment_id, HourEntry.status == EntryStatus.APPROVED)
        .distinct()
        .order_by(User.legal_name, SupervisorQualification.issued_on)
    ).all()
    return [
        {
            "supervisor": name,
            "credential": credential,
            "credential_label": labels.get(credential, credential),
            "number": number,
            "issuer": issuer,
            "issued_on": issued_on.isoformat(),
        }
        for name, credential, number, issuer, issued_on in rows
    ]


def _reading(user_id: int, module_ids: Sequence[str]) -> list[dict[str, Any]]:
    """Time the person spent reading each of the program's modules (recorded per section
    by the reader, capped per visit), beside the module's estimated reading time."""
    spent = dict(
        db.session.execute(
            select(SectionTime.module_id, func.sum(SectionTime.seconds))
            .where(SectionTime.user_id == user_id, SectionTime.module_id.in_(module_ids))
            .group_by(SectionTime.module_id)
        ).all()
    )
    modules = releases.get().modules
    return [
        {
            "module": mid,
            "title": modules[mid].title,
            "minutes": round((spent.get(mid) or 0) / 60),
            "estimated_minutes": int(modules[mid].meta.get("reading_minutes", 0)),
        }
        for mid in module_ids
        if mid in modules
    ]


def verify_url(number: str) -> str:
    """The public verification address (also what the QR code holds); works outside requests."""
    return f"{base_url()}/verify/{number}"


def certificate_facts(
    cert: Certificate, holder_email: str | None = None, status: vc.StatusEntry | None = None
) -> vc.CertificateFacts:
    """What the credential and PDF state. ``holder_email`` adds the holder's salted identity
    hash (a fresh salt each call); ``status`` the credential's revocation list entry."""
    program = db.session.get(Program, cert.program_id)
    assert program is not None and cert.number and cert.issued_at and cert.expires_at
    d = program.spec
    salt = secrets.token_hex(8) if holder_email else None
    return vc.CertificateFacts(
        number=cert.number,
        holder_name=cert.holder_name,
        credential_name=cert.credential_name,
        abbreviation=d.abbreviation,
        program_id=program.id,
        program_title=d.title,
        issuing_authority=cert.issuing_authority,
        jurisdiction=d.jurisdiction_name,
        issued_at=cert.issued_at,
        expires_at=cert.expires_at,
        verify_url=verify_url(cert.number),
        issuer=issuer(),
        holder_identity=vc.identity_hash(holder_email, salt) if holder_email and salt else None,
        identity_salt=salt,
        status=status,
    )


def finalise(cert: Certificate, now: datetime, expires_at: datetime | None = None) -> None:
    """Number, dates, signed credential and the PDF: done once, stored, never redone."""
    program = db.session.get(Program, cert.program_id)
    user = db.session.get(User, cert.user_id)
    assert program is not None and user is not None
    d = program.spec
    cert.issued_at = now
    cert.expires_at = expires_at or add_months(now, d.validity_months)
    cert.number = format_number(d.number_prefix, now.year, cert.id)
    facts = certificate_facts(cert, user.email, status_list.assign_index(cert))
    cert.issuer_name = facts.issuer.name
    signed = vc.sign(vc.build(facts), signing_key(), key_url(), now)
    cert.credential_json = json.dumps(signed, indent=2, ensure_ascii=False)
    cert.pdf = certificate_pdf.render(
        facts, cert.credential_json, certificate_pdf.requirement_kinds(d)
    )
    cert.pdf_sha256 = hashlib.sha256(cert.pdf).hexdigest()
    cert.status = CertificateStatus.ACTIVE
    cert.updated_at = now
    db.session.flush()
    audit.record("certificate.issued", subject=cert, number=cert.number, sha256=cert.pdf_sha256)
    events.record(
        cert,
        CertificateEventKind.ISSUED,
        now,
        expires_on=cert.expires_at.date().isoformat(),
        renewal_of=cert.evidence.get("renewal_of"),
    )
    outbox.queue_mail(
        user.email,
        f"Your certificate: {cert.credential_name}",
        f"Hello {user.display_name},\n\nCongratulations: your certificate "
        f"{cert.number} is issued.\n\n"
        f"Download it (PDF) from your program page:\n{program_page(cert.program_id)}\n\n"
        f"Anyone can check it on its public verification page:\n{facts.verify_url}\n",
        kind="certificate_issued",
    )


def program_page(program_id: str) -> str:
    """The absolute address of the holder's program page, at the part that offers the
    certificate for download (for e-mail: works outside requests)."""
    return outbox.link("learn.program", program_id=program_id) + "#requirements"
