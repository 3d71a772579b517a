"""Reminders the worker sends on a schedule: renewal reminders to certificate holders and a
nudge to supervisors about entries left pending for a week. Each takes ``now``; each is
safe to run twice (a unique row or a timestamp records what was already said)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from trainer.domain import hours as hour_rules
from trainer.domain import outbox as outbox_rules
from trainer.domain.statuses import CertificateStatus, ReminderStage
from trainer.extensions import db
from trainer.models import Certificate, HourEntry, Program, RenewalReminder, User
from trainer.services import certificates, outbox

#: An entry pending this long gets its supervisor a reminder (again each further week).
STALE_AFTER = timedelta(days=7)


def renewal_reminders(now: datetime) -> int:
    """Queue the renewal reminder due for each current certificate; returns how many.

    Only active certificates count: a revoked one needs no renewal, and a renewed one is
    superseded the moment its successor is issued (and the successor has its own dates).
    """
    candidates = db.session.scalars(
        select(Certificate).where(
            Certificate.status == CertificateStatus.ACTIVE,
            Certificate.expires_at <= now + outbox_rules.earliest_reminder_window(),
            Certificate.expires_at > now - outbox_rules.EXPIRY_NOTICE_GRACE,
        )
    ).all()
    sent = 0
    for cert in candidates:
        assert cert.expires_at is not None
        stage = outbox_rules.reminder_stage(cert.expires_at, now)
        if stage is None:
            continue
        try:
            with db.session.begin_nested():
                db.session.add(RenewalReminder(certificate_id=cert.id, stage=stage, sent_at=now))
                db.session.flush()
        except IntegrityError:
            continue  # this stage was already sent
        holder = db.session.get(User, cert.user_id)
        program = db.session.get(Program, cert.program_id)
        assert holder is not None and program is not None
        missing = [
            s.detail for s in certificates.renewal_status(cert, now) if not s.met and s.detail
        ]
        outbox.queue_mail(
            holder.email,
            *_renewal_text(cert, holder, program, stage, missing, now),
            kind=f"renewal_reminder_{stage}",
        )
        sent += 1
    return sent


def _renewal_text(
    cert: Certificate,
    holder: User,
    program: Program,
    stage: str,
    missing: list[str],
    now: datetime,
) -> tuple[str, str]:
    assert cert.expires_at is not None
    expires = f"{cert.expires_at:%-d %B %Y}"
    renew_link = outbox.link("learn.program", program_id=cert.program_id) + "#renewal"
    if stage == ReminderStage.EXPIRED:
        subject = f"Your {cert.credential_name} certificate has expired"
        opening = f"Your certificate {cert.number} ({cert.credential_name}) expired on {expires}."
    else:
        days = max(1, math.ceil((cert.expires_at - now) / timedelta(days=1)))
        subject = f"Your {cert.credential_name} certificate expires in {days} days"
        opening = (
            f"Your certificate {cert.number} ({cert.credential_name}) expires on {expires}, "
            f"in {days} days."
        )
    if not program.spec.renewal_ce_hours:
        todo = f"To renew it, contact {cert.issuing_authority}."
    elif missing:
        todo = "To renew it you still need:\n" + "\n".join(f"- {line}" for line in missing)
        todo += "\n\nRecord continuing education on your renewal page:\n" + renew_link
    else:
        todo = (
            "Your continuing education for this cycle is complete; the renewal is issued as "
            f"soon as it is approved. See your renewal page:\n{renew_link}"
        )
    body = f"Hello {holder.display_name},\n\n{opening}\n\n{todo}\n"
    return subject, body


def stale_pending_reminders(now: datetime) -> int:
    """Remind each supervisor of entries pending for more than a week (at most weekly per
    entry); returns the number of messages queued."""
    stale = (
        HourEntry.status == hour_rules.PENDING,
        HourEntry.updated_at <= now - STALE_AFTER,
        (HourEntry.reminded_at.is_(None)) | (HourEntry.reminded_at <= now - STALE_AFTER),
    )
    rows = db.session.execute(
        select(HourEntry.id, HourEntry.supervisor_id, HourEntry.work_date, HourEntry.minutes)
        .add_columns(User.legal_name)
        .join(User, User.id == HourEntry.trainee_id)
        .where(*stale)
        .order_by(HourEntry.supervisor_id, User.legal_name, HourEntry.work_date)
    ).all()
    by_supervisor: dict[int, list[tuple[int, str]]] = {}
    for entry_id, supervisor_id, work_date, minutes, name in rows:
        by_supervisor.setdefault(supervisor_id, []).append(
            (entry_id, f"- {name}: {minutes / 60:g} h on {work_date:%-d %b %Y}")
        )
    for supervisor_id, items in by_supervisor.items():
        supervisor = db.session.get(User, supervisor_id)
        assert supervisor is not None
        n = len(items)
        outbox.queue_mail(
            supervisor.email,
            f"{n} supervised-hour entr{'y has' if n == 1 else 'ies have'} waited over a week",
            f"Hello {supervisor.display_name},\n\nThese entries have waited for your decision "
            "for more than 7 days. Your trainees cannot count them until you decide:\n"
            + "\n".join(line for _, line in items)
            + f"\n\nReview them: {outbox.link('supervise.queue')}\n",
            kind="hours_stale",
        )
        db.session.execute(
            update(HourEntry)
            .where(HourEntry.id.in_([entry_id for entry_id, _ in items]))
            .values(reminded_at=now)
            .execution_options(synchronize_session=False)
        )
    return len(by_supervisor)
