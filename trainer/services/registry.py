"""The board registry: a read model over certificates, scoped to one jurisdiction.

Every function takes the jurisdiction first and returns small frozen dataclasses built from
selected columns, never ORM objects, so no template or JSON answer can show a field the
board should not see (hour descriptions, the holder's e-mail, anything of another state).
A certificate of another jurisdiction does not exist here: NotFound, as for a wrong number.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import IO, Any, cast

from defusedcsv import csv
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import ColumnElement, and_, case, func, or_, select

from trainer.domain.certnumbers import parse_number
from trainer.domain.errors import NotFound
from trainer.domain.registry import (
    SORTS,
    STATUS_LABELS,
    Filters,
    QueryError,
    month_starts,
    public_status,
)
from trainer.extensions import db
from trainer.models import AuditEvent, Certificate, ContentRelease, Program, User
from trainer.services import content

UTC = UTC
EXPORT_MAX = 5000  # certificates in one ZIP; the roster CSV has no limit
_BATCH = 25  # PDFs held in memory at once while exporting


# -- what the registry shows ---------------------------------------------------------------


@dataclass(frozen=True)
class RegistryRow:
    """One certificate as the registry lists it: what the certificate itself states."""

    number: str
    holder_name: str
    credential: str
    program: str
    status: str  # active | expired | revoked | superseded
    issued_on: date
    expires_on: date
    revoked_on: date | None
    updated_at: datetime
    pdf_sha256: str | None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("issued_on", "expires_on", "revoked_on"):
            out[key] = out[key].isoformat() if out[key] else None
        out["updated_at"] = self.updated_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
        return out


_ROW_COLUMNS = (
    Certificate.id,
    Certificate.number,
    Certificate.holder_name,
    Certificate.credential_name,
    Certificate.program_id,
    Certificate.status,
    Certificate.issued_at,
    Certificate.expires_at,
    Certificate.revoked_at,
    Certificate.updated_at,
    Certificate.pdf_sha256,
)


def _row(r: Any, now: datetime) -> RegistryRow:
    return RegistryRow(
        number=r.number,
        holder_name=r.holder_name,
        credential=r.credential_name,
        program=r.program_id,
        status=public_status(r.status, r.expires_at, now),
        issued_on=r.issued_at.date(),
        expires_on=r.expires_at.date(),
        revoked_on=r.revoked_at.date() if r.revoked_at else None,
        updated_at=r.updated_at,
        pdf_sha256=r.pdf_sha256,
    )


def programs(jurisdiction: str) -> dict[str, str]:
    """Programs a board can filter by, id -> title: those of its jurisdiction, and any other
    program that has a certificate here (a row keeps the jurisdiction it was issued for)."""
    issued_here = (
        select(Certificate.id)
        .where(Certificate.program_id == Program.id, Certificate.jurisdiction == jurisdiction)
        .exists()
    )
    rows = db.session.execute(
        select(Program.id, Program.title)
        .where(or_(Program.jurisdiction == jurisdiction, issued_here))
        .order_by(Program.title)
    ).all()
    return {r.id: r.title for r in rows}


def _visible(jurisdiction: str) -> ColumnElement[bool]:
    # issued_at and number are set together when a certificate is issued; issued_at is indexed
    return and_(Certificate.jurisdiction == jurisdiction, Certificate.issued_at.is_not(None))


def _day(d: date) -> datetime:
    return datetime.combine(d, time(), UTC)


def _where(jurisdiction: str, f: Filters, now: datetime) -> list[ColumnElement[bool]]:
    conds = [_visible(jurisdiction)]
    if f.q:
        # Matched inside the (jurisdiction, holder_name) index: certificate rows are wide
        # (evidence, credential, PDF), and reading every row of a jurisdiction to test one
        # short column made name searches scan megabytes.
        matching = select(Certificate.id).where(
            Certificate.jurisdiction == jurisdiction,
            func.lower(Certificate.holder_name).contains(f.q.lower(), autoescape=True),
        )
        name = Certificate.id.in_(matching)
        if parse_number(f.q) is not None:
            conds.append(or_(Certificate.number == f.q.strip().upper(), name))
        else:
            conds.append(name)
    if f.status == "active":
        conds += [Certificate.status == "active", Certificate.expires_at > now]
    elif f.status == "expired":
        conds += [Certificate.status == "active", Certificate.expires_at <= now]
    elif f.status:
        conds.append(Certificate.status == f.status)
    if f.program:
        conds.append(Certificate.program_id == f.program)
    if f.issued_from:
        conds.append(Certificate.issued_at >= _day(f.issued_from))
    if f.issued_to:
        conds.append(Certificate.issued_at < _day(f.issued_to) + timedelta(days=1))
    if f.expires_from:
        conds.append(Certificate.expires_at >= _day(f.expires_from))
    if f.expires_to:
        conds.append(Certificate.expires_at < _day(f.expires_to) + timedelta(days=1))
    return conds


def _ordered(stmt: Any, sort: str) -> Any:  # any Select over certificates
    column_name, desc = SORTS[sort]
    column = getattr(Certificate, column_name)
    if desc:
        return stmt.order_by(column.desc(), Certificate.id.desc())
    return stmt.order_by(column.asc(), Certificate.id.asc())


@dataclass(frozen=True)
class SearchPage:
    rows: list[RegistryRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def search(
    jurisdiction: str, f: Filters, now: datetime, page: int = 1, per_page: int = 25
) -> SearchPage:
    """A page of the registry for the search page (numbered pages with a total)."""
    conds = _where(jurisdiction, f, now)
    total = db.session.scalar(select(func.count()).select_from(Certificate).where(*conds)) or 0
    stmt = _ordered(select(*_ROW_COLUMNS).where(*conds), f.sort)
    rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return SearchPage([_row(r, now) for r in rows], total, page, per_page)


# -- cursors (the API pages by keyset, never by offset) -------------------------------------


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


def _after(column: Any, desc: bool, value: Any, last_id: int) -> ColumnElement[bool]:
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
    conds = _where(jurisdiction, f, now)
    query = f.as_params()
    if cursor:
        raw, last_id = _decode(cursor, "search", query)
        conds.append(_after(column, desc, _cursor_value(column_name, raw), last_id))
    stmt = _ordered(select(*_ROW_COLUMNS, column.label("_key")).where(*conds), f.sort)
    rows = db.session.execute(stmt.limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = _encode("search", query, rows[-1]._key, rows[-1].id) if more else None
    return CursorPage([_row(r, now) for r in rows], next_cursor)


def changes(
    jurisdiction: str, since: datetime, now: datetime, limit: int, cursor: str | None
) -> CursorPage:
    """Certificates changed at or after ``since`` (issued, renewed, revoked, superseded),
    oldest change first, for a board's system to keep its copy in step."""
    query = {"since": since.astimezone(UTC).isoformat()}
    conds = [_visible(jurisdiction), Certificate.updated_at >= since]
    if cursor:
        raw, last_id = _decode(cursor, "changes", query)
        conds.append(
            _after(Certificate.updated_at, False, _cursor_value("updated_at", raw), last_id)
        )
    stmt = (
        select(*_ROW_COLUMNS)
        .where(*conds)
        .order_by(Certificate.updated_at.asc(), Certificate.id.asc())
        .limit(limit + 1)
    )
    rows = db.session.execute(stmt).all()
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = _encode("changes", query, rows[-1].updated_at, rows[-1].id) if more else None
    return CursorPage([_row(r, now) for r in rows], next_cursor)


