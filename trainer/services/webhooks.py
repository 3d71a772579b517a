"""Webhooks: signed deliveries of certificate events to boards' and employers' endpoints.

An owner registers an https address and the events it wants (``create``); the secret that
signs its deliveries is shown once. ``services.certificates.events.dispatch`` (a worker job)
asks ``board_owners`` who hears a jurisdiction and calls ``fan_out``, which writes one
outbox row (channel ``webhook``) and one delivery row per subscribed endpoint, in the same
transaction. The worker then sends them through ``services.webhook_channel.CHANNEL``, retrying
with backoff; every try is a ``WebhookAttempt``. No web request ever talks to an endpoint.

An endpoint is its owner's alone: anyone else, whatever their role, gets NotFound.
"""

from __future__ import annotations

import secrets
import socket
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select, update

from trainer.domain import outbox as outbox_rules
from trainer.domain import webhooks as rules
from trainer.domain.errors import NotFound, RuleError, RuleErrors
from trainer.domain.roles import BOARD, EMPLOYER
from trainer.domain.statuses import MessageStatus
from trainer.extensions import db
from trainer.models import CertificateEvent, OutboxMessage, User, UserRole
from trainer.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from trainer.services import audit, outbox, sealing
from trainer.services.certificates.keys import base_url

OWNER_ROLES = (BOARD, EMPLOYER)
MAX_ENDPOINTS = 10
PER_PAGE = 50


# -- what pages show -----------------------------------------------------------------------


@dataclass(frozen=True)
class EndpointView:
    id: int
    url: str
    description: str
    events: list[str]  # kinds, in EVENT_LABELS order
    created_at: datetime
    disabled_at: datetime | None
    disabled_reason: str | None
    previous_secret_until: datetime | None = None  # the replaced secret signs until then

    @property
    def active(self) -> bool:
        return self.disabled_at is None


@dataclass(frozen=True)
class AttemptView:
    attempted_at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int


@dataclass(frozen=True)
class DeliveryView:
    id: int
    kind: str
    number: str | None
    webhook_id: str
    created_at: datetime
    state: str  # a key of domain.outbox.STATES
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: datetime
    replay_of_id: int | None
    attempts: list[AttemptView]


def _view(e: WebhookEndpoint, now: datetime | None = None) -> EndpointView:
    kinds = [k for k in rules.EVENT_LABELS if k in e.events]
    until = e.previous_secret_until if e.previous_secret else None
    if until is not None and now is not None and until <= now:
        until = None  # the replaced secret's day is over
    return EndpointView(
        e.id, e.url, e.description, kinds, e.created_at, e.disabled_at, e.disabled_reason, until
    )


def _owned(user: User, endpoint_id: int) -> WebhookEndpoint:
    """The user's own endpoint (not deleted), or NotFound."""
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.owner_id != user.id or endpoint.deleted_at is not None:
        raise NotFound(endpoint_id)
    return endpoint


def endpoints_of(user: User) -> list[EndpointView]:
    rows = db.session.scalars(
        select(WebhookEndpoint)
        .where(WebhookEndpoint.owner_id == user.id, WebhookEndpoint.deleted_at.is_(None))
        .order_by(WebhookEndpoint.id)
    )
    return [_view(e) for e in rows]


def deliveries(
    user: User, endpoint_id: int, page: int, now: datetime
) -> tuple[EndpointView, list[DeliveryView], bool]:
    """An endpoint of ``user`` and one page of its deliveries, newest first, with every
    try of each; and whether an older page follows."""
    endpoint = _owned(user, endpoint_id)
    rows = db.session.execute(
        select(WebhookDelivery, OutboxMessage)
        .join(OutboxMessage, OutboxMessage.id == WebhookDelivery.message_id)
        .where(WebhookDelivery.endpoint_id == endpoint.id)
        .order_by(WebhookDelivery.id.desc())
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE + 1)
    ).all()
    shown = rows[:PER_PAGE]
    tries: dict[int, list[AttemptView]] = {d.id: [] for d, _ in shown}
    if tries:
        for a in db.session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id.in_(list(tries)))
            .order_by(WebhookAttempt.id)
        ):
            tries[a.delivery_id].append(
                AttemptView(a.attempted_at, a.status_code, a.error, a.duration_ms)
            )
    views = [
        DeliveryView(
            d.id,
            d.kind,
            d.number,
            d.webhook_id,
            d.created_at,
            outbox_rules.display_state(m.status, m.attempts, m.locked_until, now),
            d.last_status_code,
            m.last_error,
            m.next_attempt_at,
            d.replay_of_id,
            tries[d.id],
        )
        for d, m in shown
    ]
    return _view(endpoint, now), views, len(rows) > PER_PAGE


