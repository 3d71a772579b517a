"""Small portable statements that SQLite and PostgreSQL both support natively."""

from __future__ import annotations

from typing import Any

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
