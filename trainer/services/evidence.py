"""Signed statements and uploaded documents: evidence the requirements engine reads."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from trainer.domain.errors import NotAllowed, NotFound, RuleError
from trainer.domain.statuses import ReviewStatus
from trainer.extensions import db
from trainer.models import AttestationSignature, DocumentUpload, Enrolment, Program, User
from trainer.services import audit, certificates, storage

MAX_UPLOAD = 5 * 1024 * 1024
#: Allowed files, recognised by their first bytes, never by their name.
SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}
#: The extension a stored file is downloaded with (the uploader's file name is never used).
EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}


def _program_for(user: User, program_id: str) -> Program:
    enrolled = db.session.scalar(
        select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.program_id == program_id)
    )
    if enrolled is None:
        raise NotFound(program_id)
    return enrolled.program


def normal_name(name: str) -> str:
    """A typed or legal name compared as people mean it: spacing and case do not count."""
    return " ".join(name.split()).casefold()


def sign(user: User, program_id: str, attestation_id: str, typed_name: str, now: datetime) -> None:
    """Sign a program's statement by typing one's legal name exactly."""
    program = _program_for(user, program_id)
    texts = {a.id: a.text for a in program.spec.attestations}
    if attestation_id not in texts:
        raise NotFound(attestation_id)
    if normal_name(typed_name) != normal_name(user.legal_name):
        raise RuleError(
            "typed_name",
            f"Type your legal name exactly as in your profile ({user.legal_name}) to sign.",
        )
    row = AttestationSignature(
        user_id=user.id,
        program_id=program_id,
        attestation_id=attestation_id,
        text_sha256=hashlib.sha256(texts[attestation_id].encode()).hexdigest(),
        typed_name=typed_name.strip(),
        signed_at=now,
        remote_addr=audit.origin(),
    )
    try:
        # add inside the savepoint: begin_nested() flushes what is pending first
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        raise RuleError(None, "You have already signed this statement.") from None
    audit.record(
        "evidence.attestation_signed",
        actor=user,
        subject=row,
        program=program_id,
        attestation=attestation_id,
        text_sha256=row.text_sha256,
    )
    certificates.issue_if_met(user, program_id, now)


def signatures(user: User, program_id: str) -> dict[str, AttestationSignature]:
    return {
        s.attestation_id: s
        for s in db.session.scalars(
            select(AttestationSignature).where(
                AttestationSignature.user_id == user.id,
                AttestationSignature.program_id == program_id,
            )
        )
    }


def content_type_of(data: bytes) -> str | None:
    """The type of an allowed file, recognised by its first bytes (None: not allowed)."""
    return next((t for sig, t in SIGNATURES.items() if data.startswith(sig)), None)


def store_file(data: bytes) -> tuple[str, str]:
    """Keep an uploaded PDF, PNG or JPEG (checked by content, 5 MB at most) in the shared
    storage (services.storage: the database or an object store, never one server's disk);
    returns its stored name and content type. RuleError on the ``file`` field."""
    if not data:
        raise RuleError("file", "Choose a file to upload.")
    if len(data) > MAX_UPLOAD:
        raise RuleError("file", "The file is larger than 5 MB.")
    kind = content_type_of(data)
    if kind is None:
        raise RuleError("file", "Upload a PDF, PNG or JPEG file.")
    try:
        stored = storage.put(data, kind)
    except storage.StorageError:
        current_app.logger.exception("could not store an upload")
        raise RuleError(
            "file",
            "The file could not be stored just now, so nothing was saved. Please try again "
            "later; if it keeps happening, tell the program's administrator.",
        ) from None
    return stored, kind


def upload(
    user: User, program_id: str, requirement_id: str, filename: str, data: bytes, now: datetime
) -> DocumentUpload:
    """Store a PDF, PNG or JPEG (checked by content) for a document requirement."""
    program = _program_for(user, program_id)
    if requirement_id not in {d.id for d in program.spec.documents}:
        raise NotFound(requirement_id)
    stored, kind = store_file(data)
    row = DocumentUpload(
        user_id=user.id,
        program_id=program_id,
        requirement_id=requirement_id,
        stored_name=stored,
        original_name=Path(filename or "document").name[:200],
        content_type=kind,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_at=now,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        "evidence.document_uploaded",
        actor=user,
        subject=row,
        requirement=requirement_id,
        sha256=row.sha256,
    )
    return row


def documents(user: User, program_id: str) -> list[DocumentUpload]:
    return list(
        db.session.scalars(
            select(DocumentUpload)
            .where(DocumentUpload.user_id == user.id, DocumentUpload.program_id == program_id)
            .order_by(DocumentUpload.uploaded_at)
        )
    )


def document_for(viewer: User, document_id: int) -> tuple[DocumentUpload, bytes]:
    """The file, for its owner or a reviewer (admin) only."""
    row = db.session.get(DocumentUpload, document_id)
    if row is None:
        raise NotFound(document_id)
    if row.user_id != viewer.id and not viewer.has_role("admin"):
        raise NotAllowed(document_id)
    return row, storage.get(row.stored_name)


def pending_documents() -> list[DocumentUpload]:
    return list(
        db.session.scalars(
            select(DocumentUpload)
            .where(DocumentUpload.status == ReviewStatus.PENDING)
            .order_by(DocumentUpload.uploaded_at)
        )
    )


def decide_document(
    admin: User, document_id: int, approve: bool, reason: str, now: datetime
) -> DocumentUpload:
    row = db.session.get(DocumentUpload, document_id)
    if row is None:
        raise NotFound(document_id)
    if row.status != ReviewStatus.PENDING:
        raise RuleError(None, "This document was already decided.")
    if not approve and not reason.strip():
        raise RuleError("reason", "Give the reason for rejecting the document.")
    row.status = ReviewStatus.APPROVED if approve else ReviewStatus.REJECTED
    row.decided_by_id, row.decided_at = admin.id, now
    row.reason = reason.strip() or None
    db.session.flush()
    audit.record(f"evidence.document_{row.status}", actor=admin, subject=row, reason=row.reason)
    if approve:  # (a rejection leaves the approved documents, and so progress, as they were)
        certificates.issue_if_met(row.user, row.program_id, now)
    return row
