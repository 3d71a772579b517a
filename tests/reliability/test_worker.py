"""The worker as processes: killed mid-batch, two at once, started and stopped with the
server; scheduled jobs run once per interval however many workers there are."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.support.smtp import SMTPSink, free_port
from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models import OutboxMessage, ScheduledJob
from trainer.services import jobs, outbox


@pytest.fixture
def app_config(smtp: SMTPSink) -> dict[str, Any]:
    return {"SMTP_URL": smtp.url, "SMTP_TIMEOUT": 1}


def _queue(app: Any, n: int) -> list[str]:
    with app.app_context():
        ids = [
            outbox.queue_mail(f"person{i}@example.org", f"Message {i}", f"Body {i}").message_id
            for i in range(n)
        ]
        db.session.commit()
    return ids


def _env(database_url: str, instance_dir: Path, smtp: SMTPSink, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        TRAINER_DATABASE_URL=database_url,
        TRAINER_INSTANCE_PATH=str(instance_dir),
        TRAINER_SECRET_KEY="test-secret-key-not-for-production",
        TRAINER_SMTP_URL=smtp.url,
        TRAINER_SMTP_TIMEOUT="1",
        **extra,
    )
    return env


def _wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _rows(app: Any) -> list[OutboxMessage]:
    with app.app_context():
        return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_worker_killed_mid_batch_loses_nothing(
    app: Any, smtp: SMTPSink, database_url: str, instance_dir: Path, run_worker: Any
) -> None:
    """SIGKILL while messages are going out; a worker started later (once the dead one's
    lease has run out) delivers the rest. Only the message in flight at the kill may arrive
    twice: it left the worker, but the worker died before recording that it had."""
    queued = _queue(app, 60)
    smtp.delay = 0.05
    worker = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "trainer", "worker"],
        env=_env(database_url, instance_dir, smtp, TRAINER_OUTBOX_LEASE_SECONDS="60"),
    )
    try:
        _wait_for(lambda: len(smtp.received) >= 12, 60, "the worker to send 12 messages")
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    got_before_restart = len(smtp.received)
    assert got_before_restart < 60, "the kill came too late to test anything"
    claimed = [m for m in _rows(app) if m.status == "queued" and m.locked_until]
    assert claimed, "the dead worker held a claim on part of its batch"

    smtp.delay = 0
    run_worker(utcnow())  # the lease still holds: nothing of the dead worker's batch moves
    still_claimed = {m.id for m in _rows(app) if m.status == "queued"}
    assert {m.id for m in claimed} <= still_claimed
    run_worker(utcnow() + timedelta(seconds=61))  # lease over: the rest goes out

    delivered = Counter(smtp.message_ids())
    assert set(delivered) == set(queued)
    assert sum(n - 1 for n in delivered.values()) <= 1
    assert {m.status for m in _rows(app)} == {"sent"}


def test_two_workers_drain_200_messages_each_once(
    app: Any, smtp: SMTPSink, database_url: str, instance_dir: Path
) -> None:
    queued = _queue(app, 200)
    smtp.delay = 0.02
    env = _env(database_url, instance_dir, smtp)
    workers = [
        subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "trainer", "worker", "--once"],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [w.communicate(timeout=120)[0] for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs
    delivered = Counter(smtp.message_ids())
    assert delivered == Counter(dict.fromkeys(queued, 1))
    rows = _rows(app)
    assert {m.status for m in rows} == {"sent"}
    by_worker = Counter(m.locked_by for m in rows)
    assert len(by_worker) == 2, f"one worker did everything: {by_worker}"
    sent = sorted(int(out.split()[1].rstrip(",")) for out in outputs)
    assert sum(sent) == 200


def test_jobs_run_once_per_interval_whatever_the_number_of_workers(app: Any) -> None:
    now = utcnow()
    with app.app_context():
        first = jobs.run_due("worker-a", lambda: now)
        second = jobs.run_due("worker-b", lambda: now)
        assert set(first) == {job.name for job in jobs.JOBS}
        assert second == {}
        later = jobs.run_due("worker-b", lambda: now + timedelta(minutes=1, seconds=1))
        every_minute = {j.name for j in jobs.JOBS if j.every == timedelta(minutes=1)}
        assert every_minute == {
            "exams.close_expired",
            "certificates.status_lists",
            "certificates.events",
        }
        assert set(later) == every_minute
        rows = {j.name: j for j in db.session.scalars(select(ScheduledJob))}
        assert rows["exams.close_expired"].lease_by == "worker-b"
        assert all(j.last_status == "ok" and j.lease_until is None for j in rows.values())


def test_a_failing_job_is_recorded_and_does_not_stop_the_others(app: Any, monkeypatch: Any) -> None:
    from trainer.services import reminders

    def broken(now: Any) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr(reminders, "renewal_reminders", broken)
    with app.app_context():
        done = jobs.run_due("worker-a", utcnow)
        assert done["certificates.renewal_reminders"] == "RuntimeError: disk full"
        assert done["exams.close_expired"] == "0 attempts closed"
        row = db.session.get(ScheduledJob, "certificates.renewal_reminders")
        assert row.last_status == "error" and row.lease_until is None


def test_serve_with_worker_starts_both_and_ctrl_c_stops_both(
    app: Any, smtp: SMTPSink, database_url: str, instance_dir: Path
) -> None:
    """What `make run` does: the web server and the worker together; Ctrl-C (SIGINT to the
    terminal's process group) stops both and leaves nothing running."""
    port = free_port()
    _queue(app, 3)
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "trainer",
            "serve",
            "--port",
            str(port),
            "--workers",
            "1",
            "--with-worker",
        ],
        env=_env(database_url, instance_dir, smtp),
        start_new_session=True,  # its own process group, like a terminal's foreground job
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    group = os.getpgid(server.pid)
    try:

        def ready() -> bool:
            try:
                url = f"http://127.0.0.1:{port}/readyz?require=worker"
                with urllib.request.urlopen(url, timeout=2) as r:  # noqa: S310 (loopback)
                    return r.status == 200
            except OSError:
                return False

        _wait_for(ready, 60, "the server and its worker")
        _wait_for(lambda: len(smtp.received) == 3, 30, "the worker to deliver the queue")
        os.killpg(group, signal.SIGINT)
        server.wait(timeout=40)
        time.sleep(0.5)
        try:
            os.killpg(group, 0)
            alive = True
        except ProcessLookupError:
            alive = False
        assert not alive, "something of `trainer serve --with-worker` is still running"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
