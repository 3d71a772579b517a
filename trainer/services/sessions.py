"""Supervision sessions: one of the two records it, the other confirms it, and only confirmed
sessions count (toward the program's supervision hours, and its cadence rule month by month).
Notes are for the two of them: the pages that show them are theirs alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from trainer.domain import sessions as rules
from trainer.domain.errors import NotFound, RuleError
from trainer.domain.statuses import LinkStatus
from trainer.extensions import db
from trainer.models import Enrolment, SupervisionLink, SupervisionSession, User
from trainer.services import audit, certificates, outbox
from trainer.services import release as releases
from trainer.services.hours.entries import local_date


def _link(enrolment_id: int, supervisor_id: int) -> SupervisionLink:
    """The supervision between them that is or was in force (the latest one); a RuleError
    on the supervisor field when there never was one."""
    link = db.session.scalar(
        select(SupervisionLink)
        .where(
            SupervisionLink.enrolment_id == enrolment_id,
            SupervisionLink.supervisor_id == supervisor_id,
            SupervisionLink.status.in_((LinkStatus.ACTIVE, LinkStatus.ENDED)),
        )
        .order_by(SupervisionLink.created_at.desc())
        .limit(1)
    )
    if link is None:
        raise RuleError("supervisor", "Choose a supervisor who supervises or supervised you.")
    return link


def _link_dates(link: SupervisionLink, user: User) -> tuple[date, date | None]:
    start = local_date(user, link.accepted_at or link.created_at)
    return start, local_date(user, link.ended_at) if link.ended_at else None


def record(
    actor: User, enrolment_id: int, supervisor_id: int, draft: rules.SessionDraft, now: datetime
) -> SupervisionSession:
    """The trainee or their supervisor records a session; the other is asked to confirm it.
    NotFound when the actor is neither; RuleError(s) per field, also for a supervisor the
    trainee was never supervised by."""
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or actor.id not in (enrolment.user_id, supervisor_id):
        raise NotFound(enrolment_id)
    link = _link(enrolment_id, supervisor_id)
    start, end = _link_dates(link, actor)
    domains = releases.get().labels("domains")
    minutes = rules.check(draft, local_date(actor, now), start, end, domains)
    row = SupervisionSession(
        enrolment_id=enrolment_id,
        supervisor_id=supervisor_id,
        trainee_id=enrolment.user_id,
        held_on=draft.held_on,
        minutes=minutes,
        format=draft.format,
        mode=draft.mode,
        domains=list(draft.domains),
        notes=draft.notes.strip(),
        recorded_by_id=actor.id,
        recorded_at=now,
    )
    db.session.add(row)
    db.session.flush()
    audit.record("supervision.session_recorded", actor=actor, subject=row, minutes=minutes)
    other = db.session.get(
        User, supervisor_id if actor.id == enrolment.user_id else enrolment.user_id
    )
    assert other is not None
    endpoint = "supervise.sessions_page" if other.id == supervisor_id else "hours.sessions_page"
    outbox.queue_mail(
        other.email,
        "A supervision session to confirm",
        f"Hello {other.display_name},\n\n{actor.display_name} recorded a supervision session "
        f"of {minutes / 60:g} hours on {draft.held_on:%-d %B %Y}. It counts once you confirm "
        f"it:\n{outbox.link(endpoint, enrolment_id=enrolment_id)}\n",
        kind="session_to_confirm",
    )
    return row


def confirm(actor: User, session_id: int, now: datetime) -> SupervisionSession:
    """The other of the two confirms; then it counts. NotFound for anyone else."""
    row = db.session.get(SupervisionSession, session_id)
    if row is None or actor.id not in (row.supervisor_id, row.trainee_id):
        raise NotFound(session_id)
    if actor.id == row.recorded_by_id:
        raise RuleError(None, "The other person confirms a session you recorded.")
    if row.confirmed_at is not None:
        raise RuleError(None, "This session is already confirmed.")
    row.confirmed_at = now
    db.session.flush()
    audit.record("supervision.session_confirmed", actor=actor, subject=row)
    enrolment = db.session.get(Enrolment, row.enrolment_id)
    assert enrolment is not None
    certificates.issue_if_met(enrolment.user, enrolment.program_id, now)  # refreshes progress
    return row


def supervisors_of(enrolment_id: int) -> list[User]:
    """Who a trainee may name on a session: supervisors whose supervision is or was in force
    (not invitations, not declined ones)."""
    return list(
        db.session.scalars(
            select(User)
            .join(SupervisionLink, SupervisionLink.supervisor_id == User.id)
            .where(
                SupervisionLink.enrolment_id == enrolment_id,
                SupervisionLink.status.in_((LinkStatus.ACTIVE, LinkStatus.ENDED)),
            )
            .order_by(User.legal_name)
        ).unique()
    )


def state(row: SupervisionSession, viewer_id: int) -> str:
    """Where a session stands for the person looking: confirmed, to-confirm (theirs to
    confirm: the other recorded it) or waiting (they recorded it; the other confirms)."""
    if row.confirmed_at is not None:
        return "confirmed"
    return "waiting" if row.recorded_by_id == viewer_id else "to-confirm"


def of(enrolment_id: int, supervisor_id: int | None = None) -> list[SupervisionSession]:
    """An enrolment's sessions, newest first; only those with ``supervisor_id`` when given
    (a supervisor sees their own sessions, never another supervisor's notes)."""
    statement = (
        select(SupervisionSession)
        .options(joinedload(SupervisionSession.supervisor), joinedload(SupervisionSession.trainee))
        .where(SupervisionSession.enrolment_id == enrolment_id)
        .order_by(SupervisionSession.held_on.desc(), SupervisionSession.id.desc())
    )
    if supervisor_id is not None:
        statement = statement.where(SupervisionSession.supervisor_id == supervisor_id)
    return list(db.session.scalars(statement).unique())


@dataclass(frozen=True)
class CadenceView:
    source: str
    rule: str  # in words
    months: list[rules.Month]


def cadence(
    enrolment: Enrolment, rows: list[SupervisionSession], today: date
) -> CadenceView | None:
    """The program's cadence rule, month by month from the first confirmed session (None
    when the program has no such rule)."""
    rule = releases.get().programs[enrolment.program_id].spec.supervision_cadence
    if rule is None:
        return None
    held = [rules.Held(r.held_on, r.minutes, r.mode) for r in rows if r.confirmed_at is not None]
    words = f"at least {rule.sessions_per_month} sessions a month"
    if rule.in_person:
        words += " in person"
    if rule.one_at_least_minutes:
        words += f", one of them at least {rule.one_at_least_minutes} minutes long"
    start = min((h.held_on for h in held), default=today)
    return CadenceView(rule.source, words, rules.months(rule, held, start, today))
