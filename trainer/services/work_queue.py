"""What waits for an admin: uploaded documents, continuing education and supervisors'
credentials to check, and earned certificates of programs with ``issuance: review``. Oldest
first, in plain words.

The four kinds are read as one ``UNION ALL``: the counts are one grouped statement and the
oldest items another, however many people are waiting. Labels (a document's title, a
program's title) come from the cached release, not from more queries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Float, String, Subquery, case, func, literal, null, select, union_all
from sqlalchemy.orm import joinedload

from trainer.domain.statuses import CertificateStatus, ReviewStatus
from trainer.extensions import db
from trainer.models import CEEntry, Certificate, DocumentUpload, SupervisorQualification, User
from trainer.services import release

#: how many items the admin overview lists; the counts say how many there are in all
QUEUE_SIZE = 50


class Kind(StrEnum):
    DOCUMENT = "document"
    CE = "ce"
    CERTIFICATE = "certificate"
    QUALIFICATION = "qualification"  # a supervisor's credential to verify


@dataclass(frozen=True)
class Counts:
    """How many items of each kind wait, in all and (when asked) for one person."""

    everyone: Mapping[str, int]
    person: Mapping[str, int]

    @property
    def total(self) -> int:
        return sum(self.everyone.values())

    @property
    def person_total(self) -> int:
        return sum(self.person.values())


@dataclass(frozen=True)
class WaitingItem:
    kind: Kind
    id: int
    user_id: int
    who: str
    what: str  # plain words: "Document to check: Reference letter"
    program: str  # the program's title
    since: datetime


program_title = release.program_title
document_title = release.document_title


def _waiting() -> Subquery:
    """Every waiting item as (kind, id, user_id, program_id, detail, hours, since)."""
    documents = select(
        literal(Kind.DOCUMENT.value).label("kind"),
        DocumentUpload.id.label("id"),
        DocumentUpload.user_id.label("user_id"),
        DocumentUpload.program_id.label("program_id"),
        DocumentUpload.requirement_id.label("detail"),
        null().cast(Float).label("hours"),
        DocumentUpload.uploaded_at.label("since"),
    ).where(DocumentUpload.status == ReviewStatus.PENDING)
    ce = (
        select(
            literal(Kind.CE.value),
            CEEntry.id,
            CEEntry.user_id,
            Certificate.program_id,
            CEEntry.title,
            CEEntry.hours,
            CEEntry.created_at,
        )
        .join(Certificate, Certificate.id == CEEntry.certificate_id)
        .where(CEEntry.status == ReviewStatus.PENDING)
    )
    certificates = select(
        literal(Kind.CERTIFICATE.value),
        Certificate.id,
        Certificate.user_id,
        Certificate.program_id,
        Certificate.credential_name,
        null().cast(Float),
        Certificate.earned_at,
    ).where(Certificate.status == CertificateStatus.REVIEW)
    credentials = select(
        literal(Kind.QUALIFICATION.value),
        SupervisorQualification.id,
        SupervisorQualification.user_id,
        null().cast(String),
        SupervisorQualification.credential,
        null().cast(Float),
        SupervisorQualification.created_at,
    ).where(SupervisorQualification.status == ReviewStatus.PENDING)
    return union_all(documents, ce, certificates, credentials).subquery("waiting")


def counts(person_id: int | None = None) -> Counts:
    """Waiting items per kind, and for ``person_id`` too: one statement."""
    waiting = _waiting()
    mine = func.sum(case((waiting.c.user_id == (person_id or -1), 1), else_=0))
    rows = db.session.execute(
        select(waiting.c.kind, func.count(), mine).group_by(waiting.c.kind)
    ).all()
    everyone = {kind.value: 0 for kind in Kind}
    person = dict(everyone)
    for kind, n, n_mine in rows:
        everyone[kind], person[kind] = n, int(n_mine or 0)
    return Counts(everyone=everyone, person=person)


def _what(kind: Kind, program_id: str, detail: str, hours: float | None) -> str:
    if kind is Kind.QUALIFICATION:
        label = release.get().labels("credentials").get(detail, detail)
        return f"Supervisor's credential to verify: {label}"
    if kind is Kind.DOCUMENT:
        return f"Document to check: {document_title(program_id, detail)}"
    if kind is Kind.CE:
        return f"Continuing education: {detail}, {hours:g} h"
    return f"Certificate to issue: {detail}"


def oldest(person_id: int | None = None, limit: int = QUEUE_SIZE) -> list[WaitingItem]:
    """The items that have waited longest, first; only ``person_id``'s when given."""
    waiting = _waiting()
    statement = (
        select(waiting, User.legal_name)
        .join(User, User.id == waiting.c.user_id)
        .order_by(waiting.c.since, waiting.c.kind, waiting.c.id)
        .limit(limit)
    )
    if person_id is not None:
        statement = statement.where(waiting.c.user_id == person_id)
    items = []
    for row in db.session.execute(statement):
        kind = Kind(row.kind)
        items.append(
            WaitingItem(
                kind=kind,
                id=row.id,
                user_id=row.user_id,
                who=row.legal_name,
                what=_what(kind, row.program_id, row.detail, row.hours),
                program=program_title(row.program_id) if row.program_id else "Supervision",
                since=row.since,
            )
        )
    return items


def documents() -> Sequence[DocumentUpload]:
    """Documents to check, oldest first, with their uploader (one statement)."""
    return db.session.scalars(
        select(DocumentUpload)
        .options(joinedload(DocumentUpload.user))
        .where(DocumentUpload.status == ReviewStatus.PENDING)
        .order_by(DocumentUpload.uploaded_at, DocumentUpload.id)
    ).all()


@dataclass(frozen=True)
class CEToCheck:
    id: int
    user_id: int
    holder: str
    program_id: str
    certificate_number: str | None
    title: str
    hours: float
    topic: str | None
    completed_on: date
    since: datetime


def continuing_education() -> list[CEToCheck]:
    """Continuing-education entries to check, oldest first, with holder and program."""
    rows = db.session.execute(
        select(
            CEEntry.id,
            CEEntry.user_id,
            Certificate.holder_name,
            Certificate.program_id,
            Certificate.number,
            CEEntry.title,
            CEEntry.hours,
            CEEntry.topic,
            CEEntry.completed_on,
            CEEntry.created_at,
        )
        .join(Certificate, Certificate.id == CEEntry.certificate_id)
        .where(CEEntry.status == ReviewStatus.PENDING)
        .order_by(CEEntry.created_at, CEEntry.id)
    ).all()
    return [CEToCheck(*tuple(row)) for row in rows]
