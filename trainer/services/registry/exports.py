"""Exports of a search: the roster CSV and the streamed ZIP of PDFs with its manifest."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from typing import IO, Any, cast

from defusedcsv import csv
from sqlalchemy import ColumnElement, select

from trainer.domain.registry import (
    SORTS,
    Filters,
)
from trainer.extensions import db
from trainer.models import Certificate, User
from trainer.services import audit
from trainer.services.registry.cursors import after_key
from trainer.services.registry.rows import ROW_COLUMNS, RegistryRow, conditions, ordered, row_of

EXPORT_MAX = 5000  # certificates in one ZIP; the roster CSV has no limit


_BATCH = 25  # PDFs held in memory at once while exporting


def _rows(jurisdiction: str, f: Filters, now: datetime) -> Iterator[tuple[int, RegistryRow]]:
    """Every matching row in the search's order, fetched in keyset batches."""
    column_name, desc = SORTS[f.sort]
    column = getattr(Certificate, column_name)
    base = conditions(jurisdiction, f, now)
    after: ColumnElement[bool] | None = None
    while True:
        conds = [*base] if after is None else [*base, after]
        stmt = ordered(select(*ROW_COLUMNS, column.label("_key")).where(*conds), f.sort)
        batch = db.session.execute(stmt.limit(200)).all()
        for r in batch:
            yield r.id, row_of(r, now)
        if len(batch) < 200:
            return
        after = after_key(column, desc, batch[-1]._key, batch[-1].id)


ROSTER_COLUMNS = (
    "number",
    "holder_name",
    "credential",
    "program",
    "status",
    "issued_on",
    "expires_on",
    "revoked_on",
    "suspended_on",
    "suspended_until",
)


MANIFEST_COLUMNS = (*ROSTER_COLUMNS, "file", "sha256")


def _csv_line(values: list[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(["" if v is None else str(v) for v in values])
    return buffer.getvalue()


def _roster_values(row: RegistryRow) -> list[Any]:
    return [
        row.number,
        row.holder_name,
        row.credential,
        row.program,
        row.status,
        row.issued_on.isoformat(),
        row.expires_on.isoformat(),
        row.revoked_on.isoformat() if row.revoked_on else "",
        row.suspended_on.isoformat() if row.suspended_on else "",
        row.suspended_until.isoformat() if row.suspended_until else "",
    ]


def record_export(board_member: User, kind: str, f: Filters, count: int) -> None:
    """An export leaves the system: who took which search, and how many certificates."""
    audit.record(f"board.export_{kind}", actor=board_member, filters=f.as_params(), count=count)


def roster_csv(jurisdiction: str, f: Filters, now: datetime) -> Iterator[str]:
    """The roster as CSV lines, written as they are read (formula-like cells defused)."""
    yield _csv_line(list(ROSTER_COLUMNS))
    for _, row in _rows(jurisdiction, f, now):
        yield _csv_line(_roster_values(row))


class _Sink:
    """A write-only file for ``zipfile``: it keeps what was written until taken."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        return None

    def take(self) -> bytes:
        data, self._parts = b"".join(self._parts), []
        return data


def export_zip(jurisdiction: str, f: Filters, now: datetime) -> Iterator[bytes]:
    """A ZIP of every matching certificate's stored PDF plus manifest.csv (with the SHA-256
    of each PDF as written), produced piece by piece: memory stays flat whatever the count.
    """
    import hashlib
    import tempfile

    sink = _Sink()
    # the manifest is spooled to a temporary file as the PDFs go out, then copied in last
    with (
        tempfile.TemporaryFile() as manifest,
        zipfile.ZipFile(cast(IO[bytes], sink), "w", compression=zipfile.ZIP_STORED) as archive,
    ):
        manifest.write(_csv_line(list(MANIFEST_COLUMNS)).encode("utf-8"))
        pending: list[tuple[int, RegistryRow]] = []

        def flush_batch() -> Iterator[bytes]:
            ids = [i for i, _ in pending]
            pdfs = dict(
                db.session.execute(
                    select(Certificate.id, Certificate.pdf).where(Certificate.id.in_(ids))
                ).all()
            )
            for cert_id, row in pending:
                data = pdfs.pop(cert_id, None)
                if data is None:
                    continue
                name = f"certificates/{row.number}.pdf"
                info = zipfile.ZipInfo(name, date_time=_zip_time(row.issued_on))
                archive.writestr(info, data)
                line = [*_roster_values(row), name, hashlib.sha256(data).hexdigest()]
                manifest.write(_csv_line(line).encode("utf-8"))
                yield sink.take()
            pending.clear()

        for item in _rows(jurisdiction, f, now):
            pending.append(item)
            if len(pending) >= _BATCH:
                yield from flush_batch()
        if pending:
            yield from flush_batch()
        info = zipfile.ZipInfo("manifest.csv", date_time=_zip_time(now.date()))
        info.compress_type = zipfile.ZIP_DEFLATED
        manifest.seek(0)
        with archive.open(info, "w") as out:
            while chunk := manifest.read(64 * 1024):
                out.write(chunk)
                yield sink.take()
    yield sink.take()


def _zip_time(d: date) -> tuple[int, int, int, int, int, int]:
    return (max(d.year, 1980), d.month, d.day, 0, 0, 0)
