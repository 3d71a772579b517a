"""The supervisor's daily digest of new entries (run by the worker)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from trainer.domain import hours as hour_rules
from trainer.extensions import db
from trainer.models import (
    HourEntry,
    SupervisorDigest,
    User,
)
from trainer.services import outbox


def send_digests(now: datetime) -> int:
    """E-mail each supervisor the pending entries they have not been told of: at most one
    message per supervisor per day. Returns the number of messages sent."""
    pending = db.session.execute(
        select(HourEntry.supervisor_id, func.count())
        .where(HourEntry.status == hour_rules.PENDING, HourEntry.notified_at.is_(None))
        .group_by(HourEntry.supervisor_id)
    ).all()
    sent = 0
    today = now.date()
    for supervisor_id, count in pending:
        try:
            with db.session.begin_nested():
                db.session.add(
                    SupervisorDigest(supervisor_id=supervisor_id, day=today, sent_at=now)
                )
                db.session.flush()
        except IntegrityError:
            continue  # already told today; tomorrow's digest will list these
        supervisor = db.session.get(User, supervisor_id)
        assert supervisor is not None
        items = db.session.execute(
            select(HourEntry.work_date, HourEntry.minutes, User.legal_name)
            .join(User, User.id == HourEntry.trainee_id)
            .where(
                HourEntry.supervisor_id == supervisor_id,
                HourEntry.status == hour_rules.PENDING,
                HourEntry.notified_at.is_(None),
            )
            .order_by(User.legal_name, HourEntry.work_date)
        ).all()
        lines = "\n".join(
            f"- {name}: {minutes / 60:g} h on {day:%-d %b %Y}" for day, minutes, name in items
        )
        outbox.queue_mail(
            supervisor.email,
            f"{count} supervised-hour entr{'y' if count == 1 else 'ies'} waiting for you",
            f"Hello {supervisor.display_name},\n\nThese entries wait for your decision:\n"
            f"{lines}\n\nReview them: {outbox.link('supervise.queue')}\n",
            kind="hours_pending",
        )
        db.session.execute(
            update(HourEntry)
            .where(
                HourEntry.supervisor_id == supervisor_id,
                HourEntry.status == hour_rules.PENDING,
                HourEntry.notified_at.is_(None),
            )
            .values(notified_at=now)
            .execution_options(synchronize_session=False)
        )
        sent += 1
    return sent
