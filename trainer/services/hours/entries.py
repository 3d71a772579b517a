"""A trainee logs, edits and withdraws supervised-hour entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update

from trainer.domain import hours as hour_rules
from trainer.domain.errors import NotAllowed, NotFound, RuleError
from trainer.extensions import db
from trainer.models import (
    Enrolment,
    HourEntry,
    User,
)
from trainer.services import audit, content, db_util, progress
from trainer.services import release as releases
from trainer.services.hours.links import active_supervisors, categories, trainee_enrolment


def local_date(user: User, when: datetime) -> date:
    return when.astimezone(ZoneInfo(user.timezone or "UTC")).date()


def _minutes_that_day(trainee_id: int, day: date, exclude: int | None = None) -> int:
    stmt = select(func.coalesce(func.sum(HourEntry.minutes), 0)).where(
        HourEntry.trainee_id == trainee_id,
        HourEntry.work_date == day,
        HourEntry.status.in_((hour_rules.PENDING, hour_rules.RETURNED, hour_rules.APPROVED)),
        HourEntry.minutes > 0,
    )
    if exclude is not None:
        stmt = stmt.where(HourEntry.id != exclude)
    return int(db.session.scalar(stmt) or 0)


@dataclass(frozen=True)
class EntrySubmission(hour_rules.EntryDraft):
    """An hour entry as the trainee submitted it: the draft the hour rules check, and the
    supervisor asked to sign it. The web form is ``web.hours.forms.HourEntryForm``; once
    checked it is ``domain.hours.ParsedEntry``."""

    supervisor_id: int


def enrolled_on(trainee: User, enrolment: Enrolment) -> date:
    """The date the trainee enrolled, in their time zone: work dated earlier is "before
    enrolment"."""
    return local_date(trainee, enrolment.enrolled_at)


def prior_work_days(enrolment: Enrolment) -> int:
    """How many days before enrolling the program accepts supervised work (0: none)."""
    return releases.get().programs[enrolment.program_id].spec.prior_work_days


def _problems(
    trainee: User,
    enrolment: Enrolment,
    form: EntrySubmission,
    now: datetime,
    exclude: int | None = None,
) -> list[RuleError]:
    problems = hour_rules.entry_problems(
        form,
        today=local_date(trainee, now),
        enrolled_on=enrolled_on(trainee, enrolment),
        prior_work_days=prior_work_days(enrolment),
        categories=categories(enrolment),
        settings=content.labels("settings"),
        other_minutes_that_day=(
            0 if form.work_date is None else _minutes_that_day(trainee.id, form.work_date, exclude)
        ),
    )
    if form.supervisor_id not in {s.id for s in active_supervisors(enrolment.id)}:
        problems.append(RuleError("supervisor", "Choose one of your supervisors for this program."))
    return problems


def entry_problems(
    trainee: User,
    enrolment_id: int,
    form: EntrySubmission,
    now: datetime,
    entry_id: int | None = None,
) -> list[RuleError]:
    """Every rule the submission breaks (for a form that has problems of its own, so that
    one submit shows them all); ``entry_id`` when an existing entry is being edited.
    Nothing is written."""
    enrolment = trainee_enrolment(trainee, enrolment_id)
    return _problems(trainee, enrolment, form, now, exclude=entry_id)


def _checked(
    trainee: User,
    enrolment: Enrolment,
    form: EntrySubmission,
    now: datetime,
    exclude: int | None = None,
) -> hour_rules.ParsedEntry:
    """The submission, parsed; EntryProblems (a RuleError) lists every rule it breaks."""
    problems = _problems(trainee, enrolment, form, now, exclude)
    if problems:
        raise hour_rules.EntryProblems(problems)
    assert form.work_date is not None  # a missing date is a problem
    return hour_rules.ParsedEntry(
        form.work_date,
        hour_rules.parse_hours(form.hours),
        form.category,
        form.setting,
        form.kind,
        form.description.strip(),
    )


def _entry_values(
    data: hour_rules.ParsedEntry, form: EntrySubmission, now: datetime
) -> dict[str, Any]:
    """What the trainee wrote, checked, as a pending entry's columns (new or edited)."""
    return {
        "supervisor_id": form.supervisor_id,
        "work_date": data.work_date,
        "minutes": data.minutes,
        "category": data.category,
        "setting": data.setting,
        "kind": data.kind,
        "description": data.description,
        "status": hour_rules.PENDING,
        "updated_at": now,
    }


def log_entry(trainee: User, enrolment_id: int, form: EntrySubmission, now: datetime) -> HourEntry:
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
    progress.refresh(enrolment, now)  # pending minutes changed
    return entry


def own_entry(trainee: User, entry_id: int) -> HourEntry:
    entry = db.session.get(HourEntry, entry_id)
    if entry is None or entry.trainee_id != trainee.id:
        raise NotFound(entry_id)
    return entry


def edit_entry(trainee: User, entry_id: int, form: EntrySubmission, now: datetime) -> HourEntry:
    """Change a pending or returned entry; it goes (back) to pending."""
    entry = own_entry(trainee, entry_id)
    hour_rules.transition(entry.status, "edit", "trainee")
    enrolment = trainee_enrolment(trainee, entry.enrolment_id)
    data = _checked(trainee, enrolment, form, now, exclude=entry.id)
    changed = db_util.rows_changed(
        update(HourEntry)
        .where(
            HourEntry.id == entry.id,
            HourEntry.status.in_((hour_rules.PENDING, hour_rules.RETURNED)),
        )
        .values(**_entry_values(data, form, now), notified_at=None)
        .execution_options(synchronize_session=False)
    )
    if not changed:
        raise NotAllowed("The entry was decided meanwhile and can no longer be changed.")
    db.session.refresh(entry)
    audit.record("hours.edited", actor=trainee, subject=entry, minutes=data.minutes)
    progress.refresh(enrolment, now)
    return entry


def withdraw_entry(trainee: User, entry_id: int, now: datetime) -> HourEntry:
    entry = own_entry(trainee, entry_id)
    hour_rules.transition(entry.status, "withdraw", "trainee")
    changed = db_util.rows_changed(
        update(HourEntry)
        .where(
            HourEntry.id == entry.id,
            HourEntry.status.in_((hour_rules.PENDING, hour_rules.RETURNED)),
        )
        .values(status=hour_rules.WITHDRAWN, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if not changed:
        raise NotAllowed("The entry was decided meanwhile and can no longer be withdrawn.")
    db.session.refresh(entry)
    audit.record("hours.withdrawn", actor=trainee, subject=entry)
    progress.refresh(trainee_enrolment(trainee, entry.enrolment_id), now)
    return entry
