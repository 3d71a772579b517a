"""The transactional outbox.

``queue_mail`` adds a row to the caller's transaction: the message exists exactly when the
change that caused it commits. No request ever talks to a mail server.

``claim`` and ``deliver`` are the worker's half (``trainer.worker``): claim a batch of due
rows with a lease, hand each to a transport, and record the outcome per message in its own
short transaction, so a crash repeats at most the message that was in flight.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any, Protocol

from flask import current_app
from sqlalchemy import case, func, or_, select, text, update

from trainer.domain import outbox as outbox_rules
from trainer.domain.errors import NotFound, RuleError
from trainer.domain.statuses import MessageStatus
from trainer.extensions import db
from trainer.models import OutboxMessage, User
from trainer.services import audit, db_util
from trainer.services.mail import DeliveryError, Transport

log = logging.getLogger("trainer.outbox")


def _message_id_domain() -> str:
    _, address = parseaddr(current_app.config["MAIL_FROM"])
    return address.rpartition("@")[2] or "trainer.invalid"


def link(endpoint: str, **values: Any) -> str:
    """An absolute link for an e-mail, built without a request (the worker has none)."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    base: str = current_app.config["BASE_URL"]
    return base + path


def queue_mail(to: str, subject: str, body: str, kind: str = "general") -> OutboxMessage:
    """Queue a message in the current transaction; the worker sends it after the commit.
    It is due at once: ``created_at`` and ``next_attempt_at`` are the row's insert time."""
    message = OutboxMessage(
        channel="mail",
        kind=kind,
        to=to,
        subject=subject[:200],
        body=body,
        message_id=make_msgid("trainer", domain=_message_id_domain()),
        status=MessageStatus.QUEUED,
        attempts=0,
    )
    db.session.add(message)
    db.session.flush()
    return message


def queue_webhook(kind: str, to: str, subject: str, body: str) -> OutboxMessage:
    """Queue a webhook delivery (channel "webhook", see ``services.webhooks``): ``to`` names
    the endpoint for people reading the outbox, ``body`` is the JSON sent."""
    message = OutboxMessage(
        channel="webhook",
        kind=kind,
        to=to[:254],
        subject=subject[:200],
        body=body,
        message_id=make_msgid("webhook", domain=_message_id_domain()),
        status=MessageStatus.QUEUED,
        attempts=0,
    )
    db.session.add(message)
    db.session.flush()
    return message


# -- the worker's half ---------------------------------------------------------------------


@dataclass(frozen=True)
class Claimed:
    id: int
    channel: str
    to: str
    subject: str
    body: str
    message_id: str
    created_at: datetime
    attempts: int


def claim(worker: str, now: datetime, limit: int, lease: timedelta) -> list[Claimed]:
    """Take up to ``limit`` due messages for ``worker`` until ``now + lease`` and commit.

    PostgreSQL: ``FOR UPDATE SKIP LOCKED`` lets concurrent workers pass over each other's
    rows. SQLite: every transaction here starts with ``BEGIN IMMEDIATE`` (extensions_setup),
    so the select and the update run under the database's write lock, one worker at a time.
    Either way a claimed row is invisible to others until its lease runs out.
    """
    due = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == MessageStatus.QUEUED,
            OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until < now),
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list(db.session.scalars(due))
    if not ids:
        db.session.rollback()
        return []
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids))
        .values(locked_until=now + lease, locked_by=worker)
        .execution_options(synchronize_session=False)
    )
    rows = db.session.execute(
        select(
            OutboxMessage.id,
            OutboxMessage.channel,
            OutboxMessage.to,
            OutboxMessage.subject,
            OutboxMessage.body,
            OutboxMessage.message_id,
            OutboxMessage.created_at,
            OutboxMessage.attempts,
        )
        .where(OutboxMessage.id.in_(ids))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
    ).all()
    db.session.commit()
    return [Claimed(*row) for row in rows]


