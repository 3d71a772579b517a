"""A person's own data, downloaded whole: one ZIP with ``data.json`` and the files.

Everything the system holds about the person as its subject, as stored: profile and
roles, enrolments, reading progress, quiz, exam and practice attempts (their own answers
once scored, never an item's key or text, which stay secure), hours, supervision links and
sessions, evaluations (with their PDFs), uploaded documents and credentials (with the
files), signed statements, certificates (PDF and signed credential), continuing education,
API tokens (names and dates), and the audit events they caused. Secrets are left out
(password hash, session token, token hashes). Chosen: what a supervisor recorded about
their trainees is the trainees' data (in each trainee's export), not the supervisor's: a
supervisor's export holds their own credentials and actions. The download is audited.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, select

from trainer.extensions import db
from trainer.models import (
    Accommodation,
    ApiToken,
    AttestationSignature,
    AuditEvent,
    Base,
    CEEntry,
    Certificate,
    CompetencyEvaluation,
    DocumentUpload,
    Enrolment,
    ExamAttempt,
    ExamItem,
    HourEntry,
    ModulePlace,
    QuizAttempt,
    SectionRead,
    SectionTime,
    SupervisionLink,
    SupervisionSession,
    SupervisorQualification,
    User,
)
from trainer.models.assessment import PracticeAttempt, PracticeItem
from trainer.models.two_factor import RecoveryCode, SignInSession, TwoFactor
from trainer.services import audit, evaluations, evidence, storage

#: never exported, whoever asks
SECRET = {
    "password_hash",
    "session_token",
    "token_sha256",
    "token_hash",
    "secret_encrypted",
    "code_hash",
    "key_hash",
    "last_step",
}
#: the secure item bank: what a form showed and which option is right are not the person's
ITEM_BANK = {"option_order", "form", "seed"}
FORMAT = "trainer-my-data/1"


@dataclass(frozen=True)
class Export:
    filename: str
    data: bytes
    sha256: str


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _dump(row: Base, skip: Iterable[str] = ()) -> dict[str, Any]:
    """A stored row as JSON: every column but the secrets, files and ``skip``."""
    leave = SECRET | set(skip)
    out = {}
    for column in row.__table__.columns:
        if column.key in leave or isinstance(getattr(row, column.key, None), bytes):
            continue
        out[column.key] = _plain(getattr(row, column.key))
    return out


def _rows(model: type[Base], where: ColumnElement[bool]) -> list[Any]:
    table: Any = model.__table__  # Base declares no __table__ of its own
    order = table.primary_key.columns.values()
    return list(db.session.scalars(select(model).where(where).order_by(*order)))


def _attempts(user: User) -> dict[str, Any]:
    exams = _rows(ExamAttempt, ExamAttempt.user_id == user.id)
    answered = [a.id for a in exams if a.finished_at is not None]
    items = _rows(ExamItem, ExamItem.attempt_id.in_(answered)) if answered else []
    by_attempt: dict[int, list[dict[str, Any]]] = {}
    for item in items:
        by_attempt.setdefault(item.attempt_id, []).append(_dump(item, ITEM_BANK))
    practice = _rows(PracticeAttempt, PracticeAttempt.user_id == user.id)
    practice_ids = [p.id for p in practice] or [-1]
    practice_items = _rows(PracticeItem, PracticeItem.attempt_id.in_(practice_ids))
    practice_by: dict[int, list[dict[str, Any]]] = {}
    for p_item in practice_items:
        practice_by.setdefault(p_item.attempt_id, []).append(_dump(p_item, ITEM_BANK))
    return {
        "quiz_attempts": [
            _dump(q, ITEM_BANK if q.submitted_at else ITEM_BANK | {"responses"})
            for q in _rows(QuizAttempt, QuizAttempt.user_id == user.id)
        ],
        "exam_attempts": [
            {**_dump(a, ITEM_BANK), "answers": by_attempt.get(a.id, [])} for a in exams
        ],
        "practice_attempts": [
            {**_dump(p, ITEM_BANK), "answers": practice_by.get(p.id, [])} for p in practice
        ],
        "accommodations": [
            _dump(r) for r in _rows(Accommodation, Accommodation.user_id == user.id)
        ],
    }


def _learning(user: User) -> dict[str, Any]:
    enrolments = _rows(Enrolment, Enrolment.user_id == user.id)
    ids = [e.id for e in enrolments] or [-1]
    return {
        "enrolments": [_dump(e) for e in enrolments],
        "sections_read": [_dump(r) for r in _rows(SectionRead, SectionRead.user_id == user.id)],
        "section_times": [_dump(r) for r in _rows(SectionTime, SectionTime.user_id == user.id)],
        "module_places": [_dump(r) for r in _rows(ModulePlace, ModulePlace.user_id == user.id)],
        "hour_entries": [_dump(r) for r in _rows(HourEntry, HourEntry.trainee_id == user.id)],
        "supervision_links": [
            _dump(r) for r in _rows(SupervisionLink, SupervisionLink.enrolment_id.in_(ids))
        ],
        "supervision_sessions": [
            _dump(r) for r in _rows(SupervisionSession, SupervisionSession.trainee_id == user.id)
        ],
        "attestations": [
            _dump(r) for r in _rows(AttestationSignature, AttestationSignature.user_id == user.id)
        ],
        "continuing_education": [_dump(r) for r in _rows(CEEntry, CEEntry.user_id == user.id)],
    }


def _files(user: User, archive: zipfile.ZipFile) -> dict[str, Any]:
    """The rows that have files, each with the name of its file in the archive."""
    out: dict[str, list[dict[str, Any]]] = {
        "documents": [],
        "supervisor_credentials": [],
        "evaluations": [],
        "certificates": [],
    }
    docs = _rows(DocumentUpload, DocumentUpload.user_id == user.id)
    creds = _rows(SupervisorQualification, SupervisorQualification.user_id == user.id)
    files = storage.get_many([r.stored_name for r in [*docs, *creds]])  # one statement
    for doc in docs:
        name = f"files/documents/{doc.id}-{evidence.normal_name(doc.original_name)}"
        archive.writestr(name, files[doc.stored_name])
        out["documents"].append({**_dump(doc, {"stored_name"}), "file": name})
    for q in creds:
        name = f"files/credentials/{q.id}-{evidence.normal_name(q.original_name)}"
        archive.writestr(name, files[q.stored_name])
        out["supervisor_credentials"].append({**_dump(q, {"stored_name"}), "file": name})
    for ev in _rows(CompetencyEvaluation, CompetencyEvaluation.trainee_id == user.id):
        name = f"files/evaluations/evaluation-{ev.id}.pdf"
        archive.writestr(name, evaluations.render_pdf(ev))
        out["evaluations"].append({**_dump(ev), "file": name})
    for cert in _rows(Certificate, Certificate.user_id == user.id):
        row = _dump(cert, {"credential_json"})
        if cert.pdf is not None and cert.number:
            row["file"] = f"files/certificates/{cert.number}.pdf"
            archive.writestr(row["file"], cert.pdf)
        if cert.credential_json and cert.number:
            row["credential"] = f"files/certificates/{cert.number}.credential.json"
            archive.writestr(row["credential"], cert.credential_json)
        out["certificates"].append(row)
    return out


def _activity(user: User) -> list[dict[str, Any]]:
    return [
        _dump(e, {"prev_hash", "hash", "seq"})
        for e in _rows(AuditEvent, AuditEvent.actor_id == user.id)
    ]


def export(user: User, now: datetime) -> Export:
    """Everything held about ``user`` as a ZIP (built in memory: one person's files are a
    few megabytes), with the download written to the audit log."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        data = {
            "format": FORMAT,
            "exported_at": now.isoformat(),
            "profile": {**_dump(user), "roles": sorted(user.roles)},
            **_learning(user),
            **_attempts(user),
            **_files(user, archive),
            "api_tokens": [_dump(t) for t in _rows(ApiToken, ApiToken.user_id == user.id)],
            "two_factor": [_dump(t) for t in _rows(TwoFactor, TwoFactor.user_id == user.id)],
            "recovery_codes": [
                _dump(c) for c in _rows(RecoveryCode, RecoveryCode.user_id == user.id)
            ],
            "signed_in_devices": [
                _dump(d) for d in _rows(SignInSession, SignInSession.user_id == user.id)
            ],
            "activity": _activity(user),
        }
        archive.writestr("data.json", json.dumps(data, indent=2, ensure_ascii=False))
        archive.writestr("README.txt", _README)
    blob = buffer.getvalue()
    digest = hashlib.sha256(blob).hexdigest()
    audit.record("account.data_exported", actor=user, subject=user, bytes=len(blob), sha256=digest)
    return Export(f"my-data-{now:%Y-%m-%d}.zip", blob, digest)


_README = """What this archive holds

data.json    everything this certification system holds about you, as stored: your profile
             and roles, enrolments, reading progress, quiz, exam and practice attempts
             (your answers, once scored; the questions and their keys stay with the
             item bank), supervised hours, supervision links and sessions, competency
             evaluations, uploaded documents, signed statements, certificates, continuing
             education, API tokens (names and dates only) and the actions you took.
files/       the files those records refer to: your uploaded documents and credentials,
             evaluation reports, and each certificate's PDF and signed credential.

Dates and times are in UTC (ISO 8601).
"""
