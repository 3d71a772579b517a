"""What the hours add up to: totals, the lists and queue, the CSV and the verification PDF."""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from defusedcsv import csv
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from trainer.domain import hours as hour_rules
from trainer.domain.statuses import LinkStatus
from trainer.extensions import db
from trainer.models import (
    Enrolment,
    HourEntry,
    SupervisionLink,
    User,
)
from trainer.services import progress
from trainer.services import release as releases
from trainer.services.hours.entries import enrolled_on, local_date
from trainer.services.hours.links import categories

PAGE_SIZE = 50


@dataclass(frozen=True)
class Totals:
    categories: list[hour_rules.CategoryTotal]
    approved_minutes: int
    pending_minutes: int
    supervision_minutes: int  # approved supervision received
    required_hours: float
    required_supervision_hours: float

    @property
    def approved_hours(self) -> float:
        return self.approved_minutes / 60

    @property
    def supervision_hours(self) -> float:
        return self.supervision_minutes / 60

    @property
    def required(self) -> bool:
        """Whether the program sets any hour requirement (a total, supervision received or
        a category minimum); pages leave out requirements of zero."""
        return (
            self.required_hours > 0
            or self.required_supervision_hours > 0
            or any(c.minimum_hours > 0 for c in self.categories)
        )


def totals(enrolment: Enrolment, state: progress.Progress | None = None) -> Totals:
    """Approved and pending minutes per category, from the progress read model (``state``
    when the caller has it)."""
    if state is None:
        state = progress.of(enrolment)
    by_cat = state.minutes
    none = progress.HourMinutes(0, 0, 0)
    d = releases.get().programs[enrolment.program_id].spec
    cats = [
        hour_rules.CategoryTotal(
            c,
            label,
            by_cat.get(c, none).approved,
            by_cat.get(c, none).pending,
            float(d.supervised_categories.get(c, 0)),
        )
        for c, label in categories(enrolment).items()
    ]
    return Totals(
        cats,
        sum(v.approved for v in by_cat.values()),
        sum(v.pending for v in by_cat.values()),
        sum(v.supervision for v in by_cat.values()),
        float(d.supervised_hours),
        float(d.supervision_hours),
    )


def all_totals(enrolments: Sequence[Enrolment]) -> list[tuple[Enrolment, Totals]]:
    """Totals of many enrolments (a supervisor's trainees) from one read of the model."""
    states = progress.states(enrolments)
    return [(e, totals(e, states[e.id])) for e in enrolments]


def before_enrolment(trainee: User, enrolment: Enrolment, rows: Sequence[HourEntry]) -> set[int]:
    """The ids of ``rows`` (the trainee's entries for ``enrolment``) dated before they
    enrolled."""
    day = enrolled_on(trainee, enrolment)
    return {r.id for r in rows if hour_rules.before_enrolment(r.work_date, day)}


def entries(enrolment_id: int, page: int = 1) -> tuple[list[HourEntry], bool]:
    rows = list(
        db.session.scalars(
            select(HourEntry)
            .options(joinedload(HourEntry.supervisor).lazyload(User.role_rows))
            .where(HourEntry.enrolment_id == enrolment_id)
            .order_by(HourEntry.work_date.desc(), HourEntry.id.desc())
            .limit(PAGE_SIZE + 1)
            .offset((page - 1) * PAGE_SIZE)
        )
    )
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


@dataclass(frozen=True)
class QueueFilter:
    trainee_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    category: str | None = None


@dataclass(frozen=True)
class QueueRow:
    """A pending entry in the supervisor's queue; ``before_enrolment``: the work was done
    before the trainee enrolled (the program allows it; the supervisor is shown it)."""

    entry: HourEntry
    before_enrolment: bool


