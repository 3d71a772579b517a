"""Supervised hours: who supervises whom, logging entries, decisions, totals, notices.

Every decision is a conditional UPDATE (``WHERE status = 'pending'``): of two supervisors,
tabs or clicks deciding the same entry at once, exactly one decision lands.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from defusedcsv import csv
from flask import current_app, has_request_context, request
from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from trainer.domain import hours as rules
from trainer.domain.errors import NotAllowed, NotFound, RuleError
from trainer.extensions import db
from trainer.models import (
    Enrolment,
    HourEntry,
    SupervisionLink,
    SupervisorDigest,
    User,
)
from trainer.models.base import utcnow
from trainer.services import accounts, audit, content, db_util, outbox

PAGE_SIZE = 50


def local_date(user: User, when: datetime) -> date:
    return when.astimezone(ZoneInfo(user.timezone or "UTC")).date()


# -- enrolments and supervision links ----------------------------------------------------


def trainee_enrolment(user: User, enrolment_id: int) -> Enrolment:
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.user_id != user.id:
        raise NotFound(enrolment_id)
    return enrolment


def categories(enrolment: Enrolment) -> dict[str, str]:
    """The program's hour categories, with their labels."""
    labels = content.labels("domains")
    cats = enrolment.program.definition["supervised_categories"]
    return {c: labels.get(c, c) for c in cats}


def links(enrolment_id: int) -> list[SupervisionLink]:
    return list(
        db.session.scalars(
            select(SupervisionLink)
            .options(joinedload(SupervisionLink.supervisor))
            .where(SupervisionLink.enrolment_id == enrolment_id)
            .order_by(SupervisionLink.created_at)
        )
    )


def active_supervisors(enrolment_id: int) -> list[User]:
    return [link.supervisor for link in links(enrolment_id) if link.status == "active"]


def _supervisor_by_email(email: str) -> User:
    person = accounts.find_by_email(email)
    if person is None or not person.active or not person.has_role("supervisor"):
        raise RuleError(
            "email",
            "No supervisor account uses that e-mail address. Ask your "
            "supervisor which address they use here, or ask an "
            "administrator to add them.",
        )
    return person


def _add_link(enrolment: Enrolment, supervisor: User, status: str, actor: User) -> SupervisionLink:
    if supervisor.id == enrolment.user_id:
        raise RuleError("email", "You cannot supervise your own hours.")
    link = SupervisionLink(
        enrolment_id=enrolment.id,
        supervisor_id=supervisor.id,
        status=status,
        created_by_id=actor.id,
        created_at=utcnow(),
        accepted_at=utcnow() if status == "active" else None,
    )
    try:
        # add inside the savepoint: begin_nested() flushes what is pending first
        with db.session.begin_nested():
            db.session.add(link)
            db.session.flush()
    except IntegrityError:
        raise RuleError(
            "email", f"{supervisor.display_name} is already your supervisor or already invited."
        ) from None
    return link


def invite_supervisor(trainee: User, enrolment_id: int, email: str) -> SupervisionLink:
    """The trainee asks a supervisor (by e-mail) to supervise this enrolment."""
    enrolment = trainee_enrolment(trainee, enrolment_id)
    supervisor = _supervisor_by_email(email)
    link = _add_link(enrolment, supervisor, "invited", trainee)
    audit.record(
        "hours.supervisor_invited",
        actor=trainee,
        subject=link,
        supervisor=supervisor.id,
        enrolment=enrolment.id,
    )
    outbox.queue_mail(
        supervisor.email,
        "A trainee asks you to supervise their hours",
        f"Hello {supervisor.display_name},\n\n{trainee.legal_name} asks you to supervise "
        f"their work hours for {enrolment.program.title}. Accept or decline on your "
        f"supervision page: {current_app.config['BASE_URL']}/supervise/\n",
        kind="supervision_invite",
    )
    return link


