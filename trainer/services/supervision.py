"""Supervisors' credentials: recorded with a document by the supervisor, verified by an
administrator, and checked against a program's supervisor rule whenever hours are signed off
(``check``), so hours are only approved by someone the program's rules allow.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from trainer.domain import supervision as rules
from trainer.domain.content.model import SupervisorRule
from trainer.domain.errors import NotAllowed, NotFound, RuleError, RuleErrors
from trainer.domain.statuses import ReviewStatus
from trainer.extensions import db
from trainer.models import SupervisorQualification, User
from trainer.services import audit, evidence, storage
from trainer.services import release as releases


@dataclass(frozen=True)
class QualificationDraft:
    """What a supervisor states about a credential they hold."""

    credential: str
    number: str
    issuer: str
    issued_on: date | None
    expires_on: date | None
    supervision_training: bool


def labels() -> dict[str, str]:
    """Credential types, id -> label (the content taxonomy's ``credentials``)."""
    return releases.get().labels("credentials")


def rule_for(program_id: str) -> SupervisorRule | None:
    program = releases.get().programs.get(program_id)
    return program.spec.supervisors if program else None


def _check_draft(draft: QualificationDraft, today: date, has_file: bool) -> None:
    """Every problem at once, each on its field (RuleError.fields)."""
    problems: dict[str, str] = {}  # field -> message
    if draft.credential not in labels():
        problems["credential"] = "Choose the kind of credential."
    if not draft.number.strip():
        problems["number"] = "Enter the credential's number."
    elif len(draft.number.strip()) > 64:
        problems["number"] = "The number is at most 64 characters."
    if not draft.issuer.strip():
        problems["issuer"] = "Enter the state or board that issued it."
    if draft.issued_on is None:
        problems["issued_on"] = "Enter the date it was issued."
    elif draft.issued_on > today:
        problems["issued_on"] = "The issue date cannot be in the future."
    if draft.expires_on and draft.issued_on and draft.expires_on <= draft.issued_on:
        problems["expires_on"] = "The expiry date must come after the issue date."
    if not has_file:
        problems["document"] = "Choose the document that shows the credential."
    if problems:
        raise RuleErrors([RuleError(f, m) for f, m in problems.items()])


def record(
    supervisor: User,
    draft: QualificationDraft,
    filename: str,
    data: bytes,
    now: datetime,
    today: date,
) -> SupervisorQualification:
    """Record a credential with its document; it waits for an administrator."""
    if not supervisor.has_role("supervisor"):
        raise NotAllowed("only supervisors record supervising credentials")
    _check_draft(draft, today, bool(data))
    try:
        stored, kind = evidence.store_file(data)
    except RuleError as error:  # its field is the form's "document"
        raise RuleError("document", error.message) from None
    assert draft.issued_on is not None
    row = SupervisorQualification(
        user_id=supervisor.id,
        credential=draft.credential,
        number=draft.number.strip(),
        issuer=draft.issuer.strip()[:200],
        issued_on=draft.issued_on,
        expires_on=draft.expires_on,
        supervision_training=draft.supervision_training,
        stored_name=stored,
        original_name=Path(filename or "credential").name[:200],
        content_type=kind,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        created_at=now,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        "supervision.qualification_recorded",
        actor=supervisor,
        subject=row,
        credential=row.credential,
        sha256=row.sha256,
    )
    return row


def of(user_id: int) -> list[SupervisorQualification]:
    """A person's recorded credentials, newest first."""
    return list(
        db.session.scalars(
            select(SupervisorQualification)
            .where(SupervisorQualification.user_id == user_id)
            .order_by(SupervisorQualification.created_at.desc(), SupervisorQualification.id)
        )
    )


def decide(
    admin: User, qualification_id: int, approve: bool, reason: str, now: datetime
) -> SupervisorQualification:
    """Verify a credential (or refuse it with a reason). Decided once."""
    row = db.session.get(SupervisorQualification, qualification_id)
    if row is None:
        raise NotFound(qualification_id)
    if row.status != ReviewStatus.PENDING:
        raise RuleError(None, "This credential was already decided.")
    if not approve and not reason.strip():
        raise RuleError("reason", "Give the reason for not accepting the credential.")
    row.status = ReviewStatus.APPROVED if approve else ReviewStatus.REJECTED
    row.decided_by_id, row.decided_at = admin.id, now
    row.reason = reason.strip() or None
    db.session.flush()
    audit.record(
        f"supervision.qualification_{row.status}", actor=admin, subject=row, reason=row.reason
    )
    return row


def document_for(viewer: User, qualification_id: int) -> tuple[SupervisorQualification, bytes]:
    """The credential's document, for its holder or an administrator only."""
    row = db.session.get(SupervisorQualification, qualification_id)
    if row is None:
        raise NotFound(qualification_id)
    if row.user_id != viewer.id and not viewer.has_role("admin"):
        raise NotFound(qualification_id)  # others do not learn that it exists
    return row, storage.get(row.stored_name)


def held(rows: Sequence[SupervisorQualification]) -> list[rules.Held]:
    return [
        rules.Held(r.id, r.credential, r.status, r.issued_on, r.expires_on, r.supervision_training)
        for r in rows
    ]


def check(supervisor_id: int, program_id: str, on: date) -> int | None:
    """The credential that lets the supervisor sign off this program's hours on ``on``;
    None when the program sets no rule. RuleError, with the rule in words, otherwise."""
    rule = rule_for(program_id)
    if rule is None:
        return None
    mine = held(of(supervisor_id))
    found = rules.qualifying(rule, mine, on)
    if found is None:
        title = releases.program_title(program_id)
        raise RuleError(
            None,
            f"You cannot sign off hours for {title} yet. "
            + rules.why_not(rule, mine, on, labels()),
        )
    return found.id


def standing(supervisor_id: int, program_id: str, on: date) -> str | None:
    """Why this supervisor cannot sign off this program's hours yet (None: they can)."""
    return standings([supervisor_id], program_id, on).get(supervisor_id)


@dataclass(frozen=True)
class ProgramRule:
    program_id: str
    title: str
    source: str
    options: list[str]  # each alternative in plain words


def rules_in_words() -> list[ProgramRule]:
    """What each program asks of a supervisor (programs without a rule are left out)."""
    names = labels()
    return [
        ProgramRule(
            p.id,
            p.title,
            p.spec.supervisors.source,
            [rules.option_words(o, names) for o in p.spec.supervisors.options],
        )
        for p in sorted(releases.get().programs.values(), key=lambda p: p.title)
        if p.spec.supervisors is not None and not p.retired
    ]


def waiting() -> list[SupervisorQualification]:
    """Credentials waiting for an administrator, oldest first, with their holder."""
    return list(
        db.session.scalars(
            select(SupervisorQualification)
            .options(joinedload(SupervisorQualification.user))
            .where(SupervisorQualification.status == ReviewStatus.PENDING)
            .order_by(SupervisorQualification.created_at, SupervisorQualification.id)
        )
    )


def standings(supervisor_ids: Sequence[int], program_id: str, on: date) -> dict[int, str]:
    """For each of these supervisors who cannot sign off ``program_id``'s hours on ``on``,
    why not (one statement; nobody is listed when the program sets no rule)."""
    rule = rule_for(program_id)
    if rule is None or not supervisor_ids:
        return {}
    rows = db.session.scalars(
        select(SupervisorQualification).where(
            SupervisorQualification.user_id.in_(set(supervisor_ids))
        )
    ).all()
    out = {}
    for sid in supervisor_ids:
        mine = held([r for r in rows if r.user_id == sid])
        if not rules.may_supervise(rule, mine, on):
            out[sid] = rules.why_not(rule, mine, on, labels())
    return out


def blocked_programs(supervisor_id: int, program_ids: Sequence[str], on: date) -> dict[str, str]:
    """Of these programs, those whose hours the supervisor cannot sign off on ``on``, with
    why (one statement, none when no program sets a rule)."""
    ruled = {p: r for p in dict.fromkeys(program_ids) if (r := rule_for(p)) is not None}
    if not ruled:
        return {}
    mine = held(of(supervisor_id))
    names = labels()
    return {
        p: rules.why_not(rule, mine, on, names)
        for p, rule in ruled.items()
        if not rules.may_supervise(rule, mine, on)
    }
