"""Continuing-education audits: the audit, its sample (fixed when it starts), the evidence
asked for per CE entry with the board's decision, and the notices already sent."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from trainer.clock import utcnow
from trainer.domain.ce_audits import (
    AuditResult,
    AuditStatus,
    Decision,
    HolderState,
    NoticeStage,
    Outcome,
)
from trainer.domain.statuses import one_of
from trainer.models.base import Base, UTCDateTime


class CEAudit(Base):
    """An audit of the renewals issued in a jurisdiction between two dates (optionally of
    one program). ``seed`` draws the sample again: ``domain.ce_audits.select_sample``."""

    __tablename__ = "ce_audits"
    __table_args__ = (
        CheckConstraint(one_of("status", AuditStatus), name="status"),
        CheckConstraint(f"result IS NULL OR {one_of('result', AuditResult)}", name="result"),
        CheckConstraint("percent >= 1 AND percent <= 100", name="percent"),
        Index("ix_ce_audits_jurisdiction_created_at", "jurisdiction", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(8))
    program_id: Mapped[str | None] = mapped_column(ForeignKey("programs.id"))
    renewed_from: Mapped[date] = mapped_column(Date)
    renewed_to: Mapped[date] = mapped_column(Date)
    percent: Mapped[float] = mapped_column(Float)
    seed: Mapped[int] = mapped_column(BigInteger)
    population: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default=AuditStatus.OPEN)
    result: Mapped[str | None] = mapped_column(String(10))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # the board was told, once, which holders let the due date pass
    overdue_noticed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class CEAuditHolder(Base):
    """One certificate in an audit's sample (the holder is its owner); never changes after
    the start, except the holder's submission and, at the close, the result and outcome."""

    __tablename__ = "ce_audit_holders"
    __table_args__ = (
        UniqueConstraint("audit_id", "certificate_id"),
        CheckConstraint(f"result IS NULL OR {one_of('result', HolderState)}", name="result"),
        CheckConstraint(f"outcome IS NULL OR {one_of('outcome', Outcome)}", name="outcome"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("ce_audits.id"))
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # set when the audit closes (passed | failed | no_response)
    result: Mapped[str | None] = mapped_column(String(12))
    # chosen by the board for a holder who failed or did not respond; applied at the close
    outcome: Mapped[str | None] = mapped_column(String(12))
    outcome_text: Mapped[str | None] = mapped_column(Text)
    outcome_until: Mapped[date | None] = mapped_column(Date)


class CEAuditItem(Base):
    """The evidence asked for one approved CE entry: a file or the holder's note, and the
    board's decision."""

    __tablename__ = "ce_audit_items"
    __table_args__ = (
        UniqueConstraint("holder_id", "ce_entry_id"),
        CheckConstraint(f"decision IS NULL OR {one_of('decision', Decision)}", name="decision"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("ce_audit_holders.id"), index=True)
    ce_entry_id: Mapped[int] = mapped_column(ForeignKey("ce_entries.id"))
    stored_name: Mapped[str | None] = mapped_column(String(64), unique=True)
    content_type: Mapped[str | None] = mapped_column(String(40))
    size: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))
    uploaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(Text)
    decision: Mapped[str | None] = mapped_column(String(12))
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class CEAuditNotice(Base):
    """A reminder or overdue notice sent to a selected holder; the unique constraint is what
    makes "exactly once" hold."""

    __tablename__ = "ce_audit_notices"
    __table_args__ = (
        UniqueConstraint("holder_id", "stage"),
        CheckConstraint(one_of("stage", NoticeStage), name="stage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("ce_audit_holders.id"))
    stage: Mapped[str] = mapped_column(String(10))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