class Channel(Protocol):
    """How the worker sends the messages of a channel other than mail (webhooks).

    ``send`` raises DeliveryError when the message was not delivered: ``permanent`` gives up
    at once; ``connection`` means the destination (``Claimed.to``) cannot be reached, so its
    other messages in the batch wait too. Rows ``send`` adds to the session are committed
    with the message's new state. ``timeout`` bounds one ``send`` in seconds."""

    name: str
    max_attempts: int
    timeout: float

    def retry_delay(self, attempts: int) -> timedelta: ...

    def send(self, message: Claimed, clock: Callable[[], datetime]) -> None: ...


def email_for(message: Claimed) -> EmailMessage:
    """The e-mail as it goes out; the same bytes of headers on every retry."""
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_FROM"]
    msg["To"] = Address(addr_spec=message.to)
    msg["Subject"] = message.subject
    msg["Date"] = formatdate(message.created_at.timestamp(), usegmt=True)
    msg["Message-ID"] = message.message_id
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies, please
    msg.set_content(message.body)
    return msg


def _mark_sent(message: Claimed, worker: str, now: datetime, transport: str) -> None:
    done = db_util.rows_changed(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.locked_by == worker)
        .values(status=MessageStatus.SENT, sent_at=now, transport=transport, locked_until=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if done != 1:
        log.warning("message %s was sent after its lease passed to another worker", message.id)


def _mark_failed(
    messages: list[Claimed],
    worker: str,
    now: datetime,
    error: DeliveryError,
    config: Any,
    channel: Channel | None = None,
) -> None:
    """Count a failed try for each message: retry later with backoff, or give up."""
    for message in messages:
        attempts = message.attempts + 1
        if channel is not None:
            give_up = error.permanent or attempts >= channel.max_attempts
            delay = channel.retry_delay(attempts)
        else:
            give_up = error.permanent or attempts >= config["OUTBOX_MAX_ATTEMPTS"]
            delay = outbox_rules.retry_delay(
                attempts, config["OUTBOX_RETRY_BASE_SECONDS"], config["OUTBOX_RETRY_CAP_SECONDS"]
            )
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message.id, OutboxMessage.locked_by == worker)
            .values(
                status=MessageStatus.FAILED if give_up else MessageStatus.QUEUED,
                attempts=attempts,
                next_attempt_at=now if give_up else now + delay,
                last_error=str(error)[:1000],
                locked_until=None,
            )
            .execution_options(synchronize_session=False)
        )
    db.session.commit()


