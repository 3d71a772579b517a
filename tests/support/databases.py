"""A throw-away PostgreSQL database on the suite's server, for tests that need a database
of their own (migrations from nothing, a restore target, two app servers)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


@contextmanager
def new_postgres_database(server_url: str, label: str) -> Iterator[str]:
    """Create ``<label>_<random>`` on the server of ``server_url``; yield its URL; drop it
    afterwards (connections still open are ended)."""
    name = f"{label}_{secrets.token_hex(4)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def empty_database(tmp_path: Path, suite_url: str, label: str) -> Iterator[str]:
    """A brand-new empty database of the suite's kind: a SQLite file in ``tmp_path``, or a
    throw-away PostgreSQL database on the suite's server."""
    if not suite_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / (label + '.sqlite3')}"
        return
    with new_postgres_database(suite_url, label) as url:
        yield url
