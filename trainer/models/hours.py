"""Supervision links and supervised-hour entries."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.clock import utcnow
from trainer.domain.statuses import EntryKind, EntryStatus, LinkStatus, one_of
from trainer.models.accounts import User
from trainer.models.base import Base, UTCDateTime
from trainer.models.learning import Enrolment


class SupervisionLink(Base):
    """A supervisor for one enrolment: invited by the trainee (accepted by the supervisor)
    or assigned by an admin. Ending a link keeps its history."""

    __tablename__ = "supervision_links"
    __table_args__ = (
        CheckConstraint(one_of("status", LinkStatus), name="status"),
        Index(
            "uq_supervision_links_live",
            "enrolment_id",
            "supervisor_id",
            unique=True,
            sqlite_where=text("status IN ('invited', 'active')"),
            postgresql_where=text("status IN ('invited', 'active')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), index=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(10))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    enrolment: Mapped[Enrolment] = relationship()
    supervisor: Mapped[User] = relationship(foreign_keys=[supervisor_id])


class HourEntry(Base):
    __tablename__ = "hour_entries"
    __table_args__ = (
        CheckConstraint(one_of("status", EntryStatus), name="status"),
        CheckConstraint(one_of("kind", EntryKind), name="kind"),
        CheckConstraint("minutes <> 0 AND minutes % 15 = 0", name="quarter_hours"),
        Index("ix_hour_entries_supervisor_status", "supervisor_id", "status"),
        Index("ix_hour_entries_enrolment_status", "enrolment_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"))
    trainee_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    work_date: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)  # negative only for a reversal
    category: Mapped[str] = mapped_column(String(64))
    setting: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the week-old nudge
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_note: Mapped[str | None] = mapped_column(Text)  # return comment / reject reason
    attestation: Mapped[str | None] = mapped_column(Text)  # what the supervisor confirmed
    decided_from: Mapped[str | None] = mapped_column(String(64))  # remote address
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("hour_entries.id"), unique=True)
    # the credential that made the approving supervisor eligible under the program's rule
    # (None: the program sets no rule, or approved before rules were checked)
    qualification_id: Mapped[int | None] = mapped_column(ForeignKey("supervisor_qualifications.id"))

    trainee: Mapped[User] = relationship(foreign_keys=[trainee_id])
    supervisor: Mapped[User] = relationship(foreign_keys=[supervisor_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class SupervisorDigest(Base):
    """One pending-hours e-mail per supervisor per day, at most."""

    __tablename__ = "supervisor_digests"
    __table_args__ = (Index("uq_supervisor_digests_day", "supervisor_id", "day", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    day: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
