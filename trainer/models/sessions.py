"""Supervision sessions, recorded by one of the two people and confirmed by the other."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.clock import utcnow
from trainer.models.accounts import User
from trainer.models.base import Base, JSONType, UTCDateTime


class SupervisionSession(Base):
    """A supervision meeting. It counts toward the program's supervision hours once both
    have agreed to it (``confirmed_at``). Its notes are for the two of them only."""

    __tablename__ = "supervision_sessions"
    __table_args__ = (
        CheckConstraint("minutes > 0 AND minutes <= 480 AND minutes % 15 = 0", name="minutes"),
        CheckConstraint("format IN ('individual', 'group')", name="format"),
        CheckConstraint("mode IN ('in-person', 'video')", name="mode"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), index=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    held_on: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    format: Mapped[str] = mapped_column(String(12))
    mode: Mapped[str] = mapped_column(String(12))
    domains: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")  # the two of them only
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    supervisor: Mapped[User] = relationship(foreign_keys=[supervisor_id])
    trainee: Mapped[User] = relationship(foreign_keys=[trainee_id])
