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
class EntrySubmission:
    """An hour entry as the trainee submitted it (hours as typed); the web form is
    ``web.hours.forms.HourEntryForm``, and once parsed it is ``domain.hours.ParsedEntry``."""

    work_date: date
    hours: str
    category: str
    setting: str
    kind: str
    description: str
    supervisor_id: int


def _checked(
    trainee: User,
    enrolment: Enrolment,
    form: EntrySubmission,
    now: datetime,
    exclude: int | None = None,
) -> hour_rules.ParsedEntry:
    minutes = hour_rules.parse_hours(form.hours)
    data = hour_rules.ParsedEntry(
        form.work_date, minutes, form.category, form.setting, form.kind, form.description.strip()
    )
    hour_rules.check_entry(
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
