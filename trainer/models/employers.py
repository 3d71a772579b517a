"""Employer rosters: the certificate numbers an organisation watches, and what it was told."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from trainer.clock import utcnow
from trainer.models.base import Base, UTCDateTime


class RosterEntry(Base):
    """One certificate number on an employer's roster.

    ``certificate_id`` is the certificate watched today: when it is renewed the entry
    follows to the successor (``number`` changes, ``renewed_from`` keeps the number the
    employer knew). ``told_status`` is the status the employer was last told of, so each
    change is told once.
    """

    __tablename__ = "roster_entries"
    # also the roster page's index: one employer's entries
    __table_args__ = (UniqueConstraint("employer_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), index=True)
    number: Mapped[str] = mapped_column(String(40))
    # the employer's own note on the row (a staff name or employee number), optional
    label: Mapped[str | None] = mapped_column(String(200))
    renewed_from: Mapped[str | None] = mapped_column(String(40))
    told_status: Mapped[str] = mapped_column(String(12))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RosterNotice(Base):
    """A notice sent to an employer about one certificate on its roster; the unique
    constraint is what makes "once" hold (e.g. kind ``expiring``: 60 days before expiry)."""

    __tablename__ = "roster_notices"
    __table_args__ = (UniqueConstraint("entry_id", "kind", "certificate_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("roster_entries.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
