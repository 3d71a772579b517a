"""Scheduled jobs, run by ``trainer worker`` (no cron needed).

Each job has a row in ``scheduled_jobs``. A worker runs a job only after a conditional
UPDATE gives it the job's lease, and only when the job's interval has passed since its last
start, so two workers never run a job at once nor twice in one interval. The jobs are also
idempotent on their own (unique rows, timestamps), so even a run repeated after a crash does
not say anything twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from trainer.extensions import db
from trainer.models import ScheduledJob
from trainer.services import audit_chain, ce_audits, db_util, employers, exams, hours, reminders
from trainer.services.certificates import events, standing, status_list

log = logging.getLogger("trainer.jobs")

#: A job that has not finished within this time is presumed dead and may run again.
LEASE = timedelta(minutes=15)


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: Callable[[datetime], int]
    result: str  # "{n} ..." describing what run() returned
    title: str  # what it does, for the admin page


def _close_expired_exams(now: datetime) -> int:
    return exams.close_expired(now)


def _supervisor_digests(now: datetime) -> int:
    return hours.send_digests(now)


def _stale_pending(now: datetime) -> int:
    return reminders.stale_pending_reminders(now)


def _renewal_reminders(now: datetime) -> int:
    return reminders.renewal_reminders(now)


def _status_lists(now: datetime) -> int:
    return status_list.rebuild_stale(now)


def _dispatch_events(now: datetime) -> int:
    return events.dispatch(now)


def _expiry_events(now: datetime) -> int:
    return events.expire(now)


def _end_suspensions(now: datetime) -> int:
    return standing.end_suspensions(now)


def _employer_expiry_watch(now: datetime) -> int:
    return employers.expiry_watch(now)


def _ce_audit_notices(now: datetime) -> int:
    return ce_audits.remind(now)


def _seal_audit_log(now: datetime) -> int:
    return audit_chain.seal(now)


def _verify_audit_log(now: datetime) -> int:
    return audit_chain.job_verify(now)


JOBS: tuple[Job, ...] = (
    Job(
        "exams.close_expired",
        timedelta(minutes=1),
        _close_expired_exams,
        "{n} attempts closed",
        "Score exam attempts past their deadline",
    ),
    Job(
        "certificates.status_lists",
        timedelta(minutes=1),
        _status_lists,
        "{n} status lists signed",
        "Sign the revocation list again after a certificate's status changed",
    ),
    Job(
        "certificates.events",
        timedelta(minutes=1),
        _dispatch_events,
        "{n} certificate events handed to webhooks and employers",
        "Tell webhooks and employers what happened to the certificates they watch",
    ),
    Job(
        "certificates.expiry_events",
        timedelta(hours=1),
        _expiry_events,
        "{n} expiries recorded",
        "Record each certificate's expiry as an event, once",
    ),
    Job(
        "certificates.end_suspensions",
        timedelta(hours=1),
        _end_suspensions,
        "{n} suspensions ended",
        "Reinstate suspended certificates whose suspension's end date has come",
    ),
    Job(
        "employers.expiry_watch",
        timedelta(hours=1),
        _employer_expiry_watch,
        "{n} e-mails to employers about certificates expiring within 60 days",
        "Tell employers, once per certificate, when one on their roster comes within 60 days "
        "of expiry",
    ),
    Job(
        "audit.seal",
        timedelta(minutes=5),
        _seal_audit_log,
        "{n} audit events sealed",
        "Chain the audit log's new events (a hash chain shows any later change)",
    ),
    Job(
        "audit.verify",
        timedelta(days=1),
        _verify_audit_log,
        "{n} (1: the audit log's hash chain held; 0: it did not, see the admin home)",
        "Check the audit log's whole hash chain",
    ),
    Job(
        "hours.digests",
        timedelta(minutes=5),
        _supervisor_digests,
        "{n} digests queued",
        "Tell supervisors of new entries to decide (once a day at most)",
    ),
    Job(
        "hours.stale_reminders",
        timedelta(hours=1),
        _stale_pending,
        "{n} reminders queued",
        "Remind supervisors of entries pending over a week",
    ),
    Job(
        "certificates.renewal_reminders",
        timedelta(hours=1),
        _renewal_reminders,
        "{n} reminders queued",
        "Renewal reminders 90, 30 and 7 days before expiry, and on the day",
    ),
    Job(
        "ce_audits.notices",
        timedelta(hours=1),
        _ce_audit_notices,
        "{n} audit reminders and notices queued",
        "Audit evidence reminders 7 days and 1 day before the due date, and the overdue notices",
    ),
)


def _ensure_rows() -> None:
    have = set(db.session.scalars(select(ScheduledJob.name)))
    for job in JOBS:
        if job.name not in have:
            db_util.insert_or_ignore(ScheduledJob, name=job.name)  # another worker may race
    db.session.commit()


def _take(job: Job, worker: str, now: datetime) -> bool:
    taken = db_util.rows_changed(
        update(ScheduledJob)
        .where(
            ScheduledJob.name == job.name,
            or_(ScheduledJob.lease_until.is_(None), ScheduledJob.lease_until < now),
            or_(
                ScheduledJob.last_started_at.is_(None),
                ScheduledJob.last_started_at <= now - job.every,
            ),
        )
        .values(lease_until=now + LEASE, lease_by=worker, last_started_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return taken == 1


def _finish(job: Job, worker: str, now: datetime, status: str, result: str) -> None:
    db.session.execute(
        update(ScheduledJob)
        .where(ScheduledJob.name == job.name, ScheduledJob.lease_by == worker)
        .values(
            lease_until=None, last_finished_at=now, last_status=status, last_result=result[:1000]
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def run_due(worker: str, clock: Callable[[], datetime]) -> dict[str, str]:
    """Run every job whose interval has passed; returns {job name: what it did}."""
    _ensure_rows()
    done: dict[str, str] = {}
    for job in JOBS:
        if not _take(job, worker, clock()):
            continue
        try:
            n = job.run(clock())
            db.session.commit()
        except Exception as error:  # noqa: BLE001 (one failing job must not stop the others)
            db.session.rollback()
            log.exception("scheduled job %s failed", job.name)
            status, text = "error", f"{type(error).__name__}: {error}"
        else:
            status, text = "ok", job.result.format(n=n)
        _finish(job, worker, clock(), status, text)
        done[job.name] = text
    return done


def last_runs() -> list[tuple[Job, ScheduledJob | None]]:
    """Every job with its row (None before its first run), in the order of JOBS."""
    rows = {j.name: j for j in db.session.scalars(select(ScheduledJob))}
    return [(job, rows.get(job.name)) for job in JOBS]
