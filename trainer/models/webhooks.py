"""Webhooks: endpoints that boards and employers register, and the deliveries made to them.

A delivery is sent through the outbox (``outbox_messages`` row of channel ``webhook``, which
carries the body and the claim/retry state); ``webhook_deliveries`` ties that row to its
endpoint and event, and ``webhook_attempts`` keeps what each try got back.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from trainer.clock import utcnow
from trainer.models.base import Base, JSONType, UTCDateTime


class WebhookEndpoint(Base):
    """An HTTPS address that hears the chosen certificate events. Owned by one user (a
    board member: every event of the jurisdiction; an employer: the roster's). The signing
    secret is kept sealed (services.sealing: signing needs it back, a copy of the database
    alone does not reveal it); a deleted endpoint keeps its deliveries' history and loses
    its secret."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(200), default="")
    events: Mapped[list[str]] = mapped_column(JSONType, default=list)
    secret: Mapped[str] = mapped_column(String(255))  # sealed (services.sealing)
    # after a rotation, the replaced secret (sealed) signs beside the new one until this
    # time, so the receiver can switch without losing a delivery (Standard Webhooks lists
    # several signatures for this)
    previous_secret: Mapped[str | None] = mapped_column(String(255))
    previous_secret_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    disabled_reason: Mapped[str | None] = mapped_column(String(200))
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class WebhookDelivery(Base):
    """One event (or test, or replay) for one endpoint. ``webhook_id`` is the Webhook-Id
    header: the same on every try and on a replay, so a receiver can drop duplicates."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_endpoint_id_id", "endpoint_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id"))
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox_messages.id"), unique=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("certificate_events.id"))
    kind: Mapped[str] = mapped_column(String(40))
    number: Mapped[str | None] = mapped_column(String(40))
    webhook_id: Mapped[str] = mapped_column(String(40))
    replay_of_id: Mapped[int | None] = mapped_column(ForeignKey("webhook_deliveries.id"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # the latest try, for the list (each try is a WebhookAttempt)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_status_code: Mapped[int | None] = mapped_column(Integer)


class WebhookAttempt(Base):
    """One try of a delivery: the answer's status code, or the error, and how long it took."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("webhook_deliveries.id"), index=True)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(300))
    duration_ms: Mapped[int] = mapped_column(Integer)
