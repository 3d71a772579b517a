"""Competency evaluations: signed by the supervisor, acknowledged by the trainee."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.clock import utcnow
from trainer.models.accounts import User
from trainer.models.base import Base, JSONType, UTCDateTime


class CompetencyEvaluation(Base):
    """One evaluation of one form (mid-point, final, ...) of a program: the rating and
    comment of every competency, as signed. Never edited: a correction is a new row; the
    trainee's acknowledgement and response are the only things added later."""

    __tablename__ = "competency_evaluations"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), index=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    form_id: Mapped[str] = mapped_column(String(64))
    ratings: Mapped[dict[str, Any]] = mapped_column(JSONType)  # competency -> {level, comment}
    lowest_level: Mapped[int] = mapped_column(Integer)
    signed_name: Mapped[str] = mapped_column(String(200))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    qualification_id: Mapped[int | None] = mapped_column(ForeignKey("supervisor_qualifications.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    response: Mapped[str | None] = mapped_column(Text)

    supervisor: Mapped[User] = relationship(foreign_keys=[supervisor_id])
    trainee: Mapped[User] = relationship(foreign_keys=[trainee_id])