def respond(supervisor: User, link_id: int, accept: bool) -> SupervisionLink:
    link = db.session.get(SupervisionLink, link_id)
    if link is None or link.supervisor_id != supervisor.id:
        raise NotFound(link_id)
    if link.status != "invited":
        raise RuleError(None, "This invitation was already answered.")
    link.status = "active" if accept else "declined"
    link.accepted_at = utcnow() if accept else None
    db.session.flush()
    audit.record(
        "hours.invitation_" + ("accepted" if accept else "declined"), actor=supervisor, subject=link
    )
    return link


def assign(
    admin: User, trainee_email: str, program_id: str, supervisor_email: str
) -> SupervisionLink:
    """An admin assigns a supervisor to a trainee's enrolment (active at once)."""
    trainee = accounts.find_by_email(trainee_email)
    enrolment = (
        None
        if trainee is None
        else db.session.scalar(
            select(Enrolment).where(
                Enrolment.user_id == trainee.id, Enrolment.program_id == program_id
            )
        )
    )
    if enrolment is None:
        raise RuleError("trainee_email", "That person is not enrolled in that program.")
    supervisor = _supervisor_by_email(supervisor_email)
    try:
        link = _add_link(enrolment, supervisor, "active", admin)
    except RuleError as error:
        raise RuleError("supervisor_email", error.message) from None
    audit.record(
        "hours.supervisor_assigned",
        actor=admin,
        subject=link,
        supervisor=supervisor.id,
        enrolment=enrolment.id,
    )
    return link


def end_link(admin: User, link_id: int) -> SupervisionLink:
    link = db.session.get(SupervisionLink, link_id)
    if link is None:
        raise NotFound(link_id)
    if link.status not in ("active", "invited"):
        raise RuleError(None, "This supervision has already ended.")
    link.status, link.ended_at = "ended", utcnow()
    db.session.flush()
    audit.record("hours.supervisor_removed", actor=admin, subject=link)
    return link


def invitations(supervisor: User) -> list[SupervisionLink]:
    return list(
        db.session.scalars(
            select(SupervisionLink)
            .options(joinedload(SupervisionLink.enrolment))
            .where(
                SupervisionLink.supervisor_id == supervisor.id, SupervisionLink.status == "invited"
            )
        )
    )


def supervised_enrolments(supervisor: User) -> list[Enrolment]:
    return list(
        db.session.scalars(
            select(Enrolment)
            # a few programs for many enrolments: load each (and its JSON) once, not per row
            .options(joinedload(Enrolment.user), selectinload(Enrolment.program))
            .join(SupervisionLink, SupervisionLink.enrolment_id == Enrolment.id)
            .where(
                SupervisionLink.supervisor_id == supervisor.id, SupervisionLink.status == "active"
            )
            .order_by(Enrolment.id)
        ).unique()
    )


def supervises(supervisor: User, enrolment_id: int) -> bool:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(SupervisionLink)
            .where(
                SupervisionLink.supervisor_id == supervisor.id,
                SupervisionLink.enrolment_id == enrolment_id,
                SupervisionLink.status == "active",
            )
        )
        or 0
    ) > 0


# -- entries ----------------------------------------------------------------------------------


def _minutes_that_day(trainee_id: int, day: date, exclude: int | None = None) -> int:
    stmt = select(func.coalesce(func.sum(HourEntry.minutes), 0)).where(
        HourEntry.trainee_id == trainee_id,
        HourEntry.work_date == day,
        HourEntry.status.in_((rules.PENDING, rules.RETURNED, rules.APPROVED)),
        HourEntry.minutes > 0,
    )
    if exclude is not None:
        stmt = stmt.where(HourEntry.id != exclude)
    return int(db.session.scalar(stmt) or 0)


@dataclass(frozen=True)
class EntryForm:
    work_date: date
    hours: str
    category: str
    setting: str
    kind: str
    description: str
    supervisor_id: int


