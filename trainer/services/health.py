"""Is this installation able to work? The worker's heartbeat and the readiness report."""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, func, select, text

from trainer.domain.statuses import MessageStatus
from trainer.extensions import db
from trainer.models import OutboxMessage, WorkerHeartbeat
from trainer.services import db_util


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
    ready = report["database"]["ok"] and report["migrations"]["ok"]
    return ready, report
