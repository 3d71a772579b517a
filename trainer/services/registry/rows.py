"""A registry row, and the search over one jurisdiction's certificates that the page, the
API and the exports share.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select

from trainer.domain.certnumbers import parse_number
from trainer.domain.registry import (
    SORTS,
    STATUS_LABELS,
    Filters,
    public_status,
)
from trainer.domain.statuses import CertificateStatus
from trainer.extensions import db
from trainer.models import Certificate, Program
from trainer.services.certificates.conditions import in_force

UTC = UTC


@dataclass(frozen=True)
class RegistryRow:
    """One certificate as the registry lists it: what the certificate itself states."""

    number: str
    holder_name: str
    credential: str
    program: str
    status: str  # active | expired | suspended | revoked | superseded
    issued_on: date
    expires_on: date
    revoked_on: date | None
    updated_at: datetime
    pdf_sha256: str | None
    suspended_on: date | None = None
    suspended_until: date | None = None  # None: until the board reinstates it

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("issued_on", "expires_on", "revoked_on", "suspended_on", "suspended_until"):
            out[key] = out[key].isoformat() if out[key] else None
        out["updated_at"] = self.updated_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
        return out


ROW_COLUMNS = (
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
    Certificate.suspended_at,
    Certificate.suspended_until,
)


def row_of(r: Any, now: datetime) -> RegistryRow:
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
        suspended_on=r.suspended_at.date() if r.suspended_at else None,
        suspended_until=r.suspended_until,
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


def visible(jurisdiction: str) -> ColumnElement[bool]:
    # issued_at and number are set together when a certificate is issued; issued_at is indexed
    return and_(Certificate.jurisdiction == jurisdiction, Certificate.issued_at.is_not(None))


def day_start(d: date) -> datetime:
    return datetime.combine(d, time(), UTC)


def _name_contains(text: str) -> ColumnElement[bool]:
    """Part of a holder's name, whatever the case. SQLite's LIKE already ignores the case of
    ASCII letters (as its lower() only lowers those), so the name is compared as stored,
    which halves the scan; PostgreSQL compares with ILIKE."""
    if db.session.get_bind().dialect.name == "sqlite":
        return Certificate.holder_name.contains(text, autoescape=True)
    return Certificate.holder_name.icontains(text, autoescape=True)


def conditions(jurisdiction: str, f: Filters, now: datetime) -> list[ColumnElement[bool]]:
    conds = [visible(jurisdiction)]
    if f.q:
        # Matched inside the (jurisdiction, holder_name) index: certificate rows are wide
        # (evidence, credential, PDF), and reading every row of a jurisdiction to test one
        # short column made name searches scan megabytes.
        matching = select(Certificate.id).where(
            Certificate.jurisdiction == jurisdiction, _name_contains(f.q)
        )
        name = Certificate.id.in_(matching)
        if parse_number(f.q) is not None:
            conds.append(or_(Certificate.number == f.q.strip().upper(), name))
        else:
            conds.append(name)
    if f.status == "active":
        conds += [Certificate.status == CertificateStatus.ACTIVE, Certificate.expires_at > now]
    elif f.status == "expired":
        conds += [Certificate.status == CertificateStatus.ACTIVE, Certificate.expires_at <= now]
    elif f.status:
        conds.append(Certificate.status == f.status)
    if f.program:
        conds.append(Certificate.program_id == f.program)
    if f.issued_from:
        conds.append(Certificate.issued_at >= day_start(f.issued_from))
    if f.issued_to:
        conds.append(Certificate.issued_at < day_start(f.issued_to) + timedelta(days=1))
    if f.expires_from:
        conds.append(Certificate.expires_at >= day_start(f.expires_from))
    if f.expires_to:
        conds.append(Certificate.expires_at < day_start(f.expires_to) + timedelta(days=1))
    return conds


def ordered(stmt: Any, sort: str) -> Any:  # any Select over certificates
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
    conditioned: frozenset[str] = frozenset()  # numbers with public conditions in force

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def search(
    jurisdiction: str, f: Filters, now: datetime, page: int = 1, per_page: int = 25
) -> SearchPage:
    """A page of the registry for the search page (numbered pages with a total)."""
    conds = conditions(jurisdiction, f, now)
    # the total comes with the rows (a window count over the matches the page is sorted from
    # anyway): one pass over the matching certificates, not two
    total_column = func.count().over().label("total")
    stmt = ordered(select(*ROW_COLUMNS, total_column).where(*conds), f.sort)
    rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    total = rows[0].total if rows else (count(jurisdiction, f, now) if page > 1 else 0)
    numbers = {r.id: r.number for r in rows}
    held = in_force(list(numbers), now) if rows else {}  # one statement for the page
    conditioned = frozenset(numbers[i] for i, found in held.items() if found)
    return SearchPage([row_of(r, now) for r in rows], total, page, per_page, conditioned)


def count(jurisdiction: str, f: Filters, now: datetime) -> int:
    conds = conditions(jurisdiction, f, now)
    return db.session.scalar(select(func.count()).select_from(Certificate).where(*conds)) or 0
