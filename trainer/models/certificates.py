"""Certificates and the evidence only they need: signed statements, documents, CE hours."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from trainer.clock import utcnow
from trainer.domain.registry import public_status
from trainer.domain.statuses import CertificateStatus, ReminderStage, ReviewStatus, one_of
from trainer.models.accounts import User
from trainer.models.base import Base, JSONType, UTCDateTime


class Certificate(Base):
    """Issued exactly once per earned credential: one row per (enrolment, cycle).

    Cycle 1 is the first certificate; each renewal is the next cycle and supersedes the one
    before. The PDF is rendered once and stored; status changes never touch the document.
    """

    __tablename__ = "certificates"
    __table_args__ = (
        UniqueConstraint("enrolment_id", "cycle"),
        CheckConstraint(one_of("status", CertificateStatus), name="status"),
        # the board registry: every query is one jurisdiction, ordered or ranged by one of these
        Index("ix_certificates_jurisdiction_issued_at", "jurisdiction", "issued_at"),
        Index("ix_certificates_jurisdiction_expires_at", "jurisdiction", "expires_at"),
        Index("ix_certificates_jurisdiction_updated_at", "jurisdiction", "updated_at"),
        Index("ix_certificates_jurisdiction_holder_name", "jurisdiction", "holder_name"),
        # which programs have certificates here (the registry's program filter)
        Index("ix_certificates_program_id_jurisdiction", "program_id", "jurisdiction"),
        # covers the overview's counts (status, expiry, month of issue) without the wide rows
        Index(
            "ix_certificates_jurisdiction_status",
            "jurisdiction",
            "status",
            "expires_at",
            "issued_at",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(40), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"))
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"))
    jurisdiction: Mapped[str] = mapped_column(String(8))
    cycle: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(12))
    earned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    holder_name: Mapped[str] = mapped_column(String(200), index=True)
    credential_name: Mapped[str] = mapped_column(String(200))
    issuing_authority: Mapped[str] = mapped_column(String(200))
    release_id: Mapped[int] = mapped_column(ForeignKey("content_releases.id"))
    evidence: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    credential_json: Mapped[str | None] = mapped_column(Text)
    pdf: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoke_reason: Mapped[str | None] = mapped_column(Text)
    # suspension: temporarily not valid (status suspended); the reason is for the holder and
    # the board, never public; ``suspended_until`` (optional) is when the worker reinstates
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    suspended_until: Mapped[date | None] = mapped_column(Date)
    suspend_reason: Mapped[str | None] = mapped_column(Text)
    suspended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # who signed the credential (this deployment, by configuration); None: signed before the
    # issuer was configurable, when the credential named the issuing authority
    issuer_name: Mapped[str | None] = mapped_column(String(200))
    # its bit in the revocation status list (None: issued before status lists)
    status_index: Mapped[int | None] = mapped_column(Integer, unique=True)

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    def public_status(self, now: datetime) -> str:
        return public_status(self.status, self.expires_at, now)


class StatusList(Base):
    """A published W3C Bitstring Status List credential, signed and kept until a status
    changes (``stale``); the worker then signs it again."""

    __tablename__ = "status_lists"

    purpose: Mapped[str] = mapped_column(String(20), primary_key=True)
    credential_json: Mapped[str] = mapped_column(Text)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime())
    stale: Mapped[bool] = mapped_column(default=False)


class AttestationSignature(Base):
    __tablename__ = "attestation_signatures"
    __table_args__ = (UniqueConstraint("user_id", "program_id", "attestation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"))
    attestation_id: Mapped[str] = mapped_column(String(64))
    text_sha256: Mapped[str] = mapped_column(String(64))
    typed_name: Mapped[str] = mapped_column(String(200))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    remote_addr: Mapped[str | None] = mapped_column(String(64))


class DocumentUpload(Base):
    """A file uploaded for a program requirement; kept outside the web root."""

    __tablename__ = "document_uploads"
    __table_args__ = (CheckConstraint(one_of("status", ReviewStatus), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"))
    requirement_id: Mapped[str] = mapped_column(String(64))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reason: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class CEEntry(Base):
    """Continuing education toward renewing a certificate; an admin approves it."""

    __tablename__ = "ce_entries"
    __table_args__ = (CheckConstraint(one_of("status", ReviewStatus), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    completed_on: Mapped[date] = mapped_column(Date)
    hours: Mapped[float] = mapped_column(Float)
    topic: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RenewalReminder(Base):
    """One reminder per certificate and stage (90, 30 or 7 days before expiry, or the
    expiry notice); the unique constraint is what makes "exactly one" hold."""

    __tablename__ = "renewal_reminders"
    __table_args__ = (
        UniqueConstraint("certificate_id", "stage"),
        CheckConstraint(one_of("stage", ReminderStage), name="stage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"))
    stage: Mapped[str] = mapped_column(String(10))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
