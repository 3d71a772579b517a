"""A trainee's enrolments and reading progress."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.clock import utcnow
from trainer.models.accounts import User
from trainer.models.base import Base, JSONType, UTCDateTime
from trainer.models.content import Program


class Enrolment(Base):
    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("user_id", "program_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"), index=True)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    release_id: Mapped[int] = mapped_column(ForeignKey("content_releases.id"))

    user: Mapped[User] = relationship()
    program: Mapped[Program] = relationship()


class SectionRead(Base):
    """A section a person has read (reading counts for every program that uses the module)."""

    __tablename__ = "section_reads"
    __table_args__ = (UniqueConstraint("user_id", "module_id", "anchor"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    module_id: Mapped[str] = mapped_column(ForeignKey("modules.id"))
    anchor: Mapped[str] = mapped_column(String(120))
    read_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SectionTime(Base):
    """Time a person spent on a section, in seconds: credited when they move on from it (at
    most a few times its reading time per visit, so a tab left open counts little)."""

    __tablename__ = "section_times"
    __table_args__ = (UniqueConstraint("user_id", "module_id", "anchor"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    module_id: Mapped[str] = mapped_column(ForeignKey("modules.id"))
    anchor: Mapped[str] = mapped_column(String(120))
    seconds: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ModulePlace(Base):
    """Where a person stopped reading a module, to resume there."""

    __tablename__ = "module_places"
    __table_args__ = (UniqueConstraint("user_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    module_id: Mapped[str] = mapped_column(ForeignKey("modules.id"))
    anchor: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class EnrolmentProgress(Base):
    """The progress read model: per enrolment, what the requirements engine and the progress
    pages need (module states, exam, hour tallies, statements, documents), as JSON written by
    ``services.progress`` in the same transaction as the event that changed it. Derived
    data: ``trainer progress rebuild`` recomputes every row from history."""

    __tablename__ = "enrolment_progress"

    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolments.id", ondelete="CASCADE"), primary_key=True
    )
    #: the content release whose section counts and targets the state was computed with
    release_id: Mapped[int] = mapped_column(ForeignKey("content_releases.id"))
    #: the newest fact in the state (the tallies are exact from then on)
    through: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    state: Mapped[dict[str, Any]] = mapped_column(JSONType)
