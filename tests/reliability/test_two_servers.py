"""More than one machine: two app servers (``trainer serve``, two gunicorn processes each)
on two ports, each with an instance folder of its own, against one PostgreSQL database and
the machine's Redis. What one server does, the other honours: a session, a sign-in rate
limit, an upload; a message queued through one is delivered by exactly one of two workers
running at once. Nothing is written to either server's instance folder.

It always runs against PostgreSQL (several servers on one SQLite file is no deployment),
in both CI passes: it makes a database of its own on 127.0.0.1:5432 and drops it after.
PostgreSQL or Redis missing is a failure, never a skip.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from tests.conftest import PASSWORD, make_config
from tests.support.certificates import PNG
from tests.support.content import write_tree
from tests.support.databases import new_postgres_database
from tests.support.exams import load
from trainer import create_app
from trainer.clock import utcnow
from trainer.config import redis_answers
from trainer.extensions import db
from trainer.services import accounts, learning, outbox

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
REDIS = ("127.0.0.1", 6379)
TRAINEE = "two-servers@example.org"
TRAINER = str(Path(sys.executable).with_name("trainer"))
EXTRA_MESSAGES = 30  # queued besides the one made through a server, so the workers compete


def _admin_url() -> str:
    """The PostgreSQL server to make the test's database on: the suite's, or the local one."""
    suite = os.environ.get("TRAINER_DATABASE_URL", "")
    if suite.startswith("postgresql"):
        return make_url(suite).set(database="postgres").render_as_string(hide_password=False)
    return SERVER


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Node:
    name: str
    url: str
    instance: Path
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None


@dataclass
class Cluster:
    a: Node
    b: Node
    database: Engine
    prefix: str


def _environment(instance: Path, shared: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRAINER_")}
    return {**env, **shared, "TRAINER_INSTANCE_PATH": str(instance), "PYTHONUNBUFFERED": "1"}


def _prepare(url: str, folder: Path) -> None:
    """Schema, content, a trainee enrolled in a program that asks for a document."""
    from flask_migrate import upgrade

    app = create_app(make_config(folder / "setup", url))
    with app.app_context():
        upgrade()
    load(app, write_tree(folder))
    with app.app_context():
        user = accounts.create_user(
            None, TRAINEE, "Two Servers", {"trainee"}, None, password=PASSWORD, now=utcnow()
        )
        learning.enrol(user, "test-prog", utcnow())
        for n in range(EXTRA_MESSAGES):
            outbox.queue_mail(f"queued{n}@example.org", "Queued", "for the two workers")
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def _wait_until_serving(node: Node) -> None:
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        assert node.process is not None
        if node.process.poll() is not None:
            pytest.fail(f"server {node.name} exited:\n{node.log.read_text()[-3000:]}")
        try:
            if requests.get(f"{node.url}/healthz", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    pytest.fail(f"server {node.name} did not answer:\n{node.log.read_text()[-3000:]}")


def _stop(node: Node) -> None:
    if node.process is None or node.process.poll() is not None:
        return
    os.killpg(node.process.pid, signal.SIGTERM)  # gunicorn's master and its workers
    try:
        node.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(node.process.pid, signal.SIGKILL)
        node.process.wait()


def _needs_services() -> None:
    admin = create_engine(_admin_url())
    try:
        with admin.connect():
            pass
    except Exception as error:  # noqa: BLE001 (any reason: say what is needed)
        pytest.fail(f"this test needs PostgreSQL at {_admin_url()} (start it): {error}")
    finally:
        admin.dispose()
    if not redis_answers(*REDIS):
        pytest.fail("this test needs Redis at 127.0.0.1:6379: bash scripts/system-deps.sh")


def _nodes(tmp_path: Path, url: str, prefix: str) -> list[Node]:
    keys = tmp_path / "shared-keys"  # every node mounts the same signing-key folder
    ports = (_free_port(), _free_port())
    shared = {
        "TRAINER_DATABASE_URL": url,
        "TRAINER_SECRET_KEY": secrets.token_hex(32),
        "TRAINER_RATELIMIT_STORAGE_URL": f"redis://{REDIS[0]}:{REDIS[1]}",
        "TRAINER_RATELIMIT_KEY_PREFIX": prefix,
        "TRAINER_SIGNING_KEY_PATH": str(keys / "key-1.pem"),
        "TRAINER_SIGNING_KEY_DIR": str(keys),
        "TRAINER_TWO_FACTOR_REQUIRED_ROLES": "none",
        "TRAINER_BASE_URL": f"http://127.0.0.1:{ports[0]}",  # the load balancer's address
    }
    nodes = []
    for label, port in zip("ab", ports, strict=True):
        instance = tmp_path / f"node-{label}"
        instance.mkdir()
        nodes.append(
            Node(
                label,
                f"http://127.0.0.1:{port}",
                instance,
                _environment(instance, shared),
                tmp_path / f"server-{label}.log",
            )
        )
    return nodes


def _start(node: Node) -> None:
    with node.log.open("wb") as log:
        port = node.url.rsplit(":", 1)[1]
        node.process = subprocess.Popen(  # noqa: S603 (our own command)
            [TRAINER, "serve", "--host", "127.0.0.1", "--port", port, "--workers", "2"],
            env=node.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    _needs_services()
    prefix = f"trainer-two-{secrets.token_hex(4)}"
    with new_postgres_database(_admin_url(), "trainer_two") as url:
        nodes = _nodes(tmp_path, url, prefix)
        database = create_engine(url)
        try:
            _prepare(url, tmp_path)
            for node in nodes:
                _start(node)
            for node in nodes:
                _wait_until_serving(node)
            yield Cluster(nodes[0], nodes[1], database, prefix)
        finally:
            for node in nodes:
                _stop(node)
            database.dispose()
            _forget_counts(prefix)


def _forget_counts(prefix: str) -> None:
    import redis

    client = redis.Redis(*REDIS)
    try:
        keys = list(client.scan_iter(f"*{prefix}*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def _csrf(html: str) -> str:
    field = re.search(r'<input[^>]*name="csrf_token"[^>]*>', html)
    assert field, "no CSRF field on the page"
    value = re.search(r'value="([^"]+)"', field.group(0))
    assert value
    return value.group(1)


def _with_cookie_of(browser: requests.Session) -> requests.Session:
    """A new client that carries ``browser``'s session cookie (as a load balancer without
    sticky sessions would send the next request to the other server)."""
    other = requests.Session()
    other.cookies.set("session", browser.cookies.get("session"))
    return other


def _session_and_upload(c: Cluster) -> None:
    a = requests.Session()
    token = _csrf(a.get(f"{c.a.url}/login", timeout=10).text)
    signed = a.post(
        f"{c.a.url}/login",
        data={"email": TRAINEE, "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
        timeout=10,
    )
    assert signed.status_code == 302, signed.text[:500]
    b = _with_cookie_of(a)
    home = b.get(f"{c.b.url}/learn/", allow_redirects=False, timeout=10)
    assert home.status_code == 200 and "Two Servers" in home.text  # signed in on B too

    page = a.get(f"{c.a.url}/learn/programs/test-prog", timeout=10)
    uploaded = a.post(
        f"{c.a.url}/learn/programs/test-prog/documents/reference-letter",
        data={"csrf_token": _csrf(page.text)},
        files={"file": ("letter.png", PNG, "image/png")},
        allow_redirects=False,
        timeout=10,
    )
    assert uploaded.status_code == 302, uploaded.text[:500]
    with c.database.connect() as conn:
        document = conn.execute(text("SELECT id FROM document_uploads")).scalar_one()
    got = b.get(f"{c.b.url}/learn/documents/{document}", timeout=10)
    assert got.status_code == 200 and got.content == PNG  # stored through A, read through B


def _rate_limit(c: Cluster) -> None:
    """LOGIN_RATE_LIMIT is 5 a minute per account (attempts, right or wrong): five wrong
    passwords through A use it up; the sixth, through B, is refused."""
    client = requests.Session()
    token = _csrf(client.get(f"{c.a.url}/login", timeout=10).text)
    form = {"email": "guessed@example.org", "password": "not it", "csrf_token": token}
    for _ in range(5):
        wrong = client.post(f"{c.a.url}/login", data=form, timeout=10)
        assert wrong.status_code == 200 and "do not match" in wrong.text
    refused = _with_cookie_of(client).post(f"{c.b.url}/login", data=form, timeout=10)
    assert refused.status_code == 429, refused.text[:500]
    assert "Too many attempts" in refused.text


def _one_delivery_each(c: Cluster, tmp_path: Path) -> None:
    anonymous = requests.Session()
    token = _csrf(anonymous.get(f"{c.a.url}/forgot", timeout=10).text)
    asked = anonymous.post(
        f"{c.a.url}/forgot",
        data={"email": TRAINEE, "csrf_token": token},
        allow_redirects=False,
        timeout=10,
    )
    assert asked.status_code == 302
    logs = [tmp_path / "worker-a.log", tmp_path / "worker-b.log"]
    workers = []
    for node, log in zip((c.a, c.b), logs, strict=True):
        with log.open("wb") as out:
            workers.append(
                subprocess.Popen(  # noqa: S603 (our own command)
                    [TRAINER, "worker", "--once"],
                    env=node.env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
    for worker in workers:
        assert worker.wait(timeout=60) == 0
    said = "".join(log.read_text() for log in logs)
    addresses = [TRAINEE] + [f"queued{n}@example.org" for n in range(EXTRA_MESSAGES)]
    counts = {a: said.count(f"mail to {a}: ") for a in addresses}
    assert counts == dict.fromkeys(addresses, 1), counts  # each delivered, none twice
    with c.database.connect() as conn:
        rows = conn.execute(
            text('SELECT status, attempts, transport FROM outbox_messages WHERE "to" = ANY(:a)'),
            {"a": addresses},
        ).all()
    assert len(rows) == len(addresses)
    assert {tuple(r) for r in rows} == {("sent", 0, "log")}, rows


def test_two_servers_share_everything(cluster: Cluster, tmp_path: Path) -> None:
    started = time.monotonic()
    _session_and_upload(cluster)
    _rate_limit(cluster)
    _one_delivery_each(cluster, tmp_path)
    for node in (cluster.a, cluster.b):  # nothing lives on one node's disk
        written = sorted(p.name for p in node.instance.rglob("*"))
        assert written == [], (node.name, written)
    assert time.monotonic() - started < 60
