"""The database goes away while the app serves: people get a plain 503 (JSON under /api/),
nothing half-written; when it is back, the same running app serves again.

On PostgreSQL the server is really stopped and started (pg_ctlcluster). On SQLite the
outage that happens in practice is a lock held longer than the wait (another process in a
long write): the same page must come out."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from tests.conftest import Auth
from trainer.extensions import db
from trainer.models import User


@pytest.fixture
def app_config(database_url: str) -> dict[str, Any]:
    if database_url.startswith("sqlite"):
        return {"SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"timeout": 0.2}}}
    return {}


def _cluster() -> list[str]:
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[0]
    ctl = shutil.which("pg_ctlcluster") or "/usr/bin/pg_ctlcluster"
    return [ctl, "--skip-systemctl-redirect", version, "main"]


def _pg_ready() -> bool:
    return (
        subprocess.run(  # noqa: S603
            ["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"], check=False
        ).returncode
        == 0
    )


@contextmanager
def outage(database_url: str) -> Iterator[None]:
    if database_url.startswith("postgresql"):
        subprocess.run([*_cluster(), "stop", "-m", "fast"], check=True, timeout=120)  # noqa: S603
        try:
            yield
        finally:
            subprocess.run([*_cluster(), "start"], check=True, timeout=120)  # noqa: S603
            deadline = time.monotonic() + 60
            while not _pg_ready() and time.monotonic() < deadline:
                time.sleep(0.2)
        return
    path = make_url(database_url).database
    assert path
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # a long writer elsewhere holds the lock
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_requests_during_a_database_outage(app: Any, make_user: Any, database_url: str) -> None:
    trainee = make_user("trainee", name="Dana Diaz")
    client = app.test_client()
    Auth(client).login(trainee)
    assert client.get("/learn/").status_code == 200
    with app.app_context():
        people = db.session.scalar(select(func.count()).select_from(User))

    sqlite = database_url.startswith("sqlite")
    with outage(database_url):
        page = client.get("/learn/")
        if sqlite:
            # a long writer holds the write lock: pages that only read are still served
            # (deferred read transactions on the write-ahead log), writes wait and give up
            assert page.status_code == 200 and "Dana Diaz" in page.text
        else:
            assert page.status_code == 503
            assert "briefly unavailable" in page.text and "Nothing was saved" in page.text
            assert page.headers["Retry-After"] == "30"
            assert page.headers["Cache-Control"] == "no-store"
            assert "Dana Diaz" not in page.text  # no account lookup on this page
        form = app.test_client().post(
            "/register",
            data={
                "legal_name": "New Person",
                "email": "new@example.org",
                "password": "a long enough password",
                "confirm": "a long enough password",
                "timezone": "UTC",
            },
        )
        assert form.status_code == 503
        assert "briefly unavailable" in form.text and "Nothing was saved" in form.text
        assert form.headers["Retry-After"] == "30"
        assert form.headers["Cache-Control"] == "no-store"
        assert client.get("/healthz").status_code == 200
        if not sqlite:
            api = client.get(
                "/api/v1/registry/certificates", headers={"Authorization": "Bearer trn_x"}
            )
            assert api.status_code == 503 and api.is_json
            assert api.get_json()["error"]["code"] == "service_unavailable"
            ready = client.get("/readyz")
            assert ready.status_code == 503
            assert ready.get_json()["checks"]["database"] == {"ok": False}

    # back: the same app (no restart) serves again, and nothing was half-written
    deadline = time.monotonic() + 30
    while (page := client.get("/learn/")).status_code == 503 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert page.status_code == 200 and "Dana Diaz" in page.text
    assert client.get("/readyz").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == people