# -- one certificate's record ---------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEvent:
    at: datetime
    what: str
    who: str
    why: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "at": self.at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "what": self.what,
            "who": self.who,
            "why": self.why,
        }


@dataclass(frozen=True)
class Evidence:
    """The evidence snapshot taken when the certificate was earned (no hour descriptions)."""

    modules: list[str]
    exam_passed_on: date | None
    hours_by_category: list[tuple[str, float]]
    supervision_hours: float
    supervisors: list[str]
    attestations: list[str]
    documents: list[str]

    def as_json(self) -> dict[str, Any]:
        return {
            "modules_completed": self.modules,
            "exam": {
                "result": "passed" if self.exam_passed_on else None,
                "passed_on": self.exam_passed_on.isoformat() if self.exam_passed_on else None,
            },
            "hours_by_category": [{"category": c, "hours": h} for c, h in self.hours_by_category],
            "supervision_hours": self.supervision_hours,
            "supervisors": self.supervisors,
            "attestations_signed": self.attestations,
            "documents_approved": self.documents,
        }


@dataclass(frozen=True)
class CertificateRecord:
    row: RegistryRow
    program_title: str
    issuing_authority: str
    cycle: int
    earned_on: date
    revoke_reason: str | None
    renewal_of: str | None
    renewed_by: str | None
    release: str  # the content release it was earned against: short hash and date
    evidence: Evidence
    history: list[HistoryEvent] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            **self.row.as_json(),
            "program_title": self.program_title,
            "issuing_authority": self.issuing_authority,
            "cycle": self.cycle,
            "earned_on": self.earned_on.isoformat(),
            "revoke_reason": self.revoke_reason,
            "renewal_of": self.renewal_of,
            "renewed_by": self.renewed_by,
            "content_release": self.release,
            "evidence": self.evidence.as_json(),
            "history": [h.as_json() for h in self.history],
        }


