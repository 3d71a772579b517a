"""What the audit pages read: small frozen dataclasses, a few statements per page whatever
the sample's size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, and_, case, func, literal, select
from sqlalchemy.orm import InstrumentedAttribute

from trainer.domain import ce_audits as rules
from trainer.domain.ce_audits import AuditStatus, Decision, HolderState
from trainer.domain.errors import NotFound
from trainer.extensions import db
from trainer.models import CEEntry, Certificate, Program, User
from trainer.models.ce_audits import CEAudit, CEAuditHolder, CEAuditItem
from trainer.services import content

FAILING = (HolderState.FAILED, HolderState.NO_RESPONSE)


def board_of(actor: User) -> str:
    """The jurisdiction a board member acts for (NotFound for anyone else)."""
    if not actor.has_role("board") or not actor.jurisdiction:
        raise NotFound("audit")
    return str(actor.jurisdiction)


@dataclass(frozen=True)
class AuditSummary:
    id: int
    program: str | None  # the program's title, None: every program
    renewed_from: date
    renewed_to: date
    percent: float
    seed: int
    population: int
    selected: int
    due_on: date
    status: str
    result: str | None
    created_by: str
    created_at: datetime
    closed_at: datetime | None
    due_passed: bool


@dataclass(frozen=True)
class HolderRow:
    id: int
    audit_id: int
    due_on: date
    audit_status: str
    name: str
    number: str
    credential: str
    certificate_status: str
    entries: int
    evidenced: int
    accepted: int
    not_accepted: int
    submitted_at: datetime | None
    state: HolderState
    outcome: str | None
    outcome_text: str | None
    outcome_until: date | None

    @property
    def state_label(self) -> str:
        return rules.STATE_LABELS[self.state]

    @property
    def outcome_label(self) -> str:
        return rules.OUTCOME_LABELS[rules.Outcome(self.outcome)] if self.outcome else ""


@dataclass(frozen=True)
class ItemView:
    id: int
    title: str
    topic: str | None
    hours: float
    completed_on: date
    has_file: bool
    uploaded_at: datetime | None
    note: str | None
    decision: str | None
    reason: str | None

    @property
    def decision_label(self) -> str:
        return rules.DECISION_LABELS[rules.Decision(self.decision)] if self.decision else ""


@dataclass(frozen=True)
class AuditPage:
    audit: AuditSummary
    holders: list[HolderRow]
    closing_problem: str | None


@dataclass(frozen=True)
class HolderPage:
    audit: AuditSummary
    holder: HolderRow
    items: list[ItemView]

    @property
    def can_respond(self) -> bool:
        """The holder's forms show (their evidence can still change)."""
        submitted = self.holder.submitted_at is not None
        return rules.holder_may_respond(self.audit.status, submitted, self.audit.due_passed)

    @property
    def can_decide(self) -> bool:
        """The board's decision forms show."""
        return rules.board_may_decide(self.audit.status, self.holder.submitted_at is not None)


def _summary(
    row: CEAudit, created_by: str, program: str | None, selected: int, now: datetime
) -> AuditSummary:
    return AuditSummary(
        row.id, program, row.renewed_from, row.renewed_to, row.percent, row.seed,
        row.population, selected, row.due_on, row.status, row.result, created_by,
        row.created_at, row.closed_at, rules.due_passed(row.due_on, now.date()),
    )  # fmt: skip


def _audit_query() -> Any:
    selected = (
        select(func.count())
        .where(CEAuditHolder.audit_id == CEAudit.id)
        .correlate(CEAudit)
        .scalar_subquery()
    )
    return (
        select(CEAudit, User.legal_name, Program.title, selected)
        .join(User, User.id == CEAudit.created_by_id)
        .outerjoin(Program, Program.id == CEAudit.program_id)
    )


def audits(jurisdiction: str, now: datetime) -> list[AuditSummary]:
    """This jurisdiction's audits, the newest first."""
    rows = db.session.execute(
        _audit_query()
        .where(CEAudit.jurisdiction == jurisdiction)
        .order_by(CEAudit.created_at.desc(), CEAudit.id.desc())
    ).all()
    return [_summary(r[0], r[1], r[2], r[3], now) for r in rows]


def _one(jurisdiction: str, audit_id: int, now: datetime) -> AuditSummary:
    found = db.session.execute(
        _audit_query().where(CEAudit.id == audit_id, CEAudit.jurisdiction == jurisdiction)
    ).first()
    if found is None:
        raise NotFound(audit_id)
    return _summary(found[0], found[1], found[2], found[3], now)


