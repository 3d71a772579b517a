"""A certificate's standing beyond its status: public conditions, and the event feed that
webhooks and employers are told from."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from trainer.clock import utcnow
from trainer.domain.statuses import CertificateEventKind, one_of
from trainer.models.base import Base, JSONType, UTCDateTime


class CertificateCondition(Base):
    """A public condition or notice on a certificate (e.g. "practice under supervision until
    2027-06-30"), shown wherever the certificate is checked until it is lifted or ends."""

    __tablename__ = "certificate_conditions"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    until: Mapped[date | None] = mapped_column(Date)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class CertificateEvent(Base):
    """Something that happened to a certificate, written in the same transaction as the
    change. The worker hands each event, once, to the webhooks and employers watching it
    (``dispatched_at``); the rows stay as the certificate's public history."""

    __tablename__ = "certificate_events"
    __table_args__ = (
        CheckConstraint(one_of("kind", CertificateEventKind), name="kind"),
        Index("ix_certificate_events_undispatched", "dispatched_at", "id"),
        Index("ix_certificate_events_certificate_kind", "certificate_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"))
    number: Mapped[str] = mapped_column(String(40))
    jurisdiction: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(40))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # what a watcher may know: only what the public verify page shows
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
