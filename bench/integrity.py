"""Integrity under load, through gunicorn: exam takers saving and submitting at once, and
supervisors approving overlapping queues. Then the database is checked, not the responses.

- 100 exam takers (each with a seeded open attempt) save an answer to every question as fast
  as they can, meet at a barrier, and submit twice at the same instant (a double click):
  every attempt must be scored exactly once (one ``exam.submitted`` audit row, points on
  every question), and every answer the server acknowledged must be the one stored.
- 20 supervisors, each signed in twice (two tabs), approve pages of their queue; the two
  tabs pick overlapping entries. No entry may be decided twice (one audit row each), and
  every decided entry is decided by its own supervisor.
Zero 5xx responses are allowed in both. This changes the database: run it last.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from typing import Any

from bench.common import session_for
from bench.load import Request, send

ENTRY = re.compile(r'name="entry"\s+value="(\d+)"')


def exam_takers(app: Any, host: str, port: int, cast: dict[str, Any]) -> dict[str, Any]:
    from sqlalchemy import func, select

    from trainer.domain.exam import option_tokens
    from trainer.extensions import db
    from trainer.models import AuditEvent, ExamAttempt, ExamItem

    takers = cast["integrity_takers"]
    with app.app_context():
        forms = {
            a: db.session.execute(
                select(ExamItem.position, ExamItem.option_order)
                .where(ExamItem.attempt_id == a)
                .order_by(ExamItem.position)
            ).all()
            for _, a in takers
        }
        db.session.remove()
    sessions = {a: session_for(app, u) for u, a in takers}
    acknowledged: dict[tuple[int, int], str] = {}  # (attempt, position) -> bank key saved
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(len(takers) * 2)

    def taker(attempt: int, submitter: bool) -> None:
        cookie, token = sessions[attempt]
        if submitter:
            for position, order in forms[attempt]:
                tokens = option_tokens(order)
                pick = (attempt + position) % len(tokens)
                path = f"/exam/{attempt}/q/{position}"
                form = {"csrf_token": token, "answer": tokens[pick], "go": "next"}
                status, _ = send(host, port, Request("POST", path, cookie, form))
                with lock:
                    statuses[status] += 1
                    if status == 302:
                        acknowledged[(attempt, position)] = order[pick]
        barrier.wait()
        status, _ = send(
            host,
            port,
            Request(
                "POST", f"/exam/{attempt}/submit", cookie, {"csrf_token": token, "confirm": "yes"}
            ),
        )
        with lock:
            statuses[status] += 1

    started = time.perf_counter()
    threads = [
        threading.Thread(target=taker, args=(a, s)) for _, a in takers for s in (True, False)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started

    problems: list[str] = []
    ids = [a for _, a in takers]
    with app.app_context():
        attempts = {
            a.id: a for a in db.session.scalars(select(ExamAttempt).where(ExamAttempt.id.in_(ids)))
        }
        scored = dict(
            db.session.execute(
                select(AuditEvent.subject_id, func.count())
                .where(
                    AuditEvent.action.in_(("exam.submitted", "exam.expired")),
                    AuditEvent.subject_type == "ExamAttempt",
                    AuditEvent.subject_id.in_([str(a) for a in ids]),
                )
                .group_by(AuditEvent.subject_id)
            ).all()
        )
        items = db.session.execute(
            select(ExamItem.attempt_id, ExamItem.position, ExamItem.chosen, ExamItem.points).where(
                ExamItem.attempt_id.in_(ids)
            )
        ).all()
        db.session.remove()
    for a in ids:
        attempt = attempts[a]
        if attempt.status != "submitted" or attempt.points is None:
            problems.append(f"attempt {a} is {attempt.status} with points {attempt.points}")
        if scored.get(str(a), 0) != 1:
            problems.append(f"attempt {a} was scored {scored.get(str(a), 0)} times")
    lost = 0
    for attempt_id, position, chosen, points in items:
        key = acknowledged.get((attempt_id, position))
        if key is not None and chosen != [key]:
            lost += 1
        if points is None:
            problems.append(f"attempt {attempt_id} question {position} has no points")
    if lost:
        problems.append(f"{lost} acknowledged answers were not stored")
    return {
        "takers": len(ids),
        "requests": sum(statuses.values()),
        "statuses": dict(statuses),
        "server_errors": sum(v for k, v in statuses.items() if k >= 500),
        "answers_acknowledged": len(acknowledged),
        "answers_lost": lost,
        "attempts_scored_once": sum(1 for a in ids if scored.get(str(a), 0) == 1),
        "seconds": round(seconds, 1),
        "problems": problems[:20],
    }


def supervisors(
    app: Any, host: str, port: int, cast: dict[str, Any], rounds: int = 6, batch: int = 10
) -> dict[str, Any]:
    from sqlalchemy import func, select

    from trainer.extensions import db
    from trainer.models import AuditEvent, HourEntry

    people = cast["approving_supervisors"]
    sessions = {s: session_for(app, s) for s in people}
    statuses: Counter[int] = Counter()
    asked: Counter[int] = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(len(people) * 2)

    def tab(supervisor: int, second: bool) -> None:
        cookie, token = sessions[supervisor]
        barrier.wait()
        for _ in range(rounds):
            status, body = send(host, port, Request("GET", "/supervise/queue", cookie))
            with lock:
                statuses[status] += 1
            ids = ENTRY.findall(body.decode("utf-8", "replace"))
            if not ids:
                break
            # the second tab works half a page behind the first: they overlap
            pick = ids[batch // 2 : batch // 2 + batch] if second else ids[:batch]
            form = {
                "csrf_token": token,
                "entry": pick or ids[:batch],
                "action": "approve",
                "attest": "1",
                "note": "",
                "back": "/supervise/queue",
            }
            status, _ = send(host, port, Request("POST", "/supervise/decide", cookie, form, (302,)))
            with lock:
                statuses[status] += 1
                for i in pick or ids[:batch]:
                    asked[int(i)] += 1

    started_at = time.time()
    started = time.perf_counter()
    threads = [threading.Thread(target=tab, args=(s, b)) for s in people for b in (False, True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started

    problems: list[str] = []
    with app.app_context():
        decisions = dict(
            db.session.execute(
                select(AuditEvent.subject_id, func.count())
                .where(
                    AuditEvent.subject_type == "HourEntry",
                    AuditEvent.action.in_(("hours.approved", "hours.returned", "hours.rejected")),
                    AuditEvent.subject_id.in_([str(i) for i in asked]),
                )
                .group_by(AuditEvent.subject_id)
            ).all()
        )
        rows = db.session.execute(
            select(
                HourEntry.id, HourEntry.status, HourEntry.supervisor_id, HourEntry.decided_by_id
            ).where(HourEntry.id.in_(list(asked)))
        ).all()
        db.session.remove()
    twice = [k for k, v in decisions.items() if v > 1]
    if twice:
        problems.append(f"{len(twice)} entries decided more than once, e.g. {twice[:5]}")
    approved = 0
    for entry_id, status, supervisor_id, decided_by in rows:
        if status == "approved":
            approved += 1
            if decided_by != supervisor_id:
                problems.append(f"entry {entry_id} decided by {decided_by}, not its supervisor")
            if decisions.get(str(entry_id), 0) != 1:
                problems.append(
                    f"entry {entry_id} is approved with "
                    f"{decisions.get(str(entry_id), 0)} decision rows"
                )
        elif status == "pending":
            problems.append(f"entry {entry_id} was asked for and is still pending")
    return {
        "supervisors": len(people),
        "tabs": len(people) * 2,
        "requests": sum(statuses.values()),
        "statuses": dict(statuses),
        "server_errors": sum(v for k, v in statuses.items() if k >= 500),
        "entries_asked": len(asked),
        "entries_asked_twice": sum(1 for v in asked.values() if v > 1),
        "entries_approved": approved,
        "decided_twice": len(twice),
        "seconds": round(seconds, 1),
        "started_at": started_at,
        "problems": problems[:20],
    }
