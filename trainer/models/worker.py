"""What the background worker keeps: its heartbeat and the last run of each scheduled job."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from trainer.clock import utcnow
from trainer.models.base import Base, UTCDateTime


class ScheduledJob(Base):
    """One row per job. A worker runs a job only after taking its lease with a conditional
    UPDATE, so two workers never run the same job at once or twice in one interval."""

    __tablename__ = "scheduled_jobs"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_status: Mapped[str | None] = mapped_column(String(10))  # "ok" or "error"
    last_result: Mapped[str | None] = mapped_column(Text)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lease_by: Mapped[str | None] = mapped_column(String(120))


class WorkerHeartbeat(Base):
    """A running worker writes ``seen_at`` every few seconds; /readyz reads the newest."""

    __tablename__ = "worker_heartbeats"

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    host: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
