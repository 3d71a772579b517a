"""What holders and boards do in an audit: evidence, notes and the submission (the holder,
until the due date), decisions, outcomes and the close (the board). Each step is audited."""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from sqlalchemy import select

from trainer.domain import ce_audits as rules
from trainer.domain.ce_audits import OUTCOME_LABELS, AuditStatus, HolderState, Outcome
from trainer.domain.errors import NotFound, RuleError
from trainer.extensions import db
from trainer.models import Certificate, User
from trainer.models.ce_audits import CEAudit, CEAuditHolder, CEAuditItem
from trainer.services import audit, evidence, outbox, storage
from trainer.services.ce_audits.pages import FAILING, HolderRow, board_of, progress
from trainer.services.certificates import standing
from trainer.services.certificates.public import revoke

# -- the holder ------------------------------------------------------------------------------


def _own(user: User, holder_id: int) -> tuple[CEAuditHolder, CEAudit]:
    holder = db.session.get(CEAuditHolder, holder_id)
    if holder is None or holder.user_id != user.id:
        raise NotFound(holder_id)
    row = db.session.get(CEAudit, holder.audit_id)
    assert row is not None
    return holder, row


def _item(holder: CEAuditHolder, item_id: int) -> CEAuditItem:
    item = db.session.get(CEAuditItem, item_id)
    if item is None or item.holder_id != holder.id:
        raise NotFound(item_id)
    return item


def _still_open(holder: CEAuditHolder, row: CEAudit, now: datetime, field: str | None) -> None:
    if row.status != AuditStatus.OPEN:
        raise RuleError(field, "This audit is closed; its evidence can no longer be changed.")
    if holder.submitted_at is not None:
        raise RuleError(
            field, "You submitted this evidence for review; it can no longer be changed."
        )
    if rules.due_passed(row.due_on, now.date()):
        raise RuleError(
            field,
            f"The due date ({row.due_on:%-d %B %Y}) has passed, so evidence can no longer be "
            "uploaded. Contact the board that asked for it.",
        )


def upload(user: User, holder_id: int, item_id: int, data: bytes, now: datetime) -> CEAuditItem:
    """Keep a PDF, PNG or JPEG as the evidence of one CE entry (replacing an earlier one)."""
    holder, row = _own(user, holder_id)
    item = _item(holder, item_id)
    _still_open(holder, row, now, "file")
    stored, kind = evidence.store_file(data)
    item.stored_name, item.content_type, item.size = stored, kind, len(data)
    item.sha256, item.uploaded_at = hashlib.sha256(data).hexdigest(), now
    db.session.flush()
    audit.record(
        "ce_audit.evidence_uploaded", actor=user, subject=item, audit=row.id, sha256=item.sha256
    )
    return item


def save_note(user: User, holder_id: int, item_id: int, note: str, now: datetime) -> CEAuditItem:
    """The holder's note on one entry (why there is no evidence, or what the file shows);
    an empty note removes it."""
    holder, row = _own(user, holder_id)
    item = _item(holder, item_id)
    _still_open(holder, row, now, "note")
    item.note = rules.clean_text(note, "note", "note", required=False) or None
    db.session.flush()
    audit.record("ce_audit.note_saved", actor=user, subject=item, audit=row.id)
    return item


def submit(user: User, holder_id: int, now: datetime) -> CEAuditHolder:
    """Submit the evidence for review: every entry needs a file or a note."""
    holder, row = _own(user, holder_id)
    _still_open(holder, row, now, None)
    items = db.session.scalars(select(CEAuditItem).where(CEAuditItem.holder_id == holder.id))
    missing = sum(i.stored_name is None and not i.note for i in items)
    if missing:
        raise RuleError(
            None,
            f"Upload evidence or write a note for every entry first ({missing} still "
            f"without either).",
        )
    holder.submitted_at = now
    db.session.flush()
    audit.record("ce_audit.submitted", actor=user, subject=holder, audit=row.id)
    return holder


