"""The worker's half of webhooks: one signed HTTP exchange per try of an outbox message of
channel ``webhook`` (``CHANNEL``, registered by ``trainer.worker``). What is sent, and to
whom, is ``services.webhooks``; the HTTP itself is ``services.webhook_http``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from trainer.domain import webhooks as rules
from trainer.extensions import db
from trainer.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from trainer.services import outbox, sealing, webhooks
from trainer.services.mail import DeliveryError
from trainer.services.webhook_http import post


@dataclass(frozen=True)
class _Job:
    delivery_id: int
    endpoint_id: int
    url: str
    secret: str
    previous_secret: str | None  # None when there is none or its day is over
    webhook_id: str
    live: bool


def _job(message_id: int, now: datetime) -> _Job | None:
    row = db.session.execute(
        select(WebhookDelivery, WebhookEndpoint)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(WebhookDelivery.message_id == message_id)
    ).first()
    # end the read now: on SQLite the worker's transactions hold the write lock, and the
    # HTTP exchange below may take seconds
    db.session.commit()
    if row is None:
        return None
    d, e = row
    live = e.disabled_at is None and e.deleted_at is None
    until = e.previous_secret_until
    sealed = e.previous_secret if until is not None and now < until else None
    previous = sealing.unseal(sealed, sealing.WEBHOOKS) if sealed else None
    secret = sealing.unseal(e.secret, sealing.WEBHOOKS) if live else None
    if live and secret is None:
        raise DeliveryError(
            "Not sent: the signing secret cannot be read (the site's SECRET_KEY changed). "
            "Make a new secret on the webhook's page.",
            permanent=True,
        )
    return _Job(d.id, e.id, e.url, secret or "", previous, d.webhook_id, live)


class WebhookChannel:
    """The outbox's sender for channel "webhook" (see outbox.Channel)."""

    name = "webhook"
    max_attempts = rules.MAX_ATTEMPTS
    timeout = rules.CONNECT_TIMEOUT + rules.TOTAL_TIMEOUT

    def retry_delay(self, attempts: int) -> timedelta:
        return rules.retry_delay(attempts)

    def send(self, message: outbox.Claimed, clock: Callable[[], datetime]) -> None:
        """Make one try; its record joins the transaction that marks the message (the
        caller commits). Raises DeliveryError unless the endpoint answered 2xx."""
        now = clock()
        job = _job(message.id, now)
        if job is None or not job.live:
            raise DeliveryError("Not sent: the webhook is disabled or deleted.", permanent=True)
        body = message.body.encode("utf-8")
        loopback = bool(current_app.config["WEBHOOKS_ALLOW_LOOPBACK"])
        signed = rules.headers(job.secret, job.webhook_id, now, body, job.previous_secret)
        answer = post(job.url, signed, body, loopback)
        db.session.add(
            WebhookAttempt(
                delivery_id=job.delivery_id,
                attempted_at=now,
                status_code=answer.status_code,
                error=answer.error,
                duration_ms=answer.duration_ms,
            )
        )
        db.session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == job.delivery_id)
            .values(last_attempt_at=now, last_status_code=answer.status_code)
            .execution_options(synchronize_session=False)
        )
        if answer.status_code is None:
            raise DeliveryError(
                answer.error or "No answer.",
                permanent=answer.refused,
                connection=answer.unreachable,
            )
        verdict = rules.outcome(answer.status_code)
        if verdict == "gone":
            endpoint = db.session.get(WebhookEndpoint, job.endpoint_id)
            if endpoint is not None and endpoint.disabled_at is None:
                webhooks.disable_endpoint(endpoint, None, now, "The endpoint answered 410 Gone.")
            raise DeliveryError("Answered 410 Gone: the webhook is now disabled.", permanent=True)
        if verdict != "ok":
            raise DeliveryError(f"Answered HTTP {answer.status_code}.")


CHANNEL = WebhookChannel()
