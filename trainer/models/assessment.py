"""Quiz, exam and practice exam attempts. A form is frozen when the attempt starts; answers
are rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.clock import utcnow
from trainer.domain import stored
from trainer.domain.statuses import AttemptStatus, one_of
from trainer.models.accounts import User
from trainer.models.base import Base, JSONType, UTCDateTime


class QuizAttempt(Base):
    """A formative module quiz: drawn at start, answered on one page, scored at once."""

    __tablename__ = "quiz_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    module_id: Mapped[str] = mapped_column(ForeignKey("modules.id"), index=True)
    seed: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # [{"item_id", "revision", "order": [bank keys]}]
    form: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    # {position: [bank keys]}
    responses: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    percent: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column()
    pass_percent: Mapped[int] = mapped_column(Integer)

    @property
    def questions(self) -> tuple[stored.DrawnQuestion, ...]:
        """The drawn form, in order (position n is ``questions[n - 1]``)."""
        return stored.drawn_questions(self.form)


class ExamAttempt(Base):
    __tablename__ = "exam_attempts"
    __table_args__ = (
        CheckConstraint(one_of("status", AttemptStatus), name="status"),
        # One open attempt per person per program, whatever the race.
        Index(
            "uq_exam_attempts_one_open",
            "user_id",
            "program_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"), index=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("content_releases.id"))
    seed: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="open")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    time_multiplier: Mapped[float] = mapped_column(Float, default=1.0)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    points: Mapped[float | None] = mapped_column(Float)
    max_points: Mapped[int | None] = mapped_column(Integer)
    percent: Mapped[float | None] = mapped_column(Float)
    passing_percent: Mapped[int] = mapped_column(Integer)
    passed: Mapped[bool | None] = mapped_column()
    # {domain: [points, max]}
    domain_scores: Mapped[dict[str, Any] | None] = mapped_column(JSONType)

    user: Mapped[User] = relationship()
    items: Mapped[list[ExamItem]] = relationship(
        back_populates="attempt", order_by="ExamItem.position", cascade="all, delete-orphan"
    )


class ExamItem(Base):
    """One question of a frozen form, with the person's saved answer."""

    __tablename__ = "exam_items"
    __table_args__ = (UniqueConstraint("attempt_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("exam_attempts.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)  # 1-based
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    option_order: Mapped[list[str]] = mapped_column(JSONType)  # bank keys, as shown
    chosen: Mapped[list[str]] = mapped_column(JSONType, default=list)  # bank keys
    flagged: Mapped[bool] = mapped_column(default=False)
    points: Mapped[float | None] = mapped_column(Float)
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    attempt: Mapped[ExamAttempt] = relationship(back_populates="items")


class Accommodation(Base):
    """Extended time granted to a person for a program's exam (audited)."""

    __tablename__ = "accommodations"
    __table_args__ = (
        UniqueConstraint("user_id", "program_id"),
        CheckConstraint("time_multiplier >= 1 AND time_multiplier <= 4", name="multiplier_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"))
    time_multiplier: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)
    granted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PracticeAttempt(Base):
    """An unscored practice exam: a form drawn like the exam's, but only from items that are
    never on the exam (see domain.practice). No deadline, no limit on attempts, and nothing
    else reads it: exam eligibility, progress, certificates and the board never see it."""

    __tablename__ = "practice_attempts"
    __table_args__ = (
        # One unfinished practice exam per person per program: starting again resumes it.
        Index(
            "uq_practice_attempts_one_open",
            "user_id",
            "program_id",
            unique=True,
            sqlite_where=text("finished_at IS NULL"),
            postgresql_where=text("finished_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"))
    release_id: Mapped[int] = mapped_column(ForeignKey("content_releases.id"))
    seed: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    points: Mapped[float | None] = mapped_column(Float)
    max_points: Mapped[int | None] = mapped_column(Integer)
    percent: Mapped[float | None] = mapped_column(Float)
    # {domain: [points, max]}
    domain_scores: Mapped[dict[str, Any] | None] = mapped_column(JSONType)

    items: Mapped[list[PracticeItem]] = relationship(
        back_populates="attempt", order_by="PracticeItem.position", cascade="all, delete-orphan"
    )


class PracticeItem(Base):
    """One question of a practice form, with the answer saved so far."""

    __tablename__ = "practice_items"
    __table_args__ = (UniqueConstraint("attempt_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # the unique (attempt_id, position) index serves lookups by attempt
    attempt_id: Mapped[int] = mapped_column(ForeignKey("practice_attempts.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # 1-based
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"))
    revision: Mapped[int] = mapped_column(Integer)
    option_order: Mapped[list[str]] = mapped_column(JSONType)  # bank keys, as shown
    chosen: Mapped[list[str]] = mapped_column(JSONType, default=list)  # bank keys
    points: Mapped[float | None] = mapped_column(Float)
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    attempt: Mapped[PracticeAttempt] = relationship(back_populates="items")