def queue(supervisor: User, flt: QueueFilter, page: int = 1) -> tuple[list[QueueRow], bool]:
    """Pending entries of the supervisor's trainees (constant queries whatever the count)."""
    stmt = (
        select(HourEntry, Enrolment.enrolled_at)
        .options(joinedload(HourEntry.trainee).lazyload(User.role_rows))
        .join(Enrolment, Enrolment.id == HourEntry.enrolment_id)
        .join(
            SupervisionLink,
            (SupervisionLink.enrolment_id == HourEntry.enrolment_id)
            & (SupervisionLink.supervisor_id == supervisor.id)
            & (SupervisionLink.status == LinkStatus.ACTIVE),
        )
        .where(HourEntry.supervisor_id == supervisor.id, HourEntry.status == hour_rules.PENDING)
    )
    if flt.trainee_id:
        stmt = stmt.where(HourEntry.trainee_id == flt.trainee_id)
    if flt.date_from:
        stmt = stmt.where(HourEntry.work_date >= flt.date_from)
    if flt.date_to:
        stmt = stmt.where(HourEntry.work_date <= flt.date_to)
    if flt.category:
        stmt = stmt.where(HourEntry.category == flt.category)
    rows = db.session.execute(
        stmt.order_by(HourEntry.work_date, HourEntry.id)
        .limit(PAGE_SIZE + 1)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    found = [
        QueueRow(
            entry,
            hour_rules.before_enrolment(entry.work_date, local_date(entry.trainee, enrolled_at)),
        )
        for entry, enrolled_at in rows[:PAGE_SIZE]
    ]
    return found, len(rows) > PAGE_SIZE


CSV_HEADER = [
    "entry",
    "date",
    "hours",
    "category",
    "setting",
    "kind",
    "status",
    "supervisor",
    "decided_at",
    "decision_note",
    "attestation",
    "reverses",
    "description",
]


def export_rows(enrolment_id: int) -> Iterator[str]:
    """The hours log as CSV lines, streamed (rows are fetched in batches)."""
    out = io.StringIO()
    writer = csv.writer(out)

    def flush() -> str:
        value = out.getvalue()
        out.seek(0)
        out.truncate(0)
        return value

    writer.writerow(CSV_HEADER)
    yield flush()
    stmt = (
        select(HourEntry, User.email)
        .join(User, User.id == HourEntry.supervisor_id)
        .where(HourEntry.enrolment_id == enrolment_id)
        .order_by(HourEntry.work_date, HourEntry.id)
        .execution_options(yield_per=500)
    )
    for entry, supervisor_email in db.session.execute(stmt):
        writer.writerow(
            [
                entry.id,
                entry.work_date.isoformat(),
                f"{entry.minutes / 60:g}",
                entry.category,
                entry.setting,
                entry.kind,
                entry.status,
                supervisor_email,
                entry.decided_at.isoformat() if entry.decided_at else "",
                entry.decision_note or "",
                entry.attestation or "",
                entry.reverses_id or "",
                entry.description,
            ]
        )
        yield flush()


def _approved_rows(enrolment: Enrolment) -> Sequence[Any]:
    """Approved entries (reversals included) with their supervisor, oldest work first."""
    return db.session.execute(
        select(
            HourEntry.work_date,
            HourEntry.category,
            HourEntry.minutes,
            HourEntry.decided_at,
            HourEntry.reverses_id,
            User.legal_name,
            User.email,
        )
        .join(User, User.id == HourEntry.supervisor_id)
        .where(HourEntry.enrolment_id == enrolment.id, HourEntry.status == hour_rules.APPROVED)
        .order_by(HourEntry.work_date)
    ).all()


def _by_month(rows: Sequence[Any]) -> dict[str, dict[str, float]]:
    """Hours per category in each month ("March 2026"), reversals netted out."""
    months: dict[str, dict[str, float]] = {}
    for r in rows:
        month = months.setdefault(r.work_date.strftime("%B %Y"), {})
        month[r.category] = month.get(r.category, 0.0) + r.minutes / 60
    return months


def _supervisor_attestations(rows: Sequence[Any]) -> list[dict[str, Any]]:
    """Per supervisor: hours and entries they approved, the work period and decision dates."""
    people: dict[str, dict[str, Any]] = {}
    for r in rows:
        if r.reverses_id is not None:
            continue
        p = people.setdefault(
            r.email,
            {
                "name": r.legal_name,
                "email": r.email,
                "hours": 0.0,
                "entries": 0,
                "first": r.work_date,
                "last": r.work_date,
                "decided": [],
            },
        )
        p["hours"] = float(p["hours"]) + r.minutes / 60
        p["entries"] = int(p["entries"]) + 1
        p["last"] = r.work_date
        p["decided"].append(r.decided_at)
    supervisors = []
    for p in people.values():
        decided = sorted(d for d in p.pop("decided") if d)
        supervisors.append(
            {
                **p,
                "first": f"{p['first']:%-d %b %Y}",
                "last": f"{p['last']:%-d %b %Y}",
                "first_decided": f"{decided[0]:%-d %b %Y}" if decided else "",
                "last_decided": f"{decided[-1]:%-d %b %Y}" if decided else "",
            }
        )
    return supervisors


def verification_pdf(enrolment: Enrolment, now: datetime) -> bytes:
    """The "Supervised Experience Verification" PDF: approved hours by category and month,
    and each supervisor's attestation. No free-text descriptions (they may name clients)."""
    from trainer import pdf

    trainee = enrolment.user
    t = totals(enrolment)
    rows = _approved_rows(enrolment)
    period = (
        f"{rows[0].work_date:%-d %B %Y} to {rows[-1].work_date:%-d %B %Y}"
        if rows
        else "no approved hours yet"
    )
    d = releases.get().programs[enrolment.program_id].spec
    title = f"Supervised Experience Verification: {trainee.legal_name}"
    return pdf.render(
        "hours_verification.html",
        title=title,
        author="trainer",
        subject=f"Approved supervised hours for {d.title}",
        trainee=trainee.legal_name,
        program=d.title,
        authority=d.issuing_authority,
        period=period,
        generated=f"{local_date(trainee, now):%-d %B %Y}",
        categories=t.categories,
        total_hours=t.approved_hours,
        required_hours=t.required_hours,
        supervision_hours=t.supervision_hours,
        required_supervision=t.required_supervision_hours,
        months=list(_by_month(rows).items()),
        supervisors=_supervisor_attestations(rows),
        attestation=hour_rules.ATTESTATION,
        reversals=sum(1 for r in rows if r.reverses_id is not None),
    )
