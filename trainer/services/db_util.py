"""Small portable statements that SQLite and PostgreSQL both support natively."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from sqlalchemy import CursorResult, Executable
from sqlalchemy.dialects import postgresql, sqlite

from trainer import transactions
from trainer.extensions import db


def insert_or_ignore(model: type[Any], **values: Any) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING: safe when two requests race to add the same row.
    True when the row was added."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    key = list(model.__table__.primary_key.columns)
    stmt = dialect.insert(model).values(**values).on_conflict_do_nothing().returning(*key)
    # RETURNING, not rowcount: through the session an INSERT's rowcount is not reliable on
    # every driver (psycopg reports none), a returned key is
    return db.session.execute(stmt).first() is not None


def upsert(model: type[Any], keys: list[str], **values: Any) -> None:
    """INSERT ... ON CONFLICT (keys) DO UPDATE the other columns."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(model).values(**values)
    update = {k: v for k, v in values.items() if k not in keys}
    db.session.execute(stmt.on_conflict_do_update(index_elements=keys, set_=update))


def rows_changed(statement: Executable) -> int:
    """Run an UPDATE or DELETE and return how many rows it changed (the session types its
    result as a plain Result, which has no rowcount; at run time it is a CursorResult)."""
    return cast(CursorResult[Any], db.session.execute(statement)).rowcount


@contextmanager
def writing() -> Iterator[None]:
    """A short write transaction of its own, for a page that otherwise only reads (see
    trainer.transactions): ends the read snapshot, writes and commits. Loaded objects stay
    usable (not expired). Anywhere else (a POST, a command, the worker) the work simply
    joins the transaction already under way, committed or rolled back with the rest."""
    if transactions.mode() != transactions.READ:
        yield
        return
    session = db.session()
    keep = session.expire_on_commit
    session.expire_on_commit = False
    token = None
    try:
        session.commit()  # the read so far: nothing to write, ends its snapshot
        token = transactions.set_mode(transactions.WRITE)
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        if token is not None:
            transactions.reset(token)
        session.expire_on_commit = keep
