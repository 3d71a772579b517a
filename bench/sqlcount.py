"""SQL statements per page, counted in-process, and pyinstrument profiles of pages.

Statements are counted with a ``before_cursor_execute`` listener while the Flask test client
asks for the page (after one warm-up request), leaving out transaction control (BEGIN,
COMMIT, SAVEPOINT, PRAGMA), as the test suite's ``count_queries`` does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.load import Request

CONTROL = re.compile(r"\s*(SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT|PRAGMA)", re.I)


@contextmanager
def counting(app: Any) -> Iterator[list[str]]:
    from sqlalchemy import event

    from trainer.extensions import db

    statements: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not CONTROL.match(statement):
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def _ask(client: Any, req: Request) -> int:
    if req.cookie:
        client.set_cookie("session", req.cookie, domain="localhost")
    else:
        client.delete_cookie("session", domain="localhost")
    headers = {"User-Agent": "trainer-bench/1"}
    environ = {"REMOTE_ADDR": "127.0.0.1"}
    if req.method == "GET":
        response = client.get(req.path, headers=headers, environ_base=environ)
    else:
        response = client.post(req.path, data=req.form, headers=headers, environ_base=environ)
    status = response.status_code
    response.close()
    if status not in req.expect:
        raise RuntimeError(f"{req.method} {req.path} answered {status}")
    return status


def statements(app: Any, requests: list[Request]) -> list[int]:
    """Statements of each request (after one warm-up pass)."""
    client = app.test_client()
    for req in requests:
        _ask(client, req)
    counts = []
    for req in requests:
        with counting(app) as seen:
            _ask(client, req)
        counts.append(len(seen))
    return counts


def profile(app: Any, requests: list[Request], repeat: int, out: Path) -> str:
    """Profile ``repeat`` passes over the requests; write HTML and return the text report."""
    from pyinstrument import Profiler

    client = app.test_client()
    for req in requests:
        _ask(client, req)
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(repeat):
        for req in requests:
            _ask(client, req)
    profiler.stop()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(profiler.output_html())
    return profiler.output_text(unicode=True, color=False, show_all=False)
