"""The worker's job: reminders before an audit's due date and a notice when it passes, each
sent exactly once (a unique row per holder and stage; a timestamp for the board's notice)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from trainer.domain import ce_audits as rules
from trainer.domain.ce_audits import AuditStatus, NoticeStage
from trainer.extensions import db
from trainer.models import Certificate, User
from trainer.models.ce_audits import CEAudit, CEAuditHolder, CEAuditNotice
from trainer.services import db_util, outbox

EARLIEST = max(days for _, days in rules.REMINDERS)


def remind(now: datetime) -> int:
    """Queue what is due for each open audit; returns the number of messages queued."""
    today = now.date()
    rows = db.session.execute(
        select(CEAuditHolder, CEAudit, Certificate.number, User)
        .join(CEAudit, CEAudit.id == CEAuditHolder.audit_id)
        .join(Certificate, Certificate.id == CEAuditHolder.certificate_id)
        .join(User, User.id == CEAuditHolder.user_id)
        .where(
            CEAudit.status == AuditStatus.OPEN,
            CEAuditHolder.submitted_at.is_(None),
            CEAudit.due_on <= today + timedelta(days=EARLIEST),
        )
        .order_by(CEAuditHolder.id)
    ).all()
    sent = 0
    for holder, audit_row, number, person in rows:
        stage = rules.notice_stage(audit_row.due_on, today, audit_row.created_at.date())
        if stage is None or not _first(holder.id, stage, now):
            continue
        link = outbox.link("audits.request", holder_id=holder.id)
        due = f"{audit_row.due_on:%-d %B %Y}"
        if stage == NoticeStage.OVERDUE:
            subject = f"The evidence for the audit of certificate {number} is overdue"
            text = (
                f"The evidence the board asked for, for the audit of your certificate "
                f"{number}, was due on {due} and was not submitted. The board will decide "
                "what follows; contact it if something kept you from responding."
            )
        else:
            subject = f"Reminder: evidence for the audit of certificate {number} is due {due}"
            text = (
                f"The board is waiting for your evidence for the continuing-education audit "
                f"of your certificate {number}. Please upload it and submit it by {due}."
            )
        outbox.queue_mail(
            person.email,
            subject,
            f"Hello {person.display_name},\n\n{text}\n\nYour audit request: {link}\n",
            kind=f"ce_audit_{stage}",
        )
        sent += 1
    return sent + _tell_boards(now)


def _first(holder_id: int, stage: str, now: datetime) -> bool:
    """Record that ``stage`` is sent to the holder; False when it already was."""
    try:
        with db.session.begin_nested():
            db.session.add(CEAuditNotice(holder_id=holder_id, stage=stage, sent_at=now))
            db.session.flush()
    except IntegrityError:
        return False
    return True


def _tell_boards(now: datetime) -> int:
    """Tell each open audit's creator, once, which holders let the due date pass."""
    due = db.session.execute(
        select(CEAudit.id, CEAudit.due_on, User)
        .join(User, User.id == CEAudit.created_by_id)
        .where(
            CEAudit.status == AuditStatus.OPEN,
            CEAudit.overdue_noticed_at.is_(None),
            CEAudit.due_on < now.date(),
        )
    ).all()
    sent = 0
    for audit_id, due_on, person in due:
        claimed = db_util.rows_changed(
            update(CEAudit)
            .where(CEAudit.id == audit_id, CEAudit.overdue_noticed_at.is_(None))
            .values(overdue_noticed_at=now)
            .execution_options(synchronize_session=False)
        )
        if claimed != 1:
            continue
        late = db.session.execute(
            select(Certificate.holder_name, Certificate.number)
            .join(CEAuditHolder, CEAuditHolder.certificate_id == Certificate.id)
            .where(CEAuditHolder.audit_id == audit_id, CEAuditHolder.submitted_at.is_(None))
            .order_by(Certificate.holder_name)
        ).all()
        if not late:
            continue
        listed = "\n".join(f"- {holder} ({number})" for holder, number in late)
        outbox.queue_mail(
            person.email,
            f"Audit {audit_id}: {len(late)} holder{'s' if len(late) > 1 else ''} did not respond",
            f"Hello {person.display_name},\n\nThe due date of continuing-education audit "
            f"{audit_id} "
            f"({due_on:%-d %B %Y}) has passed. These selected holders did not submit "
            f"evidence:\n{listed}\n\nChoose an outcome for each and close the audit: "
            f"{outbox.link('audits.board_audit', audit_id=audit_id)}\n",
            kind="ce_audit_overdue_board",
        )
        sent += 1
    return sent