def _file(item: CEAuditItem) -> tuple[str, bytes]:
    if item.stored_name is None or item.content_type is None:
        raise NotFound(item.id)
    name = f"audit-evidence-{item.id}{evidence.EXTENSIONS[item.content_type]}"
    return name, storage.get(item.stored_name)


def holder_file(user: User, holder_id: int, item_id: int) -> tuple[str, str, bytes]:
    """The holder's own evidence file: (file name, content type, bytes)."""
    holder, _ = _own(user, holder_id)
    item = _item(holder, item_id)
    name, data = _file(item)
    return name, item.content_type or "", data


# -- the board -------------------------------------------------------------------------------


def _board_audit(actor: User, audit_id: int) -> CEAudit:
    row = db.session.get(CEAudit, audit_id)
    if row is None or row.jurisdiction != board_of(actor):
        raise NotFound(audit_id)
    return row


def _board_item(
    actor: User, audit_id: int, item_id: int, holder_id: int | None = None
) -> tuple[CEAudit, CEAuditHolder, CEAuditItem]:
    row = _board_audit(actor, audit_id)
    item = db.session.get(CEAuditItem, item_id)
    holder = db.session.get(CEAuditHolder, item.holder_id) if item else None
    if item is None or holder is None or holder.audit_id != row.id:
        raise NotFound(item_id)
    if holder_id is not None and holder.id != holder_id:
        raise NotFound(item_id)
    return row, holder, item


def _number(certificate_id: int) -> str:
    """The number of the holder's certificate now: a later renewal carries the credential."""
    cert = db.session.get(Certificate, certificate_id)
    while cert is not None and cert.superseded_by_id is not None:
        cert = db.session.get(Certificate, cert.superseded_by_id)
    assert cert is not None and cert.number is not None
    return cert.number


def board_file(actor: User, audit_id: int, item_id: int) -> tuple[str, str, bytes]:
    """A selected holder's evidence for the board (the download is audited)."""
    row, holder, item = _board_item(actor, audit_id, item_id)
    name, data = _file(item)
    audit.record(
        "ce_audit.evidence_downloaded", actor=actor, subject=item, audit=row.id,
        number=_number(holder.certificate_id),
    )  # fmt: skip
    return name, item.content_type or "", data


def decide(
    actor: User, audit_id: int, holder_id: int, item_id: int, decision: str | None,
    reason: str | None, now: datetime,
) -> CEAuditItem:  # fmt: skip
    """Accept one entry's evidence, or not (with the reason). May be changed until the
    audit closes; each decision is audited."""
    row, holder, item = _board_item(actor, audit_id, item_id, holder_id)
    if row.status != AuditStatus.OPEN:
        raise RuleError(None, "This audit is closed; its decisions are final.")
    if holder.submitted_at is None:
        raise RuleError(None, "The holder has not submitted evidence yet.")
    chosen, text = rules.check_decision(decision, reason)
    item.decision, item.reason = chosen, text or None
    item.decided_by_id, item.decided_at = actor.id, now
    db.session.flush()
    audit.record(
        "ce_audit.entry_decided", actor=actor, subject=item, audit=row.id,
        number=_number(holder.certificate_id), status=str(chosen), reason=text or None,
    )  # fmt: skip
    return item


def choose_outcome(
    actor: User, audit_id: int, holder_id: int, outcome: str | None, text: str | None,
    until: date | None, now: datetime,
) -> CEAuditHolder:  # fmt: skip
    """The outcome for a holder who failed or did not respond, applied when the audit
    closes (and changeable until then)."""
    row = _board_audit(actor, audit_id)
    holder = db.session.get(CEAuditHolder, holder_id)
    if holder is None or holder.audit_id != row.id:
        raise NotFound(holder_id)
    if row.status != AuditStatus.OPEN:
        raise RuleError(None, "This audit is closed; its outcomes are final.")
    view, _ = progress(CEAuditHolder.id == holder.id, now.date())[0]
    if view.state not in FAILING:
        raise RuleError(
            "outcome", "Only a holder who failed or did not respond is given an outcome."
        )
    chosen, cleaned, until = rules.check_outcome(outcome, text, until, now.date())
    holder.outcome, holder.outcome_text, holder.outcome_until = chosen, cleaned or None, until
    db.session.flush()
    audit.record(
        "ce_audit.outcome_chosen", actor=actor, subject=holder, audit=row.id,
        number=view.number, outcome=str(chosen), reason=cleaned or None,
        until=until.isoformat() if until else None,
    )  # fmt: skip
    return holder