# -- owners' changes -----------------------------------------------------------------------


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (RuleError on the URL field if none)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise RuleError("url", f"The host {host} could not be found. Check the address.") from None
    return [str(info[4][0]) for info in infos]


def check_url(url: str) -> rules.Target:
    """The address taken apart, if deliveries may go there now (RuleError on "url")."""
    target = rules.parse_url(url)
    allow_loopback = bool(current_app.config["WEBHOOKS_ALLOW_LOOPBACK"])
    rules.check_addresses(target, resolve(target.host, target.port), allow_loopback)
    return target


def _checked(url: str, description: str, events: list[str]) -> tuple[rules.Target, str, list[str]]:
    """An endpoint's settings, cleaned: (target, description, event kinds in label order).
    RuleErrors naming every field at fault."""
    problems: list[RuleError] = []
    description = " ".join(description.split())
    if len(description) > rules.MAX_DESCRIPTION:
        problems.append(
            RuleError("description", f"Use at most {rules.MAX_DESCRIPTION} characters.")
        )
    chosen = [k for k in rules.EVENT_LABELS if k in set(events)]
    if not chosen or len(chosen) != len(set(events)):
        problems.append(RuleError("events", "Choose at least one of the listed events."))
    try:
        target = check_url(url)
    except RuleError as error:
        problems.append(error)
    if problems:
        raise RuleErrors(problems)
    return target, description, chosen


def create(
    user: User, url: str, description: str, events: list[str], now: datetime
) -> tuple[EndpointView, str]:
    """Register an endpoint for ``user``; returns it and its signing secret (never shown
    again). Raises RuleError beside the field at fault; nothing is written then."""
    if not user.has_role(*OWNER_ROLES):
        raise RuleError(None, "Only board members and employers can add webhooks.")
    live = db.session.scalar(
        select(func.count())
        .select_from(WebhookEndpoint)
        .where(WebhookEndpoint.owner_id == user.id, WebhookEndpoint.deleted_at.is_(None))
    )
    if (live or 0) >= MAX_ENDPOINTS:
        raise RuleError(None, f"You have {MAX_ENDPOINTS} webhooks; delete one first.")
    target, description, chosen = _checked(url, description, events)
    secret = rules.new_secret(secrets.token_bytes(rules.SECRET_BYTES))
    endpoint = WebhookEndpoint(
        owner_id=user.id,
        url=target.url,
        description=description,
        events=chosen,
        secret=sealing.seal(secret, sealing.WEBHOOKS),
        created_at=now,
    )
    db.session.add(endpoint)
    db.session.flush()
    audit.record("webhook.created", actor=user, subject=endpoint, url=target.url, events=chosen)
    return _view(endpoint), secret


def _cancel_queued(endpoint: WebhookEndpoint, now: datetime, why: str) -> None:
    """Give up the deliveries still waiting for ``endpoint`` (one being sent finishes)."""
    waiting = select(WebhookDelivery.message_id).where(WebhookDelivery.endpoint_id == endpoint.id)
    db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(waiting),
            OutboxMessage.status == MessageStatus.QUEUED,
            OutboxMessage.locked_until.is_(None) | (OutboxMessage.locked_until < now),
        )
        .values(status=MessageStatus.FAILED, last_error=why)
        .execution_options(synchronize_session=False)
    )


