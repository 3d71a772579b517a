"""Readers and writers at once: pages that only read never wait for the write lock on SQLite
(deferred transactions on the write-ahead log) and never fail; the reader's own small write
(a section marked read) takes a short write transaction of its own; nothing is lost."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select

from tests.conftest import Auth
from tests.support.content import write_tree
from tests.support.exams import load
from tests.support.hours import supervised_trainee
from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models import HourEntry, SectionRead

WRITERS, READERS, ROUNDS = 3, 5, 12


def test_readers_and_writers_mixed(
    app: Any, tmp_path: Path, make_user: Any, database_url: str
) -> None:
    load(app, write_tree(tmp_path))
    sup, admin = make_user("supervisor"), make_user("admin")
    trainees = [make_user("trainee") for _ in range(WRITERS + READERS)]
    enrolments = [supervised_trainee(app, t, sup, admin) for t in trainees]
    begins: list[str] = []
    with app.app_context():
        engine = db.engine

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.upper().startswith("BEGIN"):
            begins.append(statement.upper())

    event.listen(engine, "before_cursor_execute", seen)
    statuses: Counter[tuple[str, int]] = Counter()
    errors: list[BaseException] = []
    barrier = threading.Barrier(WRITERS + READERS)
    day = (utcnow() - timedelta(days=2)).date().isoformat()

    def writer(n: int) -> None:
        client = app.test_client()
        Auth(client).login(trainees[n])
        barrier.wait()
        for r in range(ROUNDS):
            form = {
                "work_date": day,
                "hours": "1",
                "category": "advocacy",
                "setting": "cmhc",
                "kind": "direct",
                "description": f"Round {r}.",
                "supervisor": str(sup.id),
            }
            response = client.post(f"/hours/{enrolments[n]}/new", data=form)
            statuses[("write", response.status_code)] += 1

    def reader(n: int) -> None:
        client = app.test_client()
        Auth(client).login(trainees[WRITERS + n])
        barrier.wait()
        anchors = ["getting-started", "second-step"]
        for r in range(ROUNDS):
            for path in (
                "/learn/",
                "/learn/programs/test-prog",
                f"/hours/{enrolments[WRITERS + n]}",
                f"/learn/modules/alpha/{anchors[r % 2]}",
            ):
                statuses[("read", client.get(path).status_code)] += 1

    def run(target: Any, n: int) -> None:
        try:
            target(n)
        except BaseException as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=run, args=(writer, n)) for n in range(WRITERS)]
    threads += [threading.Thread(target=run, args=(reader, n)) for n in range(READERS)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert not errors, errors
    assert statuses == Counter(
        {("write", 302): WRITERS * ROUNDS, ("read", 200): READERS * ROUNDS * 4}
    ), statuses
    with app.app_context():
        logged = db.session.scalar(
            select(func.count()).select_from(HourEntry).where(HourEntry.description.like("Round%"))
        )
        read = db.session.scalar(select(func.count()).select_from(SectionRead))
    assert logged == WRITERS * ROUNDS  # every write kept
    assert read == READERS * 2  # every reader's two sections marked read, once each
    if database_url.startswith("sqlite"):
        # reads began deferred; the writes (hour entries, sections marked read) immediate
        assert "BEGIN" in begins and "BEGIN IMMEDIATE" in begins
        assert begins.count("BEGIN") >= READERS * ROUNDS * 3