def _checked(
    trainee: User, enrolment: Enrolment, form: EntryForm, now: datetime, exclude: int | None = None
) -> rules.EntryInput:
    minutes = rules.parse_hours(form.hours)
    data = rules.EntryInput(
        form.work_date, minutes, form.category, form.setting, form.kind, form.description.strip()
    )
    rules.check_entry(
        data,
        today=local_date(trainee, now),
        enrolled_on=local_date(trainee, enrolment.enrolled_at),
        categories=categories(enrolment),
        settings=content.labels("settings"),
        other_minutes_that_day=_minutes_that_day(trainee.id, form.work_date, exclude),
    )
    if form.supervisor_id not in {s.id for s in active_supervisors(enrolment.id)}:
        raise RuleError("supervisor", "Choose one of your supervisors for this program.")
    return data


def _entry_values(data: rules.EntryInput, form: EntryForm, now: datetime) -> dict[str, Any]:
    """What the trainee wrote, checked, as a pending entry's columns (new or edited)."""
    return {
        "supervisor_id": form.supervisor_id,
        "work_date": data.work_date,
        "minutes": data.minutes,
        "category": data.category,
        "setting": data.setting,
        "kind": data.kind,
        "description": data.description,
        "status": rules.PENDING,
        "updated_at": now,
    }


def log_entry(trainee: User, enrolment_id: int, form: EntryForm, now: datetime) -> HourEntry:
    """Record a pending entry for the supervisor to decide. RuleError names the bad field."""
    enrolment = trainee_enrolment(trainee, enrolment_id)
    data = _checked(trainee, enrolment, form, now)
    entry = HourEntry(
        enrolment_id=enrolment.id,
        trainee_id=trainee.id,
        created_at=now,
        **_entry_values(data, form, now),
    )
    db.session.add(entry)
    db.session.flush()
    audit.record(
        "hours.logged", actor=trainee, subject=entry, minutes=data.minutes, category=data.category
    )
    return entry


def own_entry(trainee: User, entry_id: int) -> HourEntry:
    entry = db.session.get(HourEntry, entry_id)
    if entry is None or entry.trainee_id != trainee.id:
        raise NotFound(entry_id)
    return entry


def edit_entry(trainee: User, entry_id: int, form: EntryForm, now: datetime) -> HourEntry:
    """Change a pending or returned entry; it goes (back) to pending."""
    entry = own_entry(trainee, entry_id)
    rules.transition(entry.status, "edit", "trainee")
    enrolment = trainee_enrolment(trainee, entry.enrolment_id)
    data = _checked(trainee, enrolment, form, now, exclude=entry.id)
    changed = db_util.rows_changed(
        update(HourEntry)
        .where(HourEntry.id == entry.id, HourEntry.status.in_((rules.PENDING, rules.RETURNED)))
        .values(**_entry_values(data, form, now), notified_at=None)
        .execution_options(synchronize_session=False)
    )
    if not changed:
        raise NotAllowed("The entry was decided meanwhile and can no longer be changed.")
    db.session.refresh(entry)
    audit.record("hours.edited", actor=trainee, subject=entry, minutes=data.minutes)
    return entry