def progress(where: Any, today: date) -> list[tuple[HolderRow, CEAuditHolder]]:
    """Selected holders matching ``where`` with their progress, in one statement."""
    counts = (
        select(
            CEAuditItem.holder_id,
            func.count().label("entries"),
            func.count(
                case((CEAuditItem.stored_name.is_not(None), 1), (CEAuditItem.note.is_not(None), 1))
            ).label("evidenced"),
            func.count(case((CEAuditItem.decision == Decision.ACCEPTED, 1))).label("accepted"),
            func.count(case((CEAuditItem.decision == Decision.NOT_ACCEPTED, 1))).label("refused"),
        )
        .where(CEAuditItem.holder_id.in_(select(CEAuditHolder.id).where(where)))
        .group_by(CEAuditItem.holder_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            CEAuditHolder,
            Certificate.holder_name,
            Certificate.number,
            Certificate.credential_name,
            Certificate.status,
            CEAudit.due_on,
            CEAudit.status.label("audit_status"),
            counts,
        )
        .join(Certificate, Certificate.id == CEAuditHolder.certificate_id)
        .join(CEAudit, CEAudit.id == CEAuditHolder.audit_id)
        .join(counts, counts.c.holder_id == CEAuditHolder.id)
        .where(where)
        .order_by(CEAuditHolder.audit_id.desc(), Certificate.holder_name, CEAuditHolder.id)
    ).all()
    out = []
    for r in rows:
        h: CEAuditHolder = r[0]
        if r.audit_status == AuditStatus.CLOSED and h.result:
            state = HolderState(h.result)
        else:
            state = rules.state_of(
                h.submitted_at is not None, r.entries, r.accepted, r.refused,
                rules.due_passed(r.due_on, today),
            )  # fmt: skip
        out.append((HolderRow(
            h.id, h.audit_id, r.due_on, r.audit_status, r.holder_name, r.number or "",
            r.credential_name, r.status, r.entries, r.evidenced, r.accepted,
            r.refused, h.submitted_at, state, h.outcome, h.outcome_text, h.outcome_until,
        ), h))  # fmt: skip
    return out


def _missing_outcomes(holders: list[HolderRow]) -> int:
    return sum(h.state in FAILING and h.outcome is None for h in holders)


def audit_page(jurisdiction: str, audit_id: int, now: datetime) -> AuditPage:
    """One audit of this jurisdiction: its facts and each selected holder's progress."""
    summary = _one(jurisdiction, audit_id, now)
    rows = [h for h, _ in progress(CEAuditHolder.audit_id == audit_id, now.date())]
    problem = None
    if summary.status == AuditStatus.OPEN:
        problem = rules.closing_problem([h.state for h in rows], _missing_outcomes(rows))
    return AuditPage(summary, rows, problem)


def _items(holder_id: int) -> list[ItemView]:
    rows = db.session.execute(
        select(CEAuditItem, CEEntry.title, CEEntry.topic, CEEntry.hours, CEEntry.completed_on)
        .join(CEEntry, CEEntry.id == CEAuditItem.ce_entry_id)
        .where(CEAuditItem.holder_id == holder_id)
        .order_by(CEEntry.completed_on, CEEntry.id)
    ).all()
    topics = content.labels("topics")  # the release each process keeps: no statement
    return [
        ItemView(
            i.id,
            title,
            topics.get(topic, topic) if topic else None,
            hours,
            done,
            i.stored_name is not None,
            i.uploaded_at,
            i.note,
            i.decision,
            i.reason,
        )
        for i, title, topic, hours, done in rows
    ]


def _holder_page(summary: AuditSummary, where: Any, holder_id: int, now: datetime) -> HolderPage:
    found = progress(where, now.date())
    if not found:
        raise NotFound(holder_id)
    return HolderPage(summary, found[0][0], _items(holder_id))


def holder_review(jurisdiction: str, audit_id: int, holder_id: int, now: datetime) -> HolderPage:
    """One selected holder of an audit of this jurisdiction, entry by entry."""
    summary = _one(jurisdiction, audit_id, now)
    where = and_(CEAuditHolder.id == holder_id, CEAuditHolder.audit_id == audit_id)
    return _holder_page(summary, where, holder_id, now)


def requests_of(user: User, now: datetime) -> list[HolderRow]:
    """The holder's audit requests, the newest first, with their progress."""
    return [h for h, _ in progress(CEAuditHolder.user_id == user.id, now.date())]


def request_of(user: User, holder_id: int, now: datetime) -> HolderPage:
    """One audit request of the holder's (NotFound for anyone else's)."""
    found = db.session.execute(
        _audit_query()
        .join(CEAuditHolder, CEAuditHolder.audit_id == CEAudit.id)
        .where(CEAuditHolder.id == holder_id, CEAuditHolder.user_id == user.id)
    ).first()
    if found is None:
        raise NotFound(holder_id)
    summary = _summary(found[0], found[1], found[2], found[3], now)
    return _holder_page(summary, CEAuditHolder.id == holder_id, holder_id, now)


def open_requests_of(
    user_id: ColumnElement[int] | InstrumentedAttribute[int], today: date
) -> ScalarSelect[int]:
    """How many audit requests of the person ``user_id`` names still wait for their evidence
    (open, not submitted, due date not passed), as a subquery: the holder's home reads it
    within the query it already makes, at no extra statement."""
    return (
        select(func.count())
        .select_from(CEAuditHolder)
        .join(CEAudit, CEAudit.id == CEAuditHolder.audit_id)
        .where(
            CEAuditHolder.user_id == user_id,
            CEAuditHolder.submitted_at.is_(None),
            CEAudit.status == AuditStatus.OPEN,
            CEAudit.due_on >= today,
        )
        .scalar_subquery()
    )


def open_requests(user: User, now: datetime) -> int:
    """How many of the holder's audit requests still wait for their evidence."""
    return db.session.scalar(select(open_requests_of(literal(user.id), now.date()))) or 0
