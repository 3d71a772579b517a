"""The migrations build exactly the models' schema, and undo cleanly, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text

from tests.conftest import make_config
from tests.support.databases import empty_database as make_empty_database
from trainer import create_app
from trainer.extensions import db


@pytest.fixture
def empty_database(tmp_path: Path, database_url: str) -> Iterator[str]:
    """A brand-new empty database of the suite's kind."""
    with make_empty_database(tmp_path, database_url, "trainer_migrations") as url:
        yield url


def test_migrations_match_the_models_and_downgrade(empty_database: str, instance_dir: Any) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from flask_migrate import downgrade, upgrade

    app = create_app(make_config(instance_dir, empty_database))
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "render_as_batch": True}
            )
            diff = compare_metadata(context, db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        tables = set(inspect(db.engine).get_table_names())
        assert {t.name for t in db.metadata.sorted_tables} <= tables
        downgrade(revision="base")
        left = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert left == set()
        db.engine.dispose()


def test_suite_database_is_the_one_configured(app: Any) -> None:
    """Guards the CI run on PostgreSQL: the suite really talks to the database it was given."""
    with app.app_context():
        expected = (
            "postgresql"
            if os.environ.get("TRAINER_DATABASE_URL", "").startswith("postgresql")
            else "sqlite"
        )
        assert db.engine.dialect.name == expected
        if expected == "sqlite":
            assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_outbox_rows_from_before_the_worker_become_sent_messages(
    empty_database: str, instance_dir: Any
) -> None:
    """Mail written before the outbox had a worker was delivered (or logged) in its request;
    the upgrade marks it sent, keeps how, and gives each row its own Message-ID."""
    from flask_migrate import downgrade, upgrade

    app = create_app(make_config(instance_dir, empty_database))
    with app.app_context():
        upgrade(revision="dc457dda316a")
        with db.engine.begin() as conn:
            for n, transport in enumerate(("smtp", "outbox"), start=1):
                conn.execute(
                    text(
                        'INSERT INTO outbox_messages (id, created_at, "to", subject, body, '
                        "transport, kind) VALUES (:id, :at, :to, 'S', 'B', :t, 'general')"
                    ),
                    {
                        "id": n,
                        "at": "2026-11-01 10:00:00",
                        "to": f"p{n}@example.org",
                        "t": transport,
                    },
                )
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT status, transport, message_id, attempts, sent_at IS NOT NULL "
                    "FROM outbox_messages ORDER BY id"
                )
            ).all()
        assert [tuple(r) for r in rows] == [
            ("sent", "smtp", "<legacy-1@trainer.invalid>", 0, True),
            ("sent", "log", "<legacy-2@trainer.invalid>", 0, True),
        ]
        downgrade(revision="dc457dda316a")
        with db.engine.connect() as conn:
            back = conn.execute(text("SELECT transport FROM outbox_messages ORDER BY id")).all()
        assert [r[0] for r in back] == ["smtp", "outbox"]
        db.engine.dispose()


def test_webhook_secrets_stored_as_shown_are_sealed_and_opened_again(
    empty_database: str, instance_dir: Any
) -> None:
    """Secrets written before they were sealed become unreadable from a copy of the database
    alone; the downgrade gives them back as they were shown."""
    from flask_migrate import downgrade, upgrade

    from trainer.services import sealing

    secret = "whsec_" + "A" * 43 + "="
    app = create_app(make_config(instance_dir, empty_database))
    with app.app_context():
        upgrade(revision="d20a0d1c4a04")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (id, email, legal_name, timezone, created_at, active, "
                    "session_token) "
                    "VALUES (1, 'b@example.org', 'B', 'UTC', '2026-11-01 10:00:00', true, 't')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO webhook_endpoints (id, owner_id, url, description, events, "
                    "secret, created_at) VALUES (1, 1, 'https://h.example.org/', '', '[]', "
                    ":s, '2026-11-01 10:00:00')"
                ),
                {"s": secret},
            )
        upgrade()
        with db.engine.connect() as conn:
            stored = conn.execute(text("SELECT secret FROM webhook_endpoints")).scalar_one()
        assert secret not in stored and sealing.unseal(stored, sealing.WEBHOOKS) == secret
        downgrade(revision="d20a0d1c4a04")
        with db.engine.connect() as conn:
            back = conn.execute(text("SELECT secret FROM webhook_endpoints")).scalar_one()
        assert back == secret
        db.engine.dispose()