def withdraw_entry(trainee: User, entry_id: int) -> HourEntry:
    entry = own_entry(trainee, entry_id)
    rules.transition(entry.status, "withdraw", "trainee")
    changed = db_util.rows_changed(
        update(HourEntry)
        .where(HourEntry.id == entry.id, HourEntry.status.in_((rules.PENDING, rules.RETURNED)))
        .values(status=rules.WITHDRAWN, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if not changed:
        raise NotAllowed("The entry was decided meanwhile and can no longer be withdrawn.")
    db.session.refresh(entry)
    audit.record("hours.withdrawn", actor=trainee, subject=entry)
    return entry


@dataclass(frozen=True)
class DecisionResult:
    decided: list[HourEntry]
    skipped: int  # already decided by someone else


def decide(
    supervisor: User,
    entry_ids: Sequence[int],
    action: str,
    note: str,
    attested: bool,
    now: datetime,
) -> DecisionResult:
    """Approve, return or reject entries. Only the entry's own, currently linked supervisor
    may, never for their own hours. Approval needs the attestation; return a comment; reject
    a reason. Raises NotAllowed/NotFound/RuleError and then changes nothing."""
    if action not in ("approve", "return", "reject"):
        raise RuleError(None, "Unknown decision.")
    if not entry_ids:
        raise RuleError(None, "Select at least one entry.")
    note = (note or "").strip()
    if action == "approve" and not attested:
        raise RuleError(
            "attest", "Confirm that you supervised this work and the record is accurate."
        )
    if action == "return" and not note:
        raise RuleError("note", "Say what needs correcting.")
    if action == "reject" and not note:
        raise RuleError("note", "Give the reason for rejecting.")
    entries = list(db.session.scalars(select(HourEntry).where(HourEntry.id.in_(entry_ids))))
    if len(entries) != len(set(entry_ids)):
        raise NotFound("entry")
    for entry in entries:
        if entry.trainee_id == supervisor.id:
            raise NotAllowed("You cannot decide your own hours.")
        if entry.supervisor_id != supervisor.id or not supervises(supervisor, entry.enrolment_id):
            raise NotAllowed("You do not supervise this entry.")
    new_state = rules.TRANSITIONS[(rules.PENDING, action)][1]
    remote = request.remote_addr if has_request_context() else None
    decided, skipped = [], 0
    for entry in entries:
        if entry.status != rules.PENDING:
            skipped += 1
            continue
        won = (
            db_util.rows_changed(
                update(HourEntry)
                .where(HourEntry.id == entry.id, HourEntry.status == rules.PENDING)
                .values(
                    status=new_state,
                    decided_at=now,
                    decided_by_id=supervisor.id,
                    decision_note=note or None,
                    decided_from=remote,
                    attestation=rules.ATTESTATION if action == "approve" else None,
                )
                .execution_options(synchronize_session=False)
            )
            == 1
        )
        if not won:
            skipped += 1
            continue
        db.session.refresh(entry)
        decided.append(entry)
        audit.record(
            f"hours.{new_state}",
            actor=supervisor,
            subject=entry,
            note=note or None,
            attestation=entry.attestation,
            minutes=entry.minutes,
        )
    for entry in decided:
        _tell_trainee(entry)
    if action == "approve":
        from trainer.services import certificates

        for enrolment_id in {e.enrolment_id for e in decided}:
            enrolment = db.session.get(Enrolment, enrolment_id)
            assert enrolment is not None
            certificates.issue_if_met(enrolment.user, enrolment.program_id, now)
    return DecisionResult(decided, skipped)


def _tell_trainee(entry: HourEntry) -> None:
    trainee = db.session.get(User, entry.trainee_id)
    assert trainee is not None
    what = rules.STATUS_LABELS[entry.status].lower()
    extra = f"\nYour supervisor wrote: {entry.decision_note}\n" if entry.decision_note else ""
    outbox.queue_mail(
        trainee.email,
        f"Your hours of {entry.work_date:%-d %B %Y}: {what}",
        f"Hello {trainee.display_name},\n\nYour entry of {entry.minutes / 60:g} hours on "
        f"{entry.work_date:%-d %B %Y} was {what}.{extra}\nSee your hours: "
        f"{current_app.config['BASE_URL']}/hours/\n",
        kind="hours_decision",
    )


def reverse(admin: User, entry_id: int, reason: str, now: datetime) -> HourEntry:
    """Correct an approved entry by a reversing entry; the original is never changed."""
    original = db.session.get(HourEntry, entry_id)
    if original is None:
        raise NotFound(entry_id)
    if original.status != rules.APPROVED or original.minutes < 0:
        raise RuleError(None, "Only an approved entry can be reversed.")
    if not reason.strip():
        raise RuleError("reason", "Give the reason for the correction.")
    reversal = HourEntry(
        enrolment_id=original.enrolment_id,
        trainee_id=original.trainee_id,
        supervisor_id=original.supervisor_id,
        work_date=original.work_date,
        minutes=-original.minutes,
        category=original.category,
        setting=original.setting,
        kind=original.kind,
        description=f"Reversal of entry {original.id}: {reason.strip()}",
        status=rules.APPROVED,
        created_at=now,
        updated_at=now,
        decided_at=now,
        decided_by_id=admin.id,
        decision_note=reason.strip(),
        reverses_id=original.id,
        decided_from=request.remote_addr if has_request_context() else None,
    )
    try:
        # add inside the savepoint: begin_nested() flushes what is pending first
        with db.session.begin_nested():
            db.session.add(reversal)
            db.session.flush()
    except IntegrityError:
        raise RuleError(None, "This entry was already reversed.") from None
    audit.record(
        "hours.reversed", actor=admin, subject=original, reversal=reversal.id, reason=reason.strip()
    )
    return reversal


# -- totals, lists, exports ---------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    categories: list[rules.CategoryTotal]
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


def totals(enrolment: Enrolment) -> Totals:
    """Approved and pending minutes per category, in one grouped query."""
    approved = case((HourEntry.status == rules.APPROVED, HourEntry.minutes), else_=0)
    pending = case((HourEntry.status == rules.PENDING, HourEntry.minutes), else_=0)
    supervision = case(
        (
            (HourEntry.status == rules.APPROVED) & (HourEntry.kind == "supervision"),
            HourEntry.minutes,
        ),
        else_=0,
    )
    rows = db.session.execute(
        select(HourEntry.category, func.sum(approved), func.sum(pending), func.sum(supervision))
        .where(HourEntry.enrolment_id == enrolment.id)
        .group_by(HourEntry.category)
    ).all()
    by_cat = {r[0]: (int(r[1] or 0), int(r[2] or 0), int(r[3] or 0)) for r in rows}
    d = enrolment.program.definition
    cats = [
        rules.CategoryTotal(
            c,
            label,
            by_cat.get(c, (0, 0, 0))[0],
            by_cat.get(c, (0, 0, 0))[1],
            float(d["supervised_categories"].get(c, 0)),
        )
        for c, label in categories(enrolment).items()
    ]
    return Totals(
        cats,
        sum(v[0] for v in by_cat.values()),
        sum(v[1] for v in by_cat.values()),
        sum(v[2] for v in by_cat.values()),
        float(d["supervised_hours"]),
        float(d["supervision_hours"]),
    )


def entries(enrolment_id: int, page: int = 1) -> tuple[list[HourEntry], bool]:
    rows = list(
        db.session.scalars(
            select(HourEntry)
            .options(joinedload(HourEntry.supervisor))
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


def queue(supervisor: User, flt: QueueFilter, page: int = 1) -> tuple[list[HourEntry], bool]:
    """Pending entries of the supervisor's trainees (constant queries whatever the count)."""
    stmt = (
        select(HourEntry)
        .options(joinedload(HourEntry.trainee))
        .join(
            SupervisionLink,
            (SupervisionLink.enrolment_id == HourEntry.enrolment_id)
            & (SupervisionLink.supervisor_id == supervisor.id)
            & (SupervisionLink.status == "active"),
        )
        .where(HourEntry.supervisor_id == supervisor.id, HourEntry.status == rules.PENDING)
    )
    if flt.trainee_id:
        stmt = stmt.where(HourEntry.trainee_id == flt.trainee_id)
    if flt.date_from:
        stmt = stmt.where(HourEntry.work_date >= flt.date_from)
    if flt.date_to:
        stmt = stmt.where(HourEntry.work_date <= flt.date_to)
    if flt.category:
        stmt = stmt.where(HourEntry.category == flt.category)
    rows = list(
        db.session.scalars(
            stmt.order_by(HourEntry.work_date, HourEntry.id)
            .limit(PAGE_SIZE + 1)
            .offset((page - 1) * PAGE_SIZE)
        )
    )
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


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


# -- notices --------------------------------------------------------------------------------


def send_digests(now: datetime) -> int:
    """E-mail each supervisor the pending entries they have not been told of: at most one
    message per supervisor per day. Returns the number of messages sent."""
    pending = db.session.execute(
        select(HourEntry.supervisor_id, func.count())
        .where(HourEntry.status == rules.PENDING, HourEntry.notified_at.is_(None))
        .group_by(HourEntry.supervisor_id)
    ).all()
    sent = 0
    today = now.date()
    for supervisor_id, count in pending:
        try:
            with db.session.begin_nested():
                db.session.add(
                    SupervisorDigest(supervisor_id=supervisor_id, day=today, sent_at=now)
                )
                db.session.flush()
        except IntegrityError:
            continue  # already told today; tomorrow's digest will list these
        supervisor = db.session.get(User, supervisor_id)
        assert supervisor is not None
        items = db.session.execute(
            select(HourEntry.work_date, HourEntry.minutes, User.legal_name)
            .join(User, User.id == HourEntry.trainee_id)
            .where(
                HourEntry.supervisor_id == supervisor_id,
                HourEntry.status == rules.PENDING,
                HourEntry.notified_at.is_(None),
            )
            .order_by(User.legal_name, HourEntry.work_date)
        ).all()
        lines = "\n".join(
            f"- {name}: {minutes / 60:g} h on {day:%-d %b %Y}" for day, minutes, name in items
        )
        outbox.queue_mail(
            supervisor.email,
            f"{count} supervised-hour entr{'y' if count == 1 else 'ies'} waiting for you",
            f"Hello {supervisor.display_name},\n\nThese entries wait for your decision:\n"
            f"{lines}\n\nReview them: {current_app.config['BASE_URL']}/supervise/queue\n",
            kind="hours_pending",
        )
        db.session.execute(
            update(HourEntry)
            .where(
                HourEntry.supervisor_id == supervisor_id,
                HourEntry.status == rules.PENDING,
                HourEntry.notified_at.is_(None),
            )
            .values(notified_at=now)
            .execution_options(synchronize_session=False)
        )
        sent += 1
    return sent


def verification_pdf(enrolment: Enrolment, now: datetime) -> bytes:
    """The "Supervised Experience Verification" PDF: approved hours by category and month,
    and each supervisor's attestation. No free-text descriptions (they may name clients)."""
    from trainer import pdf

    trainee = enrolment.user
    t = totals(enrolment)
    rows = db.session.execute(
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
        .where(HourEntry.enrolment_id == enrolment.id, HourEntry.status == rules.APPROVED)
        .order_by(HourEntry.work_date)
    ).all()
    months: dict[str, dict[str, float]] = {}
    people: dict[str, dict[str, Any]] = {}
    for r in rows:
        month = months.setdefault(r.work_date.strftime("%B %Y"), {})
        month[r.category] = month.get(r.category, 0.0) + r.minutes / 60
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
    period = (
        f"{rows[0].work_date:%-d %B %Y} to {rows[-1].work_date:%-d %B %Y}"
        if rows
        else "no approved hours yet"
    )
    d = enrolment.program.definition
    title = f"Supervised Experience Verification: {trainee.legal_name}"
    return pdf.render(
        "hours_verification.html",
        title=title,
        author="trainer",
        subject=f"Approved supervised hours for {d['title']}",
        trainee=trainee.legal_name,
        program=d["title"],
        authority=d["issuing_authority"],
        period=period,
        generated=f"{local_date(trainee, now):%-d %B %Y}",
        categories=t.categories,
        total_hours=t.approved_hours,
        required_hours=t.required_hours,
        supervision_hours=t.supervision_hours,
        required_supervision=t.required_supervision_hours,
        months=list(months.items()),
        supervisors=supervisors,
        attestation=rules.ATTESTATION,
        reversals=sum(1 for r in rows if r.reverses_id is not None),
    )
