"""The API's keyset pages: signed cursors bound to the query, and the changes feed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import ColumnElement, and_, or_, select

from trainer.domain.registry import (
    SORTS,
    Filters,
    QueryError,
)
from trainer.extensions import db
from trainer.models import Certificate
from trainer.services.registry.rows import (
    ROW_COLUMNS,
    RegistryRow,
    conditions,
    ordered,
    row_of,
    visible,
)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="registry-cursor")


def _encode(kind: str, query: dict[str, str], value: Any, last_id: int) -> str:
    if isinstance(value, datetime):
        value = value.astimezone(UTC).isoformat()
    return str(_serializer().dumps({"k": kind, "q": query, "v": value, "i": last_id}))


def _decode(cursor: str, kind: str, query: dict[str, str]) -> tuple[Any, int]:
    try:
        data = _serializer().loads(cursor)
    except BadSignature:
        raise QueryError({"cursor": "This cursor is not valid; start again without one."}) from None
    if not isinstance(data, dict) or data.get("k") != kind or not isinstance(data.get("i"), int):
        raise QueryError({"cursor": "This cursor is not valid; start again without one."})
    if data.get("q") != query:
        raise QueryError(
            {
                "cursor": "This cursor belongs to a different query; repeat that query's "
                "parameters or start again without a cursor."
            }
        )
    return data.get("v"), data["i"]


def after_key(column: Any, desc: bool, value: Any, last_id: int) -> ColumnElement[bool]:
    if desc:
        return or_(column < value, and_(column == value, Certificate.id < last_id))
    return or_(column > value, and_(column == value, Certificate.id > last_id))


def _cursor_value(column_name: str, raw: Any) -> Any:
    if column_name in ("issued_at", "expires_at", "updated_at"):
        try:
            return datetime.fromisoformat(str(raw))
        except ValueError:
            raise QueryError({"cursor": "This cursor is not valid."}) from None
    if not isinstance(raw, str):
        raise QueryError({"cursor": "This cursor is not valid."})
    return raw


@dataclass(frozen=True)
class CursorPage:
    rows: list[RegistryRow]
    next_cursor: str | None


def search_after(
    jurisdiction: str, f: Filters, now: datetime, limit: int, cursor: str | None
) -> CursorPage:
    """A page of search results for the API, continuing after ``cursor``."""
    column_name, desc = SORTS[f.sort]
    column = getattr(Certificate, column_name)
    conds = conditions(jurisdiction, f, now)
    query = f.as_params()
    if cursor:
        raw, last_id = _decode(cursor, "search", query)
        conds.append(after_key(column, desc, _cursor_value(column_name, raw), last_id))
    stmt = ordered(select(*ROW_COLUMNS, column.label("_key")).where(*conds), f.sort)
    rows = db.session.execute(stmt.limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = _encode("search", query, rows[-1]._key, rows[-1].id) if more else None
    return CursorPage([row_of(r, now) for r in rows], next_cursor)


def changes(
    jurisdiction: str, since: datetime, now: datetime, limit: int, cursor: str | None
) -> CursorPage:
    """Certificates changed at or after ``since`` (issued, renewed, revoked, superseded),
    oldest change first, for a board's system to keep its copy in step."""
    query = {"since": since.astimezone(UTC).isoformat()}
    conds = [visible(jurisdiction), Certificate.updated_at >= since]
    if cursor:
        raw, last_id = _decode(cursor, "changes", query)
        conds.append(
            after_key(Certificate.updated_at, False, _cursor_value("updated_at", raw), last_id)
        )
    stmt = (
        select(*ROW_COLUMNS)
        .where(*conds)
        .order_by(Certificate.updated_at.asc(), Certificate.id.asc())
        .limit(limit + 1)
    )
    rows = db.session.execute(stmt).all()
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = _encode("changes", query, rows[-1].updated_at, rows[-1].id) if more else None
    return CursorPage([row_of(r, now) for r in rows], next_cursor)
