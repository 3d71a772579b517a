"""/healthz and /readyz: public, cheap, and saying only what monitoring needs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import text

from tests.conftest import Auth
from trainer.clock import utcnow
from trainer.extensions import db
from trainer.services import outbox


def test_healthz_answers_without_the_database(client: Any, count_queries: Any) -> None:
    with count_queries() as q:
        r = client.get("/healthz")
    assert r.status_code == 200 and r.get_json() == {"status": "ok"}
    assert r.headers["Cache-Control"] == "no-store"
    assert q.count == 0


def test_readyz_reports_database_schema_worker_and_failures(
    app: Any, client: Any, run_worker: Any, count_queries: Any
) -> None:
    with count_queries() as q:
        r = client.get("/readyz")
    assert q.count == 3  # schema version, newest heartbeat, failed count: nothing more
    body = r.get_json()
    assert r.status_code == 200  # no worker yet: the web server still serves
    assert body["status"] == "degraded"
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["migrations"] == {"ok": True}
    assert body["checks"]["worker"] == {"ok": False, "last_seen_seconds_ago": None}
    assert client.get("/readyz?require=worker").status_code == 503  # what a monitor asks

    run_worker()
    body = client.get("/readyz?require=worker").get_json()
    assert body["status"] == "ok" and body["checks"]["worker"]["ok"] is True
    assert body["checks"]["outbox"] == {"ok": True, "failed": 0}

    with app.app_context():
        m = outbox.queue_mail("a@example.org", "Hello", "Text")
        m.status = "failed"
        db.session.commit()
    r = client.get("/readyz")
    assert r.status_code == 200 and r.get_json()["status"] == "degraded"
    assert r.get_json()["checks"]["outbox"] == {"ok": False, "failed": 1}
    assert "a@example.org" not in r.text and "Hello" not in r.text  # counts only

    later = utcnow() + timedelta(seconds=app.config["WORKER_STALE_SECONDS"] + 1)
    with app.app_context():
        from trainer.services import health

        assert health.readiness(later)[1]["worker"]["ok"] is False


def test_readyz_is_503_when_the_schema_is_behind(app: Any, client: Any) -> None:
    with app.app_context():
        head = db.session.scalar(text("SELECT version_num FROM alembic_version"))
        db.session.execute(text("UPDATE alembic_version SET version_num = 'dc457dda316a'"))
        db.session.commit()
    try:
        r = client.get("/readyz")
        assert r.status_code == 503
        assert r.get_json()["status"] == "unavailable"
        assert r.get_json()["checks"]["migrations"] == {"ok": False}
    finally:
        with app.app_context():
            db.session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
            db.session.commit()


def test_admin_pages_of_the_outbox_run_constant_queries(
    app: Any, client: Any, make_user: Any, count_queries: Any, run_worker: Any
) -> None:
    Auth(client).login(make_user("admin"))

    def measure() -> tuple[int, int]:
        with count_queries() as home:
            assert client.get("/admin/").status_code == 200
        with count_queries() as page:
            assert client.get("/admin/outbox").status_code == 200
        return home.count, page.count

    def add(n: int) -> None:
        with app.app_context():
            for i in range(n):
                outbox.queue_mail(f"p{i}@example.org", f"S {i}", "B")
            db.session.commit()

    add(3)
    few = measure()
    add(40)
    run_worker()
    add(5)
    assert measure() == few
    # each page: account (one statement), its reads, failures and heartbeat (on the overview
    # in one statement with the audit chain's last check), and the review queue's counts in
    # the navigation; the overview also lists the oldest waiting items
    assert few == (7, 6)
