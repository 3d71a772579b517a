"""Is this installation able to work? The worker's heartbeat and the readiness report."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, func, select, text

from trainer.domain.statuses import MessageStatus
from trainer.extensions import db
from trainer.models import AuditChainCheck, OutboxMessage, WorkerHeartbeat
from trainer.services import db_util, object_store, storage


def beat(worker: str, now: datetime, started_at: datetime) -> None:
    """Record that ``worker`` is alive; forget workers not seen for a day."""
    db_util.upsert(
        WorkerHeartbeat,
        ["id"],
        id=worker,
        host=socket.gethostname()[:200],
        pid=os.getpid(),
        started_at=started_at,
        seen_at=now,
    )
    forgotten = now - timedelta(days=1)
    db.session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.seen_at < forgotten))
    db.session.commit()


def stop(worker: str) -> None:
    """A worker that stops cleanly says so, so /readyz does not count it as alive."""
    db.session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.id == worker))
    db.session.commit()


def last_heartbeat() -> datetime | None:
    return db.session.scalar(select(func.max(WorkerHeartbeat.seen_at)))


@dataclass(frozen=True)
class Operations:
    """What the admin home warns about: undeliverable messages, a silent worker, and the
    audit log's hash chain (its last check, and the last one that held)."""

    failed_messages: int
    worker_seen: datetime | None
    chain_checked_at: datetime | None
    chain_problem: str | None
    chain_held_at: datetime | None
    chain_held_events: int | None


def operations() -> Operations:
    """``Operations`` in one statement (the admin home is read often)."""

    def newest(column: Any, held: bool = False) -> Any:
        query = select(column).order_by(AuditChainCheck.checked_at.desc()).limit(1)
        if held:
            query = query.where(AuditChainCheck.problem.is_(None))
        return query.scalar_subquery()

    failed = (
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.status == MessageStatus.FAILED)
        .scalar_subquery()
    )
    row = db.session.execute(
        select(
            failed,
            select(func.max(WorkerHeartbeat.seen_at)).scalar_subquery(),
            newest(AuditChainCheck.checked_at),
            newest(AuditChainCheck.problem),
            newest(AuditChainCheck.checked_at, held=True),
            newest(AuditChainCheck.events, held=True),
        )
    ).one()
    # SQLite hands the subqueries' times back as text: read them through the model's type
    times = [_as_time(row[i]) for i in (1, 2, 4)]
    return Operations(int(row[0] or 0), times[0], times[1], row[3], times[2], row[5])


def _as_time(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value.replace(tzinfo=value.tzinfo or UTC) if value else None
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


def _schema_heads() -> set[str]:
    """The migration heads this code expects (read once per process)."""
    heads = current_app.extensions.get("trainer.schema_heads")
    if heads is None:
        from alembic.script import ScriptDirectory

        migrate = current_app.extensions["migrate"]
        config = migrate.migrate.get_config(migrate.directory)
        heads = set(ScriptDirectory.from_config(config).get_heads())
        current_app.extensions["trainer.schema_heads"] = heads
    return heads


def readiness(now: datetime) -> tuple[bool, dict[str, Any]]:
    """(ready, report). Ready means this process can serve: the database answers and its
    schema is at the migrations' head. The worker's heartbeat and the failed-message count
    are reported too, for monitoring; see web/health for how they affect the status."""
    report: dict[str, Any] = {}
    try:
        versions = set(db.session.scalars(text("SELECT version_num FROM alembic_version")))
        seen = last_heartbeat()
        failed = db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status == MessageStatus.FAILED)
        )
        db.session.rollback()
    except Exception:  # noqa: BLE001 (any database failure means: not ready)
        db.session.rollback()
        current_app.logger.warning("readiness: database check failed", exc_info=True)
        return False, {"database": {"ok": False}}
    stale_after = timedelta(seconds=current_app.config["WORKER_STALE_SECONDS"])
    report["database"] = {"ok": True}
    report["migrations"] = {"ok": versions == _schema_heads()}
    age = (now - seen).total_seconds() if seen else None
    report["worker"] = {
        "ok": seen is not None and now - seen <= stale_after,
        "last_seen_seconds_ago": None if age is None else max(0, round(age)),
    }
    report["outbox"] = {"ok": not failed, "failed": failed or 0}
    report["storage"] = _storage(now)
    ready = report["database"]["ok"] and report["migrations"]["ok"]
    return ready, report


#: how long one look at the object store stands for /readyz (load balancers ask often)
STORAGE_CHECK_SECONDS = 30


def _storage(now: datetime) -> dict[str, Any]:
    """Whether new files can be stored (reported, like the worker: an object store that is
    down stops uploads, not the pages, so it does not take this node out of service). The
    object store is asked at most every ``STORAGE_CHECK_SECONDS`` per process."""
    try:
        kind = storage.backend()
    except storage.StorageError as error:
        current_app.logger.warning("readiness: file storage: %s", error)
        return {"ok": False, "backend": "unknown"}
    if kind != "s3":
        return {"ok": True, "backend": kind}
    seen = current_app.extensions.get("trainer_storage_check")
    if seen is None or not 0 <= (now - seen[0]).total_seconds() < STORAGE_CHECK_SECONDS:
        why = object_store.reachable()
        if why:
            current_app.logger.warning("readiness: file storage: %s", why)
        seen = (now, why is None)
        current_app.extensions["trainer_storage_check"] = seen
    return {"ok": seen[1], "backend": kind}
