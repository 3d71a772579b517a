"""The outbox under a mail outage, and how fast the worker drains it.

    python -m bench.outbox_bench [--engines sqlite,postgresql] [--repeat 3]

1. **Approval with SMTP hanging vs SMTP up.** A supervisor approves entries one request at a
   time (POST /supervise/decide, in-process through the test client, signed in). In one
   phase the mail server answers; in the other it accepts connections and never greets (the
   worst kind of outage: a client waits for its timeout). A real ``trainer worker`` runs
   against that server in both phases, as in production. Phases alternate, ``repeat`` times
   each, in ABBA order; the ratio of median request times is the figure (target ≤ 1.1).
2. **Delivery rate.** N queued messages, 1 or 2 ``trainer worker`` processes, a local
   aiosmtpd sink in this process; messages/s between the first and the last arrival.

Running alone, it rewrites its own section of BENCHMARKS.md; bench.run includes it.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.common import ROOT, TRAINER, fresh_database, make_app, server_env, summary
from tests.support.smtp import SMTPSink, free_port

APPROVALS_PER_PHASE = 40
PASSWORD = "bench-password-123"  # noqa: S105 (throw-away bench accounts)
MESSAGES = 2000


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def _worker(url: str, smtp_url: str) -> subprocess.Popen[bytes]:
    env = server_env(url)
    env["TRAINER_SMTP_URL"] = smtp_url
    return subprocess.Popen(  # noqa: S603 (our own command)
        [TRAINER, "worker"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def _people(app: Any, tmp: Path, entries: int) -> tuple[int, list[int]]:
    """A supervised trainee with ``entries`` pending entries; returns (supervisor id, ids)."""
    from tests.support.content import write_tree
    from tests.support.exams import load
    from trainer.clock import utcnow
    from trainer.extensions import db
    from trainer.models import User
    from trainer.services import accounts, hours, learning

    load(app, write_tree(tmp))
    with app.app_context():
        sup = accounts.create_user(
            None,
            "sup@bench.example",
            "Sam Supervisor",
            {"supervisor"},
            password=PASSWORD,
            now=utcnow(),
        )
        admin = accounts.create_user(
            None, "admin@bench.example", "Ann Admin", {"admin"}, password=PASSWORD, now=utcnow()
        )
        trainee = accounts.create_user(
            None, "t@bench.example", "Tess Trainee", {"trainee"}, password=PASSWORD, now=utcnow()
        )
        enrolment = learning.enrol(trainee, "test-prog", utcnow())
        enrolment.enrolled_at = utcnow() - timedelta(days=entries + 10)
        hours.assign(admin, trainee.email, "test-prog", sup.email, utcnow())
        db.session.commit()
        ids = []
        for n in range(entries):
            form = hours.EntrySubmission(
                date.today() - timedelta(days=n + 1),
                "1",
                "advocacy",
                "peer-group",
                "direct",
                "Co-facilitated a peer group.",
                sup.id,
            )
            ids.append(
                hours.log_entry(db.session.get(User, trainee.id), enrolment.id, form, utcnow()).id
            )
        db.session.commit()
        return sup.id, ids


def approval_under_outage(engine: str, repeat: int) -> dict[str, Any]:
    from bench.common import session_for

    url = fresh_database(engine, "bench_outbox_approval")
    app = make_app(url)
    entries = APPROVALS_PER_PHASE * repeat * 2 + 5
    with tempfile.TemporaryDirectory() as tmp:
        sup_id, ids = _people(app, Path(tmp), entries)
    cookie, token = session_for(app, sup_id)
    client = app.test_client()
    client.set_cookie("session", cookie)
    app.config["WTF_CSRF_ENABLED"] = False

    sink = SMTPSink()
    sink.set_mode("up")
    hang_port = free_port()
    silent = socket.socket()
    silent.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    silent.bind(("127.0.0.1", hang_port))
    silent.listen(64)  # accepts connections, never greets
    times: dict[str, list[float]] = {"up": [], "hanging": []}
    medians: dict[str, list[float]] = {"up": [], "hanging": []}
    pending = iter(ids)
    try:
        phases = [("up", sink.url), ("hanging", f"smtp://127.0.0.1:{hang_port}")]
        for rep in range(repeat):
            # ABBA order: each later phase approves into a longer history (requirements read
            # every approved entry), so alternate which phase goes first to cancel the drift.
            for phase, smtp_url in phases if rep % 2 == 0 else phases[::-1]:
                worker = _worker(url, smtp_url)
                time.sleep(1.5)  # the worker is up and polling
                phase_times = []
                for _ in range(APPROVALS_PER_PHASE):
                    entry = next(pending)
                    t0 = time.perf_counter()
                    r = client.post(
                        "/supervise/decide",
                        data={"entry": entry, "action": "approve", "attest": "1"},
                    )
                    phase_times.append(time.perf_counter() - t0)
                    if r.status_code != 302:
                        raise RuntimeError(f"approval answered {r.status_code}")
                _stop([worker])
                times[phase].extend(phase_times)
                medians[phase].append(statistics.median(phase_times))
                log(
                    f"  {engine} approval, SMTP {phase}: median "
                    f"{1000 * statistics.median(phase_times):.1f} ms"
                )
    finally:
        sink.close()
        silent.close()
    from trainer.extensions import db
    from trainer.models import OutboxMessage

    with app.app_context():
        written = db.session.query(OutboxMessage).count()
        sent = db.session.query(OutboxMessage).filter_by(status="sent").count()
        db.engine.dispose()
    up, hanging = statistics.median(times["up"]), statistics.median(times["hanging"])
    return {
        "up_ms": summary([1000 * m for m in medians["up"]]),
        "hanging_ms": summary([1000 * m for m in medians["hanging"]]),
        "ratio": hanging / up,
        "requests_per_phase": APPROVALS_PER_PHASE,
        "messages_written": written,
        "messages_sent": sent,  # by the end; mail queued while the server hung waits to retry
    }


def delivery_rate(engine: str, workers: int, repeat: int, n: int = MESSAGES) -> dict[str, Any]:
    from trainer.extensions import db
    from trainer.services import outbox

    url = fresh_database(engine, "bench_outbox_rate")
    app = make_app(url)
    rates = []
    for rep in range(repeat):
        with app.app_context():
            db.session.execute(db.text("DELETE FROM outbox_messages"))
            for i in range(n):
                outbox.queue_mail(f"person{i}@bench.example", f"Message {i}", "Hello.\n" * 20)
            db.session.commit()
        sink = SMTPSink()
        sink.set_mode("up")
        procs = [_worker(url, sink.url) for _ in range(workers)]
        try:
            deadline = time.monotonic() + 600
            first = None
            while len(sink.received) < n:
                if first is None and sink.received:
                    first = time.perf_counter()
                if time.monotonic() > deadline:
                    raise RuntimeError(f"only {len(sink.received)} of {n} delivered")
                time.sleep(0.01)
            last = time.perf_counter()
        finally:
            _stop(procs)
            sink.close()
        ids = sink.message_ids()
        if len(set(ids)) != n or len(ids) != n:
            raise RuntimeError(f"{len(ids)} deliveries of {len(set(ids))} messages")
        rate = (n - 1) / (last - (first or last))
        rates.append(rate)
        log(f"  {engine}, {workers} worker(s), run {rep + 1}: {rate:.0f} messages/s")
    with app.app_context():
        db.engine.dispose()
    return {"messages": n, "rate": summary(rates)}


def measure(engines: list[str], repeat: int) -> dict[str, Any]:
    out: dict[str, Any] = {"approval": {}, "delivery": {}}
    for engine in engines:
        log(f"outbox: approval with SMTP up and hanging, {engine}")
        out["approval"][engine] = approval_under_outage(engine, repeat)
        for workers in (1, 2):
            log(f"outbox: delivery rate, {engine}, {workers} worker(s)")
            out["delivery"][f"{engine}:{workers}"] = delivery_rate(engine, workers, repeat)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--output", default=str(ROOT / "BENCHMARKS.md"))
    args = parser.parse_args()
    from bench.report import machine_line, render_outbox, replace_section

    results = measure([e for e in args.engines.split(",") if e], args.repeat)
    section = render_outbox(results, machine_line())
    path = Path(args.output)
    path.write_text(replace_section(path.read_text() if path.exists() else "", section))
    log(f"wrote the outbox section of {path}")


if __name__ == "__main__":
    os.environ.setdefault("TRAINER_BENCH", "1")
    sys.exit(main())
