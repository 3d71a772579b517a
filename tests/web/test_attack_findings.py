"""What an adversarial probe of a fresh instance found, each as a test that failed before
its fix: ids past the database's range, unbounded dates, an open redirect, sign-up that
told who has an account, API answers that could be cached, numbers in other scripts,
text cut short without a word, and sign-in limits that each worker process counted alone."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
from datetime import date, timedelta
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.conftest import Auth
from tests.support.content import write_tree
from tests.support.exams import load
from tests.support.smtp import free_port
from trainer.config import redis_answers
from trainer.extensions import db
from trainer.models import CEEntry, HourEntry
from trainer.web.inputs import MAX_ID, parse_id, safe_target

BIG = str(2**63)


def _client(app: Any, user: Any) -> Any:
    client = app.test_client()
    Auth(client).login(user)
    return client


@pytest.fixture
def world(supervised: dict[str, Any]) -> dict[str, Any]:
    return supervised


def test_ids_beyond_the_database_range_are_not_found(app: Any, world: dict[str, Any]) -> None:
    trainee = _client(app, world["trainee"])
    for path in (
        f"/hours/{BIG}",
        f"/learn/documents/{BIG}",
        f"/exam/{BIG}/result",
        f"/hours/{2**31}",
        "/hours/٣",
        f"/exam/1/q/{BIG}",
    ):
        assert trainee.get(path).status_code == 404, path
    admin = _client(app, world["admin"])
    assert admin.get(f"/admin/users/{BIG}").status_code == 404
    board = app.test_client()
    assert board.post(f"/board/tokens/{BIG}/revoke").status_code in (302, 404)
    sup = _client(app, world["sup"])
    assert sup.get(f"/supervise/queue?trainee={BIG}").status_code == 200
    r = sup.post("/supervise/decide", data={"entry": [BIG, "٣"], "action": "approve"})
    assert r.status_code == 302  # "choose at least one entry", not a server error
    assert parse_id(str(MAX_ID)) == MAX_ID and parse_id(str(MAX_ID + 1)) is None
    assert parse_id("٣") is None and parse_id("-1") is None and parse_id("0") is None


def test_dates_far_in_the_future_are_refused_with_a_message(
    app: Any, world: dict[str, Any]
) -> None:
    admin = _client(app, world["admin"])
    r = admin.get("/admin/audit", query_string={"date_to": "9999-12-31"})
    assert r.status_code == 200 and "Enter a date between 1900 and 2199." in r.text
    sup = _client(app, world["sup"])
    assert sup.get("/supervise/queue?to=9999-12-31").status_code == 200


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/x",
        "/\\evil.example",
        "\\\\evil.example",
        "https://evil.example/",
        "javascript:alert(1)",
        "/queue\r\nSet-Cookie: x=1",
        " //evil.example",
    ],
)
def test_no_redirect_leaves_the_site(app: Any, world: dict[str, Any], target: str) -> None:
    assert safe_target(target, "/fallback") == "/fallback"
    sup = _client(app, world["sup"])
    r = sup.post("/supervise/decide", data={"entry": "1", "action": "approve", "back": target})
    assert r.status_code == 302 and r.headers["Location"] == "/supervise/queue"
    login = app.test_client().post(
        f"/login?next={urllib.parse.quote(target)}",
        data={"email": world["sup"].email, "password": "correct horse battery"},
    )
    assert login.headers["Location"] == "/supervise/"
    assert safe_target("/supervise/queue?page=2", "/x") == "/supervise/queue?page=2"


def test_registry_api_answers_are_never_cached(app: Any, make_user: Any, tmp_path: Path) -> None:
    from trainer.clock import utcnow
    from trainer.models import User
    from trainer.services import api_tokens

    load(app, write_tree(tmp_path))
    board = make_user("board", jurisdiction="TS")
    with app.app_context():
        _, secret = api_tokens.create(db.session.get(User, board.id), "t", 30, utcnow())
        db.session.commit()
    client = app.test_client()
    ok = client.get("/api/v1/registry/certificates", headers={"Authorization": f"Bearer {secret}"})
    assert ok.status_code == 200 and ok.headers["Cache-Control"] == "no-store"
    refused = client.get("/api/v1/registry/certificates")
    assert refused.status_code == 401 and refused.headers["Cache-Control"] == "no-store"
    missing = client.get(
        "/api/v1/registry/certificates/NOPE", headers={"Authorization": f"Bearer {secret}"}
    )
    assert missing.status_code == 404 and missing.headers["Cache-Control"] == "no-store"
    public = client.get("/api/v1/openapi.json")
    assert "no-store" not in public.headers.get("Cache-Control", "")


def test_numbers_in_other_scripts_are_not_numbers(app: Any, world: dict[str, Any]) -> None:
    trainee = _client(app, world["trainee"])
    data = {
        "work_date": (date.today() - timedelta(days=2)).isoformat(),
        "category": "advocacy",
        "setting": "peer-group",
        "kind": "direct",
        "supervisor": str(world["sup"].id),
        "description": "Ran a group.",
    }
    for hours in ("٣", "１", "1e1", "nan", "Infinity", "1_0"):
        r = trainee.post(f"/hours/{world['enrolment']}/new", data={**data, "hours": hours})
        assert r.status_code == 200 and "Enter the hours as a number" in r.text, hours
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(HourEntry)) == 0
    assert (
        trainee.post(f"/hours/{world['enrolment']}/new", data={**data, "hours": "1.5"}).status_code
        == 302
    )


def test_over_long_text_is_refused_not_cut(app: Any, tmp_path: Path, make_user: Any) -> None:
    from tests.support.certificates import TEST_PROG_HOURS, approve, everything_but_hours, log_hours

    load(app, write_tree(tmp_path))
    trainee, sup, admin = make_user("trainee"), make_user("supervisor"), make_user("admin")
    enrolment = everything_but_hours(app, trainee, sup, admin)
    approve(app, sup, log_hours(app, trainee, sup, enrolment, TEST_PROG_HOURS))
    client = _client(app, trainee)
    page = client.get("/learn/programs/test-prog").text
    action = re.search(r'action="(/learn/certificates/\d+/ce)"', page).group(1)
    data = {"completed_on": date.today().isoformat(), "hours": "2", "topic": ""}
    r = client.post(action, data={**data, "title": "A" * 100_000}, follow_redirects=True)
    assert "Shorten the name of the course or event to 200 characters." in r.text
    r = client.post(action, data={**data, "hours": "٢", "title": "Ethics"}, follow_redirects=True)
    assert "Enter the date (YYYY-MM-DD) and the hours as a number." in r.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CEEntry)) == 0


@pytest.mark.parametrize(
    "app_config",
    [
        {
            "RATELIMIT_ENABLED": True,
            "LOGIN_RATE_LIMIT": "3 per minute",
            "LOGIN_RATE_LIMIT_ADDRESS": "100 per minute",
        }
    ],
)
def test_registration_is_rate_limited_per_address(client: Any) -> None:
    data = {
        "legal_name": "Robin",
        "email": "robin@example.org",
        "timezone": "UTC",
        "password": "a long enough password",
        "confirm": "a long enough password",
    }
    answers = [client.post("/register", data=data).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]


def _serve(database_url: str, instance_dir: Path, port: int) -> subprocess.Popen[str]:
    env = dict(os.environ)
    env.pop("TRAINER_RATELIMIT_STORAGE_URL", None)  # the default: the machine's Redis
    env.update(
        TRAINER_DATABASE_URL=database_url,
        TRAINER_INSTANCE_PATH=str(instance_dir),
        TRAINER_SECRET_KEY="test-secret-key-not-for-production",
        TRAINER_RATELIMIT_KEY_PREFIX=f"trainer-test-{uuid.uuid4().hex}",  # counts of this run only
    )
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "trainer", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_the_sign_in_limit_holds_across_two_worker_processes(
    app: Any, make_user: Any, database_url: str, instance_dir: Path
) -> None:
    """Two gunicorn processes, the default storage (this machine's Redis): 5 attempts per
    address per minute in all, whichever process answers each."""
    assert redis_answers("127.0.0.1", 6379), "Redis must run on 127.0.0.1:6379 (.ci/run starts it)"
    victim = make_user(email=f"victim-{uuid.uuid4().hex[:8]}@example.org")
    port = free_port()
    server = _serve(database_url, instance_dir, port)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)  # noqa: S310 (loopback)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError("the server did not start") from None
                time.sleep(0.2)
        statuses: list[int] = []
        lock = threading.Lock()

        def attempts(n: int) -> None:
            jar = CookieJar()
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
            page = opener.open(base + "/login", timeout=10).read().decode()
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
            for _ in range(n):
                body = urllib.parse.urlencode(
                    {"csrf_token": token, "email": victim.email, "password": "wrong guess!"}
                ).encode()
                try:
                    status = opener.open(base + "/login", body, timeout=10).status
                except urllib.error.HTTPError as error:
                    status = error.code
                with lock:
                    statuses.append(status)

        threads = [threading.Thread(target=attempts, args=(6,)) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        server.terminate()
        log = server.communicate(timeout=30)[0]
    assert sorted(statuses) == [200] * 5 + [429] * 7, statuses
    pids = set(re.findall(r'"POST /login HTTP/1.1" \d+ \d+ .* pid=<?(\d+)', log))
    assert len(pids) == 2, f"one process answered every attempt: {pids}"


def test_without_redis_one_process_serves_with_threads() -> None:
    """Memory storage counts per process: then `trainer serve` runs one process, so the
    limits still count every request."""
    from trainer.server import options

    assert options("127.0.0.1", 5000, 2, "memory://")["workers"] == 1
    assert options("127.0.0.1", 5000, 2, "memory://")["worker_class"] == "gthread"
    assert options("127.0.0.1", 5000, 2, "redis://127.0.0.1:6379")["workers"] == 2
