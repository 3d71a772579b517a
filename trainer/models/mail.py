"""The outbox: every message (and later every other outside effect) is a row written in the
same transaction as the change that causes it; ``trainer worker`` delivers it afterwards."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from trainer.clock import utcnow
from trainer.domain.statuses import MessageStatus, one_of
from trainer.models.base import Base, UTCDateTime


class OutboxMessage(Base):
    """One outgoing message and its delivery state.

    ``status`` is ``queued`` until delivered (``sent``) or given up (``failed``). A queued row
    with ``attempts > 0`` is being retried; one whose ``locked_until`` lies ahead is claimed
    by the worker named in ``locked_by``. ``message_id`` is fixed when the row is written, so
    a message delivered again after a worker crash carries the same Message-ID.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint(one_of("status", MessageStatus), name="status"),
        # the worker's claim: due queued rows, oldest first
        Index("ix_outbox_messages_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    channel: Mapped[str] = mapped_column(String(20), default="mail")
    kind: Mapped[str] = mapped_column(String(40), default="general")
    to: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locked_by: Mapped[str | None] = mapped_column(String(120))  # the last worker to claim it
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    transport: Mapped[str | None] = mapped_column(String(10))  # "smtp" or "log", once sent
