"""Bind the extensions to an app (kept apart from ``extensions`` so models can import ``db``)."""

from __future__ import annotations

import functools
import re
import sqlite3
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import String, and_, bindparam, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import joinedload

from trainer import extensions as ext
from trainer import transactions

MIGRATIONS = str(Path(__file__).parent / "migrations")


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """SQLite: enforce foreign keys, write-ahead log. (How long to wait on a lock is the
    driver's ``timeout``, set in config.finalise.)"""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        # SQLAlchemy, not pysqlite, starts transactions (see _sqlite_begin): pysqlite's own
        # handling breaks SAVEPOINT, which the "exactly once" inserts rely on.
        dbapi_connection.isolation_level = None


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn: Any) -> None:
    """SQLite: in write mode take the write lock when a transaction starts (BEGIN
    IMMEDIATE), so concurrent writers wait for each other (busy_timeout) instead of failing
    to upgrade a read lock; in read mode a deferred BEGIN (see trainer.transactions)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(
            "BEGIN" if transactions.mode() == transactions.READ else "BEGIN IMMEDIATE"
        )


_WRITES = re.compile(r"\s*(INSERT|UPDATE|DELETE|CREATE|DROP|ALTER)\b", re.I)


@event.listens_for(Engine, "before_cursor_execute")
def _refuse_writes_in_read_mode(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
    """A page that only reads must do any write inside ``db_util.writing()``."""
    if transactions.mode() == transactions.READ and _WRITES.match(statement):
        raise transactions.WriteInReadModeError(
            "a write in a read-only request outside db_util.writing(): " + statement[:80]
        )


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Alembic: write our column types as plain SQLAlchemy so migrations import nothing of ours."""
    from sqlalchemy import JSON

    from trainer.models.base import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, JSON) and getattr(obj, "_variant_mapping", None):
        autogen_context.imports.add("from sqlalchemy.dialects import postgresql")
        return "sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')"
    return False


def init_app(app: Flask) -> None:
    import trainer.models  # noqa: F401  (registers the tables)

    ext.db.init_app(app)
    ext.migrate.init_app(
        app,
        ext.db,
        directory=MIGRATIONS,
        render_as_batch=True,
        compare_type=True,
        render_item=_render_item,
    )
    ext.csrf.init_app(app)
    ext.limiter.init_app(app)

    ext.login_manager.init_app(app)
    ext.login_manager.login_view = "auth.login"
    ext.login_manager.login_message = "Please sign in to see that page."
    ext.login_manager.login_message_category = "info"
    ext.login_manager.session_protection = "basic"
    ext.login_manager.user_loader(_load_user)

    ext.talisman.init_app(
        app,
        force_https=False,
        content_security_policy=ext.CSP,
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        strict_transport_security=app.config["SESSION_COOKIE_SECURE"],
    )


@functools.cache
def _user_statement() -> Any:
    """The signed-in person with their roles, this browser's device row and whether
    two-factor sign-in is on, in one statement (joined, not more queries), built once: it
    runs on every signed-in request."""
    from trainer.models import SignInSession, TwoFactor, User

    device = and_(
        SignInSession.user_id == User.id,
        SignInSession.key_hash == bindparam("device", type_=String),
    )
    return (
        select(
            User,
            SignInSession.id,
            SignInSession.ended_at,
            SignInSession.last_seen_at,
            TwoFactor.enabled_at,
        )
        .outerjoin(SignInSession, device)
        .outerjoin(TwoFactor, TwoFactor.user_id == User.id)
        .options(joinedload(User.role_rows))
        .where(User.id == bindparam("id"))
    )


def _load_user(identity: str) -> Any:
    """Flask-Login: the cookie holds ``id:session_token``; a changed token ends the session,
    and so does an ended device row (signed out from another device). A session from before
    devices were listed has no device key: the token alone decides."""
    from flask import g, session

    from trainer.clock import utcnow
    from trainer.services import two_factor

    user_id, _, token = identity.partition(":")
    if not user_id.isdigit() or not token:
        return None
    key = session.get("device")
    params = {"id": int(user_id), "device": two_factor.key_hash(key) if key else None}
    row = ext.db.session.execute(_user_statement(), params).unique().first()
    if row is None:
        return None
    user, device_id, ended_at, last_seen_at, enabled_at = row
    if not user.active or user.session_token != token:
        return None
    if key and (device_id is None or ended_at is not None):
        return None
    g.two_factor_on = enabled_at is not None
    now = utcnow()
    stale = device_id and last_seen_at < now - two_factor.SEEN_EVERY
    if stale and transactions.mode() == transactions.WRITE:
        two_factor.seen(device_id, now)  # joins the request's own write transaction
    return user