def disable_endpoint(
    endpoint: WebhookEndpoint, actor: User | None, now: datetime, reason: str
) -> None:
    """Stop deliveries to ``endpoint`` (its owner, or the worker on 410 Gone)."""
    endpoint.disabled_at, endpoint.disabled_reason = now, reason[:200]
    _cancel_queued(endpoint, now, f"Not sent: the webhook was disabled. {reason}"[:1000])
    db.session.flush()
    audit.record("webhook.disabled", actor=actor, subject=endpoint, reason=reason[:200])


def disable(user: User, endpoint_id: int, now: datetime) -> EndpointView:
    """Stop deliveries to one's endpoint; those still waiting are given up."""
    endpoint = _owned(user, endpoint_id)
    if endpoint.disabled_at is not None:
        raise RuleError(None, "This webhook is already disabled.")
    disable_endpoint(endpoint, user, now, "Disabled by its owner.")
    return _view(endpoint)


def enable(user: User, endpoint_id: int, now: datetime) -> EndpointView:
    """Deliver new events to a disabled endpoint again (given-up ones can be replayed)."""
    endpoint = _owned(user, endpoint_id)
    if endpoint.disabled_at is None:
        raise RuleError(None, "This webhook is already enabled.")
    check_url(endpoint.url)  # where it leads may have changed since
    endpoint.disabled_at, endpoint.disabled_reason = None, None
    db.session.flush()
    audit.record("webhook.enabled", actor=user, subject=endpoint)
    return _view(endpoint)


def change(
    user: User, endpoint_id: int, url: str, description: str, events: list[str], now: datetime
) -> EndpointView:
    """Change one's endpoint's address, description or events, checked as when it was
    added (a new address is resolved and checked again). Deliveries still waiting go to
    the new address; the secret stays. RuleErrors beside the fields; nothing changes then."""
    endpoint = _owned(user, endpoint_id)
    target, description, chosen = _checked(url, description, events)
    before = {"url": endpoint.url, "events": list(endpoint.events)}
    endpoint.url, endpoint.description, endpoint.events = target.url, description, chosen
    db.session.flush()
    audit.record(
        "webhook.changed",
        actor=user,
        subject=endpoint,
        url=target.url,
        events=chosen,
        was=before,
    )
    return _view(endpoint, now)


def rotate_secret(user: User, endpoint_id: int, now: datetime) -> tuple[EndpointView, str]:
    """A new signing secret for one's endpoint (returned once, never shown again). The one
    it replaces keeps signing beside it for ``ROTATION_GRACE``, so deliveries still verify
    while the receiver is switched over; a secret replaced before that is forgotten."""
    endpoint = _owned(user, endpoint_id)
    secret = rules.new_secret(secrets.token_bytes(rules.SECRET_BYTES))
    endpoint.previous_secret = endpoint.secret
    endpoint.secret = sealing.seal(secret, sealing.WEBHOOKS)
    endpoint.previous_secret_until = now + rules.ROTATION_GRACE
    db.session.flush()
    audit.record(
        "webhook.secret_rotated",
        actor=user,
        subject=endpoint,
        previous_until=endpoint.previous_secret_until.isoformat(),
    )
    return _view(endpoint), secret


def delete(user: User, endpoint_id: int, now: datetime) -> EndpointView:
    """Remove an endpoint: no more deliveries, its secrets forgotten; the history stays."""
    endpoint = _owned(user, endpoint_id)
    view = _view(endpoint)
    endpoint.deleted_at, endpoint.secret, endpoint.previous_secret = now, "", None
    endpoint.disabled_at = endpoint.disabled_at or now
    _cancel_queued(endpoint, now, "Not sent: the webhook was deleted.")
    db.session.flush()
    audit.record("webhook.deleted", actor=user, subject=endpoint, url=endpoint.url)
    return view


# -- deliveries ----------------------------------------------------------------------------


