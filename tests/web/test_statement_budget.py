"""The hot pages each run at most 8 SQL statements, and the same number with ten times the
data (more hours, more certificates, more reading). Issue 14's budget."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Auth
from tests.support.certificates import (
    TEST_PROG_HOURS,
    approve,
    everything_but_hours,
    log_hours,
)
from tests.support.content import write_tree
from tests.support.exams import complete_program_modules, load
from tests.support.registry import make_certificates

BUDGET = 8


@pytest.fixture
def world(app: Any, tmp_path: Path, make_user: Any) -> dict[str, Any]:
    load(app, write_tree(tmp_path))
    sup, admin = make_user("supervisor"), make_user("admin")
    trainee = make_user("trainee", name="Casey Candidate")
    eid = everything_but_hours(app, trainee, sup, admin)
    ids = log_hours(app, trainee, sup, eid, [("1", "advocacy", "direct")] * 3)
    approve(app, sup, ids[:1])
    holder = make_user("trainee", name="Harper Holder")
    held = everything_but_hours(app, holder, sup, admin)
    approve(app, sup, log_hours(app, holder, sup, held, TEST_PROG_HOURS))
    taker = make_user("trainee")
    complete_program_modules(app, taker.id, "test-prog")
    clients = {}
    for name, person in (
        ("trainee", trainee),
        ("taker", taker),
        ("holder", holder),
        ("sup", sup),
        ("board", make_user("board", jurisdiction="TS")),
        ("admin", admin),
    ):
        clients[name] = app.test_client()
        Auth(clients[name]).login(person)
    started = clients["taker"].post("/exam/programs/test-prog/start")
    attempt = int(re.search(r"/exam/(\d+)/q/1", started.headers["Location"]).group(1))
    practising = _practice(clients["taker"])
    practised = _practice(clients["trainee"])
    clients["trainee"].post(f"/exam/practice/{practised}/finish")
    numbers = make_certificates(app, 3, "TS", names=["Ada Turner", "Bo Turner", "Cy Lee"])
    return {
        "app": app,
        "clients": clients,
        "trainee": trainee,
        "sup": sup,
        "enrolment": eid,
        "attempt": attempt,
        "practising": practising,
        "practised": practised,
        "number": numbers[0],
    }


def _practice(client: Any) -> int:
    """Start a practice exam; its attempt id."""
    started = client.post("/exam/practice/programs/test-prog/start")
    return int(re.search(r"/exam/practice/(\d+)/q/1", started.headers["Location"]).group(1))


def _pages(w: dict[str, Any]) -> dict[str, tuple[str, str, str, dict[str, str] | None]]:
    """name -> (who, method, path, form)."""
    a, p = w["attempt"], w["practising"]
    return {
        "trainee home": ("trainee", "GET", "/learn/", None),
        "program page": ("trainee", "GET", "/learn/programs/test-prog", None),
        "trainee home, certified": ("holder", "GET", "/learn/", None),
        "program page, certified": ("holder", "GET", "/learn/programs/test-prog", None),
        "module reader": ("trainee", "GET", "/learn/modules/alpha/getting-started", None),
        "quiz intro": ("trainee", "GET", "/learn/modules/alpha/quiz", None),
        "hour form": ("trainee", "GET", f"/hours/{w['enrolment']}/new", None),
        "hours page": ("trainee", "GET", f"/hours/{w['enrolment']}", None),
        "exam question": ("taker", "GET", f"/exam/{a}/q/2", None),
        "exam save": ("taker", "POST", f"/exam/{a}/q/2", {"answer": "o1", "go": "next"}),
        "exam review": ("taker", "GET", f"/exam/{a}/review", None),
        "exam submit confirmation": ("taker", "GET", f"/exam/{a}/submit", None),
        "exam submit refused": ("taker", "POST", f"/exam/{a}/submit", {}),
        "practice start page": ("taker", "GET", "/exam/practice/programs/test-prog", None),
        "practice question": ("taker", "GET", f"/exam/practice/{p}/q/1", None),
        "practice save": ("taker", "POST", f"/exam/practice/{p}/q/1", {"answer": "o1"}),
        "practice finish page": ("taker", "GET", f"/exam/practice/{p}/finish", None),
        "practice answers": ("trainee", "GET", f"/exam/practice/{w['practised']}/result", None),
        "supervisor queue": ("sup", "GET", "/supervise/queue", None),
        "supervisor home": ("sup", "GET", "/supervise/", None),
        "supervisor credentials": ("sup", "GET", "/supervise/qualifications", None),
        "sessions, supervisor": (
            "sup",
            "GET",
            f"/supervise/trainees/{w['enrolment']}/sessions",
            None,
        ),
        "sessions, trainee": ("trainee", "GET", f"/hours/{w['enrolment']}/sessions", None),
        "admin credentials to verify": ("admin", "GET", "/admin/qualifications", None),
        "board overview": ("board", "GET", "/board/", None),
        "registry search": ("board", "GET", "/board/registry?q=turner", None),
        "verify": ("anon", "GET", f"/verify/{w['number']}", None),
        "issuer DID document": ("anon", "GET", "/.well-known/did.json", None),
        "revocation status list": ("anon", "GET", "/credentials/status/revocation", None),
    }


def _measure(w: dict[str, Any], count_queries: Any) -> dict[str, int]:
    counts = {}
    for name, (who, method, path, form) in _pages(w).items():
        client = w["clients"].get(who) or w["app"].test_client()
        ask = client.get if method == "GET" else client.post
        ask(path, data=form)  # warm: first reads, caches
        with count_queries() as q:
            response = ask(path, data=form)
        assert response.status_code in (200, 302, 422), (name, response.status_code)
        counts[name] = q.count
    return counts


def test_hot_pages_stay_within_the_budget_whatever_the_data(
    world: dict[str, Any], count_queries: Any, app: Any
) -> None:
    small = _measure(world, count_queries)
    over = {name: n for name, n in small.items() if n > BUDGET}
    assert not over, f"over {BUDGET} statements: {over}"
    # ten times the data
    plan = [("1", "advocacy", "direct"), ("2", "ethical-responsibility", "supervision")] * 15
    ids = log_hours(app, world["trainee"], world["sup"], world["enrolment"], plan)
    approve(app, world["sup"], ids[::2])
    make_certificates(app, 30, "TS", names=[f"Person {n} Turner" for n in range(30)])
    assert _measure(world, count_queries) == small
