"""What the admin pages read: the overview, people, the audit log, messages, supervision
links and certificates waiting for review. Read-only; each listing is one statement."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, or_, select

from trainer.domain.errors import NotFound
from trainer.domain.statuses import CertificateStatus, LinkStatus
from trainer.extensions import db
from trainer.models import (
    AuditEvent,
    Certificate,
    OutboxMessage,
    SupervisionLink,
    User,
    UserRole,
)
from trainer.services import outbox
from trainer.services.accounts import normalise_email

T = TypeVar("T")

PAGE_SIZE = 50


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing, newest or alphabetical first, and whether another follows."""

    items: Sequence[T]
    number: int
    has_next: bool


def _page_of(statement: Select[T], number: int) -> Page[T]:
    size = PAGE_SIZE
    rows = db.session.scalars(statement.limit(size + 1).offset((number - 1) * size)).all()
    return Page(items=rows[:size], number=number, has_next=len(rows) > size)


@dataclass(frozen=True)
class Overview:
    role_counts: dict[str, int]
    recent: Sequence[AuditEvent]


def overview() -> Overview:
    counts = db.session.execute(select(UserRole.role, func.count()).group_by(UserRole.role))
    recent = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(10))
    return Overview(role_counts={role: n for role, n in counts}, recent=recent.all())


def person(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such person.")
    return user


def people(search: str, role: str, page: int) -> Page[User]:
    """People whose e-mail or legal name contains ``search`` (any case), with ``role`` if set."""
    statement = select(User).order_by(User.legal_name, User.id)
    if search:
        statement = statement.where(
            or_(
                User.email.icontains(search, autoescape=True),
                User.legal_name.icontains(search, autoescape=True),
            )
        )
    if role:
        statement = statement.where(User.role_rows.any(UserRole.role == role))
    return _page_of(statement, page)


@dataclass(frozen=True)
class AuditFilter:
    actor_email: str | None = None
    action_prefix: str | None = None
    date_from: date | None = None  # days in ``zone``, both ends included
    date_to: date | None = None
    zone: str = "UTC"


def audit_events(wanted: AuditFilter, page: int) -> Page[AuditEvent]:
    statement = select(AuditEvent).order_by(AuditEvent.id.desc())
    zone = ZoneInfo(wanted.zone)
    if wanted.actor_email:
        statement = statement.join(User, AuditEvent.actor_id == User.id).where(
            User.email == normalise_email(wanted.actor_email)
        )
    if wanted.action_prefix:
        statement = statement.where(
            AuditEvent.action.startswith(wanted.action_prefix.strip(), autoescape=True)
        )
    if wanted.date_from:
        statement = statement.where(
            AuditEvent.at >= datetime.combine(wanted.date_from, time(), zone)
        )
    if wanted.date_to:
        end = datetime.combine(wanted.date_to, time(), zone) + timedelta(days=1)
        statement = statement.where(AuditEvent.at < end)
    return _page_of(statement, page)


def messages(state: str, now: datetime, page: int) -> Page[OutboxMessage]:
    """Outgoing messages, newest first, in one delivery state (``""``: all)."""
    statement = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if state:
        statement = statement.where(outbox.state_filter(state, now))
    return _page_of(statement, page)


def live_supervision_links(page: int) -> Page[SupervisionLink]:
    """Active and invited supervision, newest first."""
    return _page_of(
        select(SupervisionLink)
        .where(SupervisionLink.status.in_((LinkStatus.ACTIVE, LinkStatus.INVITED)))
        .order_by(SupervisionLink.id.desc()),
        page,
    )


def certificates_for_review() -> Sequence[Certificate]:
    """Earned certificates an admin must look at before they are issued, oldest first."""
    return db.session.scalars(
        select(Certificate)
        .where(Certificate.status == CertificateStatus.REVIEW)
        .order_by(Certificate.earned_at)
    ).all()


def issued(page: int) -> Page[Certificate]:
    """Every issued certificate, the latest first."""
    return _page_of(
        select(Certificate).where(Certificate.number.is_not(None)).order_by(Certificate.id.desc()),
        page,
    )