def _queue(
    endpoint: WebhookEndpoint,
    kind: str,
    body: str,
    number: str | None = None,
    event_id: int | None = None,
    webhook_id: str | None = None,
    replay_of: int | None = None,
    requested_by: User | None = None,
) -> WebhookDelivery:
    message = outbox.queue_webhook(
        kind,
        f"webhook {endpoint.id}: {endpoint.url}",
        f"Webhook {kind}" + (f" for {number}" if number else ""),
        body,
    )
    delivery = WebhookDelivery(
        endpoint_id=endpoint.id,
        message_id=message.id,
        event_id=event_id,
        kind=kind,
        number=number,
        webhook_id=webhook_id or "msg_" + secrets.token_urlsafe(18),
        replay_of_id=replay_of,
        requested_by_id=requested_by.id if requested_by else None,
        created_at=message.created_at,
    )
    db.session.add(delivery)
    db.session.flush()
    return delivery


def board_owners(jurisdiction: str) -> set[int]:
    """Users whose endpoints hear every event of ``jurisdiction`` (its active board
    members; only those with an endpoint are looked for)."""
    rows = db.session.scalars(
        select(User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(
            UserRole.role == BOARD,
            User.jurisdiction == jurisdiction,
            User.active.is_(True),
            User.id.in_(
                select(WebhookEndpoint.owner_id).where(WebhookEndpoint.deleted_at.is_(None))
            ),
        )
    )
    return set(rows)


def fan_out(event: CertificateEvent, owner_ids: set[int], now: datetime) -> int:
    """Queue a delivery of ``event`` to each endpoint of ``owner_ids`` subscribed to its kind."""
    if not owner_ids:
        return 0
    endpoints = db.session.scalars(
        select(WebhookEndpoint)
        .join(User, User.id == WebhookEndpoint.owner_id)
        .where(
            WebhookEndpoint.owner_id.in_(owner_ids),
            WebhookEndpoint.disabled_at.is_(None),
            WebhookEndpoint.deleted_at.is_(None),
            User.active.is_(True),
        )
        .order_by(WebhookEndpoint.id)
    ).all()
    chosen = [e for e in endpoints if event.kind in e.events]
    if not chosen:
        return 0
    # the public verify address (services.certificates.verify_url: importing it from here
    # would close an import cycle through the event feed)
    verify = f"{base_url()}/verify/{event.number}"
    body = rules.payload(
        event.id, event.kind, event.occurred_at, event.number, verify, event.data or {}
    )
    for endpoint in chosen:
        _queue(endpoint, event.kind, body, event.number, event.id)
    return len(chosen)


def replay(user: User, endpoint_id: int, delivery_id: int, now: datetime) -> WebhookDelivery:
    """Queue a delivery to one's endpoint again (same body and Webhook-Id, signed afresh)."""
    endpoint = _owned(user, endpoint_id)
    original = db.session.get(WebhookDelivery, delivery_id)
    if original is None or original.endpoint_id != endpoint.id:
        raise NotFound(delivery_id)
    if endpoint.disabled_at is not None:
        raise RuleError(None, "Enable the webhook before replaying a delivery.")
    message = db.session.get(OutboxMessage, original.message_id)
    assert message is not None
    if message.status == MessageStatus.QUEUED:
        raise RuleError(None, "This delivery is still being tried; wait for it to finish.")
    again = _queue(
        endpoint,
        original.kind,
        message.body,
        original.number,
        original.event_id,
        original.webhook_id,
        original.id,
        user,
    )
    audit.record("webhook.replayed", actor=user, subject=again, of=original.id, kind=again.kind)
    return again


def send_test(user: User, endpoint_id: int, now: datetime) -> WebhookDelivery:
    """Queue a ``webhook.test`` delivery to one's own enabled endpoint."""
    endpoint = _owned(user, endpoint_id)
    if endpoint.disabled_at is not None:
        raise RuleError(None, "Enable the webhook before sending a test event.")
    body = rules.sample_payload(now, endpoint.id)
    delivery = _queue(endpoint, rules.TEST_EVENT, body, requested_by=user)
    audit.record("webhook.test_sent", actor=user, subject=delivery)
    return delivery
