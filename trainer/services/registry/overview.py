"""The board's overview (counts, issues per month, expiries) and its own activity."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select

from trainer.domain.registry import (
    month_starts,
)
from trainer.domain.statuses import CertificateStatus
from trainer.extensions import db
from trainer.models import AuditEvent, Certificate, User
from trainer.services.registry.rows import ROW_COLUMNS, RegistryRow, day_start, row_of, visible


@dataclass(frozen=True)
class Overview:
    counts: dict[str, int]  # active, expired, suspended, revoked, superseded
    issued_per_month: list[tuple[str, int]]  # ("Dec 2025", 14), oldest first
    expiring: list[RegistryRow]  # soonest first
    expiring_total: int
    expiring_days: int


#: (jurisdiction, months, days) -> (version, overview): the figures each process last
#: computed. A board's overview aggregates every certificate of the jurisdiction, so it is
#: computed again only when a certificate there changed (each change stamps updated_at) or
#: the minute turned (what is live or lapsed depends on the time), not on every request.
_computed: dict[tuple[str, int, int], tuple[tuple[Any, ...], Overview]] = {}
_lock = threading.Lock()


def overview(jurisdiction: str, now: datetime, months: int = 12, days: int = 90) -> Overview:
    """Counts by status, issues per month and the certificates expiring soon (one indexed
    statement when nothing changed since this process last computed them)."""
    changed = db.session.scalar(
        select(func.max(Certificate.updated_at)).where(Certificate.jurisdiction == jurisdiction)
    )
    version = (str(db.engine.url), changed, now.replace(second=0, microsecond=0))
    key = (jurisdiction, months, days)
    held = _computed.get(key)
    if held is not None and held[0] == version:
        return held[1]
    figures = _compute(jurisdiction, now.replace(second=0, microsecond=0), months, days)
    with _lock:
        _computed[key] = (version, figures)
    return figures


def clear() -> None:
    """Forget the figures this process holds (tests empty the database between cases)."""
    with _lock:
        _computed.clear()


_COUNTED = ("active", "expired", "suspended", "revoked", "superseded")


def _compute(jurisdiction: str, now: datetime, months: int, days: int) -> Overview:
    shown = visible(jurisdiction)
    live = and_(Certificate.status == CertificateStatus.ACTIVE, Certificate.expires_at > now)
    lapsed = and_(Certificate.status == CertificateStatus.ACTIVE, Certificate.expires_at <= now)
    starts = month_starts(now, months)
    bounds = [day_start(s) for s in starts] + [
        day_start(month_starts(now + timedelta(days=32), 1)[0])
    ]
    sums = [func.sum(case((live, 1), else_=0)), func.sum(case((lapsed, 1), else_=0))]
    sums += [
        func.sum(case((Certificate.status == s, 1), else_=0))
        for s in (
            CertificateStatus.SUSPENDED,
            CertificateStatus.REVOKED,
            CertificateStatus.SUPERSEDED,
        )
    ]
    sums += [
        func.sum(case((and_(Certificate.issued_at >= lo, Certificate.issued_at < hi), 1), else_=0))
        for lo, hi in zip(bounds, bounds[1:], strict=False)
    ]
    totals = db.session.execute(select(*sums).where(shown)).one()
    values = [int(v or 0) for v in totals]
    horizon = now + timedelta(days=days)
    soon = and_(shown, live, Certificate.expires_at <= horizon)
    expiring = db.session.execute(
        select(*ROW_COLUMNS).where(soon).order_by(Certificate.expires_at, Certificate.id).limit(10)
    ).all()
    expiring_total = (
        db.session.scalar(select(func.count()).select_from(Certificate).where(soon)) or 0
    )
    return Overview(
        counts=dict(zip(_COUNTED, values[: len(_COUNTED)], strict=True)),
        issued_per_month=[
            (s.strftime("%b %Y"), v) for s, v in zip(starts, values[len(_COUNTED) :], strict=True)
        ],
        expiring=[row_of(r, now) for r in expiring],
        expiring_total=expiring_total,
        expiring_days=days,
    )


_ACTIVITY = {
    "board.record_viewed": "Viewed a certificate record",
    "board.pdf_downloaded": "Downloaded a certificate PDF",
    "board.export_zip": "Exported certificates (ZIP)",
    "board.export_csv": "Exported a roster (CSV)",
    "certificate.revoked": "Revoked a certificate",
    "certificate.suspended": "Suspended a certificate",
    "certificate.reinstated": "Reinstated a certificate",
    "certificate.condition_added": "Added a public condition",
    "certificate.condition_lifted": "Lifted a public condition",
    "api_token.created": "Created an API token",
    "api_token.revoked": "Revoked an API token",
    "api.search": "API: searched the registry",
    "api.certificate": "API: fetched a certificate",
    "api.pdf": "API: downloaded a certificate PDF",
    "api.changes": "API: listed changes",
    "api.refused": "API: call refused",
    "ce_audit.started": "Started a continuing-education audit",
    "ce_audit.evidence_downloaded": "Downloaded audit evidence",
    "ce_audit.entry_decided": "Decided on audit evidence",
    "ce_audit.outcome_chosen": "Chose an audit outcome",
    "ce_audit.outcome_applied": "Applied an audit outcome",
    "ce_audit.closed": "Closed a continuing-education audit",
    "webhook.created": "Added a webhook",
    "webhook.disabled": "Disabled a webhook",
    "webhook.enabled": "Enabled a webhook",
    "webhook.deleted": "Deleted a webhook",
    "webhook.secret_rotated": "Made a new webhook signing secret",
    "webhook.changed": "Changed a webhook",
    "webhook.replayed": "Replayed a webhook delivery",
    "webhook.test_sent": "Sent a webhook test event",
}


#: what an activity row shows of an event's details, in this order
_DETAIL_KEYS = [
    "audit",
    "number",
    "count",
    "reason",
    "name",
    "since",
    "status",
    "outcome",
    "result",
    "path",
]


@dataclass(frozen=True)
class Activity:
    at: datetime
    who: str
    what: str
    detail: str


def _detail(action: str, details: dict[str, Any]) -> str:
    parts = []
    for key in _DETAIL_KEYS:
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
