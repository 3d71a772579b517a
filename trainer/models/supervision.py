"""A supervisor's credentials: what programs' supervisor rules are checked against."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.clock import utcnow
from trainer.domain.statuses import ReviewStatus, one_of
from trainer.models.accounts import User
from trainer.models.base import Base, UTCDateTime


class SupervisorQualification(Base):
    """A credential a supervisor holds (a CADC, a licence, a documented supervisory role),
    with the document that shows it. It counts for a program's rule once an administrator
    has verified it. Never edited after the decision: a renewed credential is a new row."""

    __tablename__ = "supervisor_qualifications"
    __table_args__ = (CheckConstraint(one_of("status", ReviewStatus), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    credential: Mapped[str] = mapped_column(String(64))  # taxonomy "credentials" id
    number: Mapped[str] = mapped_column(String(64))
    issuer: Mapped[str] = mapped_column(String(200))  # issuing state or board
    issued_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    supervision_training: Mapped[bool] = mapped_column(default=False)
    # the document (stored as uploads are: outside the web root, checked by content)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(40))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default=ReviewStatus.PENDING)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reason: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