def _apply(actor: User, holder: CEAuditHolder, name: str, now: datetime) -> None:
    number = _number(holder.certificate_id)
    text, until = holder.outcome_text or "", holder.outcome_until
    try:
        if holder.outcome == Outcome.CONDITIONS:
            standing.add_condition(actor, number, text, until, now)
        elif holder.outcome == Outcome.SUSPENSION:
            standing.suspend(actor, number, text, until, now)
        elif holder.outcome == Outcome.REVOCATION:
            revoke(actor, number, text, now)
    except RuleError as error:
        raise RuleError(None, f"{name} ({number}): {error.message}") from None
    audit.record(
        "ce_audit.outcome_applied", actor=actor, subject=holder, audit=holder.audit_id,
        number=number, outcome=holder.outcome, reason=text or None,
    )  # fmt: skip


def close(actor: User, audit_id: int, now: datetime) -> CEAudit:
    """Close the audit: each holder's result is recorded, the chosen outcomes applied
    (conditions, suspension, revocation), and the audit passes when every holder passed.
    RuleError (nothing changed) while holders are to hear from or to decide, or an outcome
    is missing or cannot be applied."""
    row = _board_audit(actor, audit_id)
    if row.status != AuditStatus.OPEN:
        raise RuleError(None, "This audit is already closed.")
    found = progress(CEAuditHolder.audit_id == row.id, now.date())
    states = [view.state for view, _ in found]
    missing = sum(view.state in FAILING and view.outcome is None for view, _ in found)
    problem = rules.closing_problem(states, missing)
    if problem:
        raise RuleError(None, problem)
    for view, holder in found:
        holder.result = view.state
        if view.state in FAILING:
            _apply(actor, holder, view.name, now)
        else:
            holder.outcome = holder.outcome_text = holder.outcome_until = None
    result = rules.audit_result(states)
    row.status, row.result, row.closed_by_id, row.closed_at = (
        AuditStatus.CLOSED,
        result,
        actor.id,
        now,
    )
    db.session.flush()
    passed = sum(s == HolderState.PASSED for s in states)
    audit.record(
        "ce_audit.closed", actor=actor, subject=row, audit=row.id, result=str(result),
        count=len(states), passed=passed, failed=len(states) - passed,
    )  # fmt: skip
    _tell_results(found)
    return row


def _tell_results(found: list[tuple[HolderRow, CEAuditHolder]]) -> None:
    people = {
        u.id: u
        for u in db.session.scalars(select(User).where(User.id.in_({h.user_id for _, h in found})))
    }
    for view, holder in found:
        person, number = people[holder.user_id], view.number
        if holder.result == HolderState.PASSED:
            what = "passed: every entry's evidence was accepted. Thank you."
        else:
            outcome = OUTCOME_LABELS[Outcome(holder.outcome or Outcome.NONE)].lower()
            what = (
                "did not pass"
                + (
                    " (no evidence was submitted by the due date)"
                    if holder.result == HolderState.NO_RESPONSE
                    else ""
                )
                + f". The board's decision: {outcome}."
            )
        outbox.queue_mail(
            person.email,
            f"The audit of your certificate {number} is closed",
            f"Hello {person.display_name},\n\nThe continuing-education audit of your "
            f"certificate {number} {what}\n\nSee the board's decision on each entry: "
            f"{outbox.link('audits.request', holder_id=holder.id)}\n",
            kind="ce_audit_closed",
        )