def _release(messages: list[Claimed], worker: str) -> None:
    """Give back claimed messages that were not tried (no attempt is counted)."""
    if not messages:
        return
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_([m.id for m in messages]), OutboxMessage.locked_by == worker)
        .values(locked_until=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


@dataclass
class BatchResult:
    claimed: int = 0
    sent: int = 0
    failed: int = 0  # tries that failed (retried later or given up)


def _same_destination(a: Claimed, b: Claimed) -> bool:
    """Whether ``a`` goes where ``b`` could not: the mail server, or the same webhook."""
    return a.channel == b.channel and (a.channel == "mail" or a.to == b.to)


def deliver(
    worker: str,
    transport: Transport,
    clock: Callable[[], datetime],
    stop: Callable[[], bool] = lambda: False,
    channels: Mapping[str, Channel] | None = None,
) -> BatchResult:
    """Claim one batch and deliver it: mail through ``transport``, other channels through
    ``channels`` (the worker passes the webhooks'). Returns what happened; 0 claimed means
    nothing due."""
    config = current_app.config
    channels = channels or {}
    lease = timedelta(seconds=config["OUTBOX_LEASE_SECONDS"])
    started = clock()
    batch = claim(worker, started, config["OUTBOX_BATCH"], lease)
    result = BatchResult(claimed=len(batch))
    # Stop taking new messages well before the lease ends, so no other worker can claim a
    # message while this one is still talking to the server about it.
    longest = max([config["SMTP_TIMEOUT"] * 2, *(c.timeout for c in channels.values())])
    deadline = started + lease - timedelta(seconds=longest + 5)
    done: set[int] = set()  # given up for this batch with another message (see below)
    try:
        for i, message in enumerate(batch):
            if message.id in done:
                continue
            if stop() or clock() >= deadline:
                _release([m for m in batch[i:] if m.id not in done], worker)
                break
            channel = channels.get(message.channel)
            try:
                if channel is not None:
                    channel.send(message, clock)
                elif message.channel == "mail":
                    transport.send(email_for(message))
                else:
                    raise DeliveryError(f"no transport for channel {message.channel!r}")
            except DeliveryError as error:
                now = clock()
                failed = [message]
                if error.connection:  # the rest for the same destination waits too
                    failed += [
                        m
                        for m in batch[i + 1 :]
                        if m.id not in done and _same_destination(m, message)
                    ]
                    done.update(m.id for m in failed)
                _mark_failed(failed, worker, now, error, config, channel)
                result.failed += len(failed)
                log.warning("delivery of %d message(s) failed: %s", len(failed), error)
                continue
            _mark_sent(message, worker, clock(), channel.name if channel else transport.name)
            result.sent += 1
    finally:
        transport.close()
    return result


# -- what admins see and do ----------------------------------------------------------------


def state_filter(state: str, now: datetime) -> Any:
    """The WHERE clause for one display state (see domain.outbox.display_state)."""
    leased = OutboxMessage.locked_until > now
    return {
        "sent": OutboxMessage.status == MessageStatus.SENT,
        "failed": OutboxMessage.status == MessageStatus.FAILED,
        "sending": (OutboxMessage.status == MessageStatus.QUEUED) & leased,
        "retrying": (OutboxMessage.status == MessageStatus.QUEUED)
        & (OutboxMessage.attempts > 0)
        & or_(OutboxMessage.locked_until.is_(None), ~leased),
        "queued": (OutboxMessage.status == MessageStatus.QUEUED)
        & (OutboxMessage.attempts == 0)
        & or_(OutboxMessage.locked_until.is_(None), ~leased),
    }[state]


def counts(now: datetime) -> dict[str, int]:
    """How many messages are in each display state (one grouped query)."""
    state = case(
        (OutboxMessage.status == MessageStatus.SENT, "sent"),
        (OutboxMessage.status == MessageStatus.FAILED, "failed"),
        (OutboxMessage.locked_until > now, "sending"),
        (OutboxMessage.attempts > 0, "retrying"),
        else_="queued",
    ).label("state")
    out = dict.fromkeys(outbox_rules.STATES, 0)
    # grouped by the output column's name, so the clock is bound once (PostgreSQL insists)
    for name, n in db.session.execute(select(state, func.count()).group_by(text("state"))):
        out[name] = n
    return out


def failed_count() -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status == MessageStatus.FAILED)
        )
        or 0
    )


def retry(admin: User, message_id: int, now: datetime) -> OutboxMessage:
    """Put a failed message back in the queue for a fresh series of tries."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound(message_id)
    if message.status != MessageStatus.FAILED:
        raise RuleError(None, "Only a failed message can be retried.")
    message.status, message.attempts, message.next_attempt_at = MessageStatus.QUEUED, 0, now
    message.locked_until = None
    db.session.flush()
    audit.record("outbox.retried", actor=admin, subject=message, last_error=message.last_error)
    return message


def retry_all_failed(admin: User, now: datetime) -> int:
    """Queue every failed message again; returns how many."""
    ids = list(
        db.session.scalars(
            select(OutboxMessage.id).where(OutboxMessage.status == MessageStatus.FAILED)
        )
    )
    for message_id in ids:
        retry(admin, message_id, now)
    return len(ids)
