"""``trainer worker``: delivers the outbox (mail and webhooks) and runs the scheduled jobs.

One loop: write the heartbeat, run the jobs that are due, deliver one batch of due
messages; when nothing was due, wait a little. It survives database outages (it waits and
tries again) and stops cleanly on SIGTERM or Ctrl-C, after the message in hand.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy.exc import DBAPIError

from trainer.clock import utcnow
from trainer.extensions import db
from trainer.services import health, jobs, outbox, webhook_channel
from trainer.services.mail import transport_for

log = logging.getLogger("trainer.worker")


@dataclass
class Summary:
    sent: int = 0
    failed: int = 0
    jobs: dict[str, str] = field(default_factory=dict)


class Worker:
    def __init__(self, app: Flask, clock: Callable[[], datetime] = utcnow) -> None:
        self.app = app
        self.clock = clock
        self.id = f"{socket.gethostname()[:80]}:{os.getpid()}:{secrets.token_hex(3)}"
        self.started_at = clock()
        self.stopping = threading.Event()
        # monotonic times of the last heartbeat and job check (-inf: do them at once)
        self._beat_at = self._jobs_at = float("-inf")

    #: Senders of the outbox's other channels (mail goes through ``_transport``).
    channels: dict[str, outbox.Channel] = {"webhook": webhook_channel.CHANNEL}

    def _transport(self) -> Any:
        return transport_for(self.app.config)

    #: An idle worker writes its heartbeat and looks for due jobs this often, not on every
    #: poll: on SQLite every transaction takes the write lock, however short.
    BEAT_SECONDS = 10.0
    JOBS_SECONDS = 15.0  # the shortest job interval is a minute

    def step(self) -> tuple[Summary, int]:
        """Heartbeat and due jobs (when their time has come), one batch. Returns what
        happened and how many messages were claimed."""
        summary = Summary()
        tick = time.monotonic()
        if tick - self._beat_at >= self.BEAT_SECONDS:
            health.beat(self.id, self.clock(), self.started_at)
            self._beat_at = tick
        if tick - self._jobs_at >= self.JOBS_SECONDS:
            summary.jobs = jobs.run_due(self.id, self.clock)
            self._jobs_at = tick
        batch = outbox.deliver(
            self.id, self._transport(), self.clock, self.stopping.is_set, self.channels
        )
        summary.sent, summary.failed = batch.sent, batch.failed
        return summary, batch.claimed

    def run_once(self) -> Summary:
        """Do everything that is due now, then return (``trainer worker --once``)."""
        total = Summary()
        with self.app.app_context():
            try:
                while not self.stopping.is_set():
                    summary, claimed = self.step()
                    total.sent += summary.sent
                    total.failed += summary.failed
                    total.jobs.update(summary.jobs)
                    if claimed == 0 or summary.sent == 0:
                        break  # nothing due, or everything due failed and waits to retry
            finally:
                # The heartbeat stays: run from cron every minute, --once keeps /readyz
                # reporting a live worker.
                db.session.remove()
        return total

    def run_forever(self) -> None:
        """Run until ``stop()`` (SIGTERM, SIGINT)."""
        poll = float(self.app.config["WORKER_POLL_SECONDS"])
        pause = poll
        log.info("worker %s started", self.id)
        with self.app.app_context():
            try:
                while not self.stopping.is_set():
                    try:
                        summary, claimed = self.step()
                        pause = poll
                    except Exception as error:  # noqa: BLE001 (the worker outlives any one failure)
                        db.session.rollback()
                        if isinstance(error, DBAPIError):
                            log.warning("database unavailable; trying again in %.0f s", pause)
                        else:
                            log.exception("worker step failed; trying again in %.0f s", pause)
                        self.stopping.wait(pause)
                        pause = min(pause * 2, 60)
                        continue
                    finally:
                        db.session.remove()
                    if summary.sent or summary.failed or summary.jobs:
                        log.info(
                            "sent %d, failed %d%s",
                            summary.sent,
                            summary.failed,
                            "".join(f"; {k}: {v}" for k, v in summary.jobs.items()),
                        )
                    if claimed == 0 or summary.sent == 0:
                        self.stopping.wait(poll)
            finally:
                try:
                    health.stop(self.id)
                except DBAPIError:
                    log.warning("could not remove the heartbeat (database unavailable)")
                db.session.remove()
        log.info("worker %s stopped", self.id)

    def stop(self, *_: Any) -> None:
        self.stopping.set()

    def handle_signals(self) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