_HISTORY = {
    "certificate.earned": "Requirements met",
    "certificate.review_approved": "Approved after review",
    "certificate.issued": "Issued",
    "certificate.revoked": "Revoked",
    "certificate.renewed": "Superseded by a renewal",
}


def _find(jurisdiction: str, number: str) -> Certificate:
    """The certificate with this number in this jurisdiction, or NotFound."""
    if parse_number(number) is None:
        raise NotFound(number)
    cert = db.session.scalar(
        select(Certificate).where(
            Certificate.number == number.strip().upper(), _visible(jurisdiction)
        )
    )
    if cert is None:
        raise NotFound(number)
    return cert


def holds(jurisdiction: str, number: str) -> bool:
    """Whether this jurisdiction's registry has a certificate with this number."""
    try:
        _find(jurisdiction, number)
    except NotFound:
        return False
    return True


def _history(cert: Certificate) -> list[HistoryEvent]:
    events = db.session.execute(
        select(
            AuditEvent.at,
            AuditEvent.action,
            AuditEvent.details,
            User.legal_name,
            AuditEvent.actor_id,
        )
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(
            AuditEvent.subject_type == "Certificate",
            AuditEvent.subject_id == str(cert.id),
            AuditEvent.action.in_(_HISTORY),
        )
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()
    out = []
    for e in events:
        if e.actor_id is None:
            who = "trainer (automatically)"
        elif e.actor_id == cert.user_id:
            who = "The holder"
        else:
            who = e.legal_name
        what = _HISTORY[e.action]
        why = None
        if e.action == "certificate.revoked":
            why = str(e.details.get("reason") or "") or None
        if e.action == "certificate.renewed" and e.details.get("renewed_by"):
            what = f"Superseded by renewal {e.details['renewed_by']}"
        if e.action == "certificate.issued" and cert.evidence.get("renewal_of"):
            what = f"Issued as the renewal of {cert.evidence['renewal_of']}"
        out.append(HistoryEvent(e.at, what, who, why))
    return out


def record(jurisdiction: str, number: str, now: datetime) -> CertificateRecord:
    cert = _find(jurisdiction, number)
    program = db.session.get(Program, cert.program_id)
    release = db.session.get(ContentRelease, cert.release_id)
    assert program is not None and release is not None
    ev = cert.evidence or {}
    labels = content.labels("domains")
    exam_at = (ev.get("exam") or {}).get("passed_at")
    renewed_by = None
    if cert.superseded_by_id:
        renewed_by = db.session.scalar(
            select(Certificate.number).where(Certificate.id == cert.superseded_by_id)
        )
    row = db.session.execute(select(*_ROW_COLUMNS).where(Certificate.id == cert.id)).one()
    return CertificateRecord(
        row=_row(row, now),
        program_title=program.title,
        issuing_authority=cert.issuing_authority,
        cycle=cert.cycle,
        earned_on=cert.earned_at.date(),
        revoke_reason=cert.revoke_reason,
        renewal_of=ev.get("renewal_of"),
        renewed_by=renewed_by,
        release=f"{release.hash[:12]} ({release.loaded_at.date().isoformat()})",
        evidence=Evidence(
            modules=list(ev.get("modules", [])),
            exam_passed_on=datetime.fromisoformat(exam_at).date() if exam_at else None,
            hours_by_category=[
                (labels.get(k, k), float(v)) for k, v in ev.get("hours_by_category", {}).items()
            ],
            supervision_hours=float(ev.get("supervision_hours", 0)),
            supervisors=list(ev.get("supervisors", [])),
            attestations=list(ev.get("attestations", [])),
            documents=list(ev.get("documents", [])),
        ),
        history=_history(cert),
    )


@dataclass(frozen=True)
class StoredPdf:
    filename: str
    data: bytes
    sha256: str


def pdf(jurisdiction: str, number: str) -> StoredPdf:
    cert = _find(jurisdiction, number)
    if cert.pdf is None or cert.number is None:
        raise NotFound(number)
    return StoredPdf(f"{cert.number}.pdf", cert.pdf, cert.pdf_sha256 or "")


# -- exports ---------------------------------------------------------------------------------


def count(jurisdiction: str, f: Filters, now: datetime) -> int:
    conds = _where(jurisdiction, f, now)
    return db.session.scalar(select(func.count()).select_from(Certificate).where(*conds)) or 0


def _rows(jurisdiction: str, f: Filters, now: datetime) -> Iterator[tuple[int, RegistryRow]]:
    """Every matching row in the search's order, fetched in keyset batches."""
    column_name, desc = SORTS[f.sort]
    column = getattr(Certificate, column_name)
    base = _where(jurisdiction, f, now)
    after: ColumnElement[bool] | None = None
    while True:
        conds = [*base] if after is None else [*base, after]
        stmt = _ordered(select(*_ROW_COLUMNS, column.label("_key")).where(*conds), f.sort)
        batch = db.session.execute(stmt.limit(200)).all()
        for r in batch:
            yield r.id, _row(r, now)
        if len(batch) < 200:
            return
        after = _after(column, desc, batch[-1]._key, batch[-1].id)


ROSTER_COLUMNS = (
    "number",
    "holder_name",
    "credential",
    "program",
    "status",
    "issued_on",
    "expires_on",
    "revoked_on",
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
    ]


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


# -- the overview and the board's own activity ---------------------------------------------------


@dataclass(frozen=True)
class Overview:
    counts: dict[str, int]  # active, expired, revoked, superseded
    issued_per_month: list[tuple[str, int]]  # ("Dec 2025", 14), oldest first
    expiring: list[RegistryRow]  # soonest first
    expiring_total: int
    expiring_days: int


def overview(jurisdiction: str, now: datetime, months: int = 12, days: int = 90) -> Overview:
    visible = _visible(jurisdiction)
    live = and_(Certificate.status == "active", Certificate.expires_at > now)
    lapsed = and_(Certificate.status == "active", Certificate.expires_at <= now)
    starts = month_starts(now, months)
    bounds = [_day(s) for s in starts] + [_day(month_starts(now + timedelta(days=32), 1)[0])]
    sums = [func.sum(case((live, 1), else_=0)), func.sum(case((lapsed, 1), else_=0))]
    sums += [
        func.sum(case((Certificate.status == s, 1), else_=0)) for s in ("revoked", "superseded")
    ]
    sums += [
        func.sum(case((and_(Certificate.issued_at >= lo, Certificate.issued_at < hi), 1), else_=0))
        for lo, hi in zip(bounds, bounds[1:], strict=False)
    ]
    totals = db.session.execute(select(*sums).where(visible)).one()
    values = [int(v or 0) for v in totals]
    horizon = now + timedelta(days=days)
    soon = and_(visible, live, Certificate.expires_at <= horizon)
    expiring = db.session.execute(
        select(*_ROW_COLUMNS).where(soon).order_by(Certificate.expires_at, Certificate.id).limit(10)
    ).all()
    expiring_total = (
        db.session.scalar(select(func.count()).select_from(Certificate).where(soon)) or 0
    )
    return Overview(
        counts=dict(zip(("active", "expired", "revoked", "superseded"), values[:4], strict=True)),
        issued_per_month=[
            (s.strftime("%b %Y"), v) for s, v in zip(starts, values[4:], strict=True)
        ],
        expiring=[_row(r, now) for r in expiring],
        expiring_total=expiring_total,
        expiring_days=days,
    )


_ACTIVITY = {
    "board.record_viewed": "Viewed a certificate record",
    "board.pdf_downloaded": "Downloaded a certificate PDF",
    "board.export_zip": "Exported certificates (ZIP)",
    "board.export_csv": "Exported a roster (CSV)",
    "certificate.revoked": "Revoked a certificate",
    "api_token.created": "Created an API token",
    "api_token.revoked": "Revoked an API token",
    "api.search": "API: searched the registry",
    "api.certificate": "API: fetched a certificate",
    "api.pdf": "API: downloaded a certificate PDF",
    "api.changes": "API: listed changes",
    "api.refused": "API: call refused",
}


@dataclass(frozen=True)
class Activity:
    at: datetime
    who: str
    what: str
    detail: str


def _detail(action: str, details: dict[str, Any]) -> str:
    parts = []
    for key in ("number", "count", "reason", "name", "since", "status", "path"):
        if details.get(key) not in (None, ""):
            parts.append(f"{key}: {details[key]}")
    filters = details.get("filters")
    if isinstance(filters, dict) and filters:
        parts.append("filters: " + ", ".join(f"{k}={v}" for k, v in sorted(filters.items())))
    return "; ".join(parts)


def activity(jurisdiction: str, page: int, per_page: int = 50) -> tuple[list[Activity], bool]:
    """What this board's members did here (downloads, exports, revocations, API calls)."""
    rows = db.session.execute(
        select(AuditEvent.at, AuditEvent.action, AuditEvent.details, User.legal_name)
        .join(User, User.id == AuditEvent.actor_id)
        .where(User.jurisdiction == jurisdiction, AuditEvent.action.in_(_ACTIVITY))
        .order_by(AuditEvent.id.desc())
        .limit(per_page + 1)
        .offset((page - 1) * per_page)
    ).all()
    out = [
        Activity(r.at, r.legal_name, _ACTIVITY[r.action], _detail(r.action, r.details or {}))
        for r in rows[:per_page]
    ]
    return out, len(rows) > per_page
