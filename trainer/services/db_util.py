"""Small portable statements that SQLite and PostgreSQL both support natively."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Executable
from sqlalchemy.dialects import postgresql, sqlite

from trainer.extensions import db


def insert_or_ignore(model: type[Any], **values: Any) -> None:
    """INSERT ... ON CONFLICT DO NOTHING: safe when two requests race to add the same row."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    db.session.execute(dialect.insert(model).values(**values).on_conflict_do_nothing())


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
