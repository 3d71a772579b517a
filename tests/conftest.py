"""Fixtures shared by the whole suite.

Every test gets its own app (``app``) bound to the suite's database: a SQLite file by
default, or PostgreSQL when ``TRAINER_DATABASE_URL`` is set. The schema is built once per
run with the real migrations; between tests every table is emptied.

No app context stays pushed during a test: Flask would reuse it for every test-client
request, sharing ``g`` and the database session between requests as production never does.
Code that needs the database outside a request uses ``with app.app_context():`` (or the
``ctx`` fixture).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, text

from trainer import create_app
from trainer.clock import utcnow
from trainer.extensions import db

DATABASE_URL = os.environ.get("TRAINER_DATABASE_URL")
PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def instance_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("instance")


@pytest.fixture(scope="session")
def database_url(instance_dir: Path) -> str:
    return DATABASE_URL or f"sqlite:///{instance_dir / 'test.sqlite3'}"


def _fresh_schema(app: Flask) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        else:
            db.drop_all()
            with db.engine.begin() as conn:
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()


def _empty_tables() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))  # noqa: S608 (our own table names)
            if conn.execute(
                text("SELECT 1 FROM sqlite_master WHERE name='sqlite_sequence'")
            ).first():
                conn.execute(text("DELETE FROM sqlite_sequence"))


def make_config(instance_dir: Path, database_url: str, **overrides: Any) -> dict[str, Any]:
    config = {
        "TESTING": True,
        "INSTANCE_PATH": str(instance_dir),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "WTF_CSRF_ENABLED": False,
        "BASE_URL": "http://localhost",
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",  # each test its own counts
        "TWO_FACTOR_REQUIRED_ROLES": (),  # tests/web/test_two_factor_pages.py requires it
    }
    config.update(overrides)
    return config


@pytest.fixture(scope="session")
def _schema(instance_dir: Path, database_url: str) -> None:
    _fresh_schema(create_app(make_config(instance_dir, database_url)))


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Override in a test module (or parametrise) to change the app's configuration."""
    return {}


@pytest.fixture
def app(
    _schema: None, instance_dir: Path, database_url: str, app_config: dict[str, Any]
) -> Iterator[Flask]:
    from trainer.services import release
    from trainer.services.registry.overview import clear as clear_overviews

    app = create_app(make_config(instance_dir, database_url, **app_config))
    with app.app_context():
        _empty_tables()
    release.clear()  # what a process keeps about the database it serves
    clear_overviews()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    """An app context for the test body (for direct database access)."""
    with app.app_context():
        yield


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


# -- people -------------------------------------------------------------------------------------


@pytest.fixture
def make_user(app: Flask) -> Callable[..., Any]:
    """Create a user: ``make_user("board", jurisdiction="KY")``; returns the User."""
    from trainer.services import accounts

    counter = iter(range(1, 1_000_000))

    def make(
        *roles: str,
        email: str | None = None,
        name: str | None = None,
        jurisdiction: str | None = None,
        password: str = PASSWORD,
        **fields: Any,
    ) -> Any:
        roles = roles or ("trainee",)
        n = next(counter)
        if "board" in roles and jurisdiction is None:
            jurisdiction = "KY"
        organisation = fields.pop("organisation", None)
        if "employer" in roles and organisation is None:
            organisation = "Test Employer Org"
        with app.app_context():
            user = accounts.create_user(
                None,
                email or f"{roles[0]}{n}@example.org",
                name or f"{roles[0].title()} Person {n}",
                set(roles),
                jurisdiction,
                password=password,
                now=utcnow(),
                organisation=organisation,
            )
            for key, value in fields.items():
                setattr(user, key, value)
            db.session.commit()
            db.session.refresh(user)
            _ = user.role_rows
            db.session.expunge(user)
        return user

    return make


class Auth:
    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, user_or_email: Any, password: str = PASSWORD) -> Any:
        email = getattr(user_or_email, "email", user_or_email)
        return self.client.post("/login", data={"email": email, "password": password})

    def logout(self) -> Any:
        return self.client.post("/logout")


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    return Auth(client)


# -- the background worker ---------------------------------------------------------------------


@pytest.fixture
def smtp() -> Iterator[Any]:
    """A real SMTP server on a loopback port (tests/support/smtp.py) that the test can break."""
    from tests.support.smtp import SMTPSink

    sink = SMTPSink()
    sink.set_mode("up")
    try:
        yield sink
    finally:
        sink.close()


@pytest.fixture
def run_worker(app: Flask) -> Callable[..., Any]:
    """``run_worker(now=None)``: one ``trainer worker --once`` pass in-process, at ``now``
    (an aware datetime) or the real time; returns its Summary."""
    from trainer.worker import Worker

    def run(now: Any = None) -> Any:
        from trainer.clock import utcnow

        return Worker(app, clock=(lambda: now) if now is not None else utcnow).run_once()

    return run


# -- SQL statement counting --------------------------------------------------------------------


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app: Flask) -> Callable[[], Any]:
    """``with count_queries() as q: ...`` then ``q.count`` is the number of SQL statements."""

    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()

        def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            if not re.match(
                r"\s*(SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT|PRAGMA)", statement, re.I
            ):
                counter.statements.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counting


# -- content and people ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def curriculum() -> Any:
    """The real content/ tree, parsed once for the tests that only read it."""
    from tests.support.content import REAL_CONTENT
    from trainer.domain.content import parse_tree

    tree, problems = parse_tree(REAL_CONTENT)
    assert tree is not None and problems == [], "\n".join(map(str, problems))
    return tree


@pytest.fixture
def loaded(app: Flask, tmp_path: Path) -> Flask:
    """``app`` with the small test tree (tests/support/content.py) loaded; returns the app."""
    from tests.support.content import write_tree
    from tests.support.exams import load

    load(app, write_tree(tmp_path))
    return app


@pytest.fixture
def client_for(app: Flask) -> Callable[[Any], FlaskClient]:
    """``client_for(user)``: a test client signed in as ``user``."""

    def signed_in(user: Any) -> FlaskClient:
        client = app.test_client()
        Auth(client).login(user)
        return client

    return signed_in


@pytest.fixture
def supervised(loaded: Flask, make_user: Callable[..., Any]) -> dict[str, Any]:
    """A trainee enrolled in test-prog with an assigned supervisor: the people (trainee, sup,
    admin) and the enrolment id."""
    from tests.support.hours import supervised_trainee

    world: dict[str, Any] = {
        "trainee": make_user("trainee", name="Terry Trainee"),
        "sup": make_user("supervisor", name="Sue Supervisor"),
        "admin": make_user("admin"),
    }
    world["enrolment"] = supervised_trainee(loaded, world["trainee"], world["sup"], world["admin"])
    return world


# -- a real server for the browser ---------------------------------------------------------------


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """Serve ``app`` on a free loopback port in a thread; yields the base URL."""
    from werkzeug.serving import make_server

    app.config["WTF_CSRF_ENABLED"] = True
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = base
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base
    finally:
        server.shutdown()
        thread.join(timeout=5)
