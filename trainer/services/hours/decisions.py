"""A supervisor approves, returns or rejects entries; an admin reverses an approved one.

Every decision is a conditional UPDATE (``WHERE status = 'pending'``): of two supervisors,
tabs or clicks deciding the same entry at once, exactly one decision lands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from trainer.domain import hours as hour_rules
from trainer.domain.errors import NotAllowed, NotFound, RuleError
from trainer.extensions import db
from trainer.models import (
    Enrolment,
    HourEntry,
    User,
)
from trainer.services import audit, certificates, db_util, outbox, progress, supervision
from trainer.services.hours.entries import local_date
from trainer.services.hours.links import supervises


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
    new_state = hour_rules.TRANSITIONS[(hour_rules.PENDING, action)][1]
    qualified = _qualifications(supervisor, entries, now) if action == "approve" else {}
    remote = audit.origin()
    decided, skipped = [], 0
    for entry in entries:
        if entry.status != hour_rules.PENDING:
            skipped += 1
            continue
        won = (
            db_util.rows_changed(
                update(HourEntry)
                .where(HourEntry.id == entry.id, HourEntry.status == hour_rules.PENDING)
                .values(
                    status=new_state,
                    decided_at=now,
                    decided_by_id=supervisor.id,
                    decision_note=note or None,
                    decided_from=remote,
                    attestation=hour_rules.ATTESTATION if action == "approve" else None,
                    qualification_id=qualified.get(entry.enrolment_id),
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
    for enrolment_id in sorted({e.enrolment_id for e in decided}):
        enrolment = db.session.get(Enrolment, enrolment_id)
        assert enrolment is not None
        if action == "approve":  # refreshes progress, then may issue
            certificates.issue_if_met(enrolment.user, enrolment.program_id, now)
        else:  # pending minutes went down
            progress.refresh(enrolment, now)
    return DecisionResult(decided, skipped)


def _qualifications(
    supervisor: User, entries: Sequence[HourEntry], now: datetime
) -> dict[int, int | None]:
    """For each enrolment, the credential that lets ``supervisor`` sign off its program's
    hours today (None where the program sets no rule). RuleError, naming the rule, when
    they may not: then nothing is decided."""
    today = local_date(supervisor, now)
    programs = dict(
        db.session.execute(
            select(Enrolment.id, Enrolment.program_id).where(
                Enrolment.id.in_({e.enrolment_id for e in entries})
            )
        ).all()
    )
    return {eid: supervision.check(supervisor.id, pid, today) for eid, pid in programs.items()}


def _tell_trainee(entry: HourEntry) -> None:
    trainee = db.session.get(User, entry.trainee_id)
    assert trainee is not None
    what = hour_rules.STATUS_LABELS[entry.status].lower()
    extra = f"\nYour supervisor wrote: {entry.decision_note}\n" if entry.decision_note else ""
    outbox.queue_mail(
        trainee.email,
        f"Your hours of {entry.work_date:%-d %B %Y}: {what}",
        f"Hello {trainee.display_name},\n\nYour entry of {entry.minutes / 60:g} hours on "
        f"{entry.work_date:%-d %B %Y} was {what}.{extra}\nSee your hours: "
        f"{outbox.link('hours.home')}\n",
        kind="hours_decision",
    )


def reverse(admin: User, entry_id: int, reason: str, now: datetime) -> HourEntry:
    """Correct an approved entry by a reversing entry; the original is never changed."""
    original = db.session.get(HourEntry, entry_id)
    if original is None:
        raise NotFound(entry_id)
    if original.status != hour_rules.APPROVED or original.minutes < 0:
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
        status=hour_rules.APPROVED,
        created_at=now,
        updated_at=now,
        decided_at=now,
        decided_by_id=admin.id,
        decision_note=reason.strip(),
        reverses_id=original.id,
        decided_from=audit.origin(),
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
    enrolment = db.session.get(Enrolment, original.enrolment_id)
    assert enrolment is not None
    progress.refresh(enrolment, now)
    return reversal
