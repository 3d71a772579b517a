"""Who supervises whom: a trainee's invitation, a supervisor's answer, an admin's assignment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from trainer.domain.errors import NotFound, RuleError
from trainer.domain.statuses import LinkStatus
from trainer.extensions import db
from trainer.models import (
    Enrolment,
    SupervisionLink,
    User,
)
from trainer.services import accounts, audit, content, outbox
from trainer.services import release as releases


def trainee_enrolment(user: User, enrolment_id: int) -> Enrolment:
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.user_id != user.id:
        raise NotFound(enrolment_id)
    return enrolment


def categories(enrolment: Enrolment) -> dict[str, str]:
    """The program's hour categories, with their labels."""
    return program_categories(enrolment.program_id)


def program_categories(program_id: str) -> dict[str, str]:
    """A program's hour categories, with their labels (from the cached release)."""
    labels = content.labels("domains")
    cats = releases.get().programs[program_id].spec.supervised_categories
    return {c: labels.get(c, c) for c in cats}


@dataclass(frozen=True)
class TraineeChoice:
    user_id: int
    legal_name: str
    program_id: str


def trainee_choices(supervisor: User) -> list[TraineeChoice]:
    """Whom the supervisor supervises, for a filter: three columns, one statement."""
    columns = select(Enrolment.user_id, User.legal_name, Enrolment.program_id).join(
        User, User.id == Enrolment.user_id
    )
    rows = db.session.execute(_supervised_by(columns, supervisor)).all()
    return [TraineeChoice(*r) for r in dict.fromkeys(rows)]


def _supervised_by(stmt: Any, supervisor: User) -> Any:
    """``stmt`` (a select over enrolments) narrowed to those ``supervisor`` actively
    supervises, in enrolment order."""
    return (
        stmt.join(SupervisionLink, SupervisionLink.enrolment_id == Enrolment.id)
        .where(
            SupervisionLink.supervisor_id == supervisor.id,
            SupervisionLink.status == LinkStatus.ACTIVE,
        )
        .order_by(Enrolment.id)
    )


def links(enrolment_id: int) -> list[SupervisionLink]:
    return list(
        db.session.scalars(
            select(SupervisionLink)
            .options(joinedload(SupervisionLink.supervisor).lazyload(User.role_rows))
            .where(SupervisionLink.enrolment_id == enrolment_id)
            .order_by(SupervisionLink.created_at)
        )
    )


def active_supervisors(enrolment_id: int) -> list[User]:
    return [link.supervisor for link in links(enrolment_id) if link.status == LinkStatus.ACTIVE]


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


def _add_link(
    enrolment: Enrolment, supervisor: User, status: str, actor: User, now: datetime
) -> SupervisionLink:
    if supervisor.id == enrolment.user_id:
        raise RuleError("email", "You cannot supervise your own hours.")
    link = SupervisionLink(
        enrolment_id=enrolment.id,
        supervisor_id=supervisor.id,
        status=status,
        created_by_id=actor.id,
        created_at=now,
        accepted_at=now if status == LinkStatus.ACTIVE else None,
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


def invite_supervisor(
    trainee: User, enrolment_id: int, email: str, now: datetime
) -> SupervisionLink:
    """The trainee asks a supervisor (by e-mail) to supervise this enrolment."""
    enrolment = trainee_enrolment(trainee, enrolment_id)
    supervisor = _supervisor_by_email(email)
    link = _add_link(enrolment, supervisor, "invited", trainee, now)
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
        f"supervision page: {outbox.link('supervise.home')}\n",
        kind="supervision_invite",
    )
    return link


def respond(supervisor: User, link_id: int, accept: bool, now: datetime) -> SupervisionLink:
    link = db.session.get(SupervisionLink, link_id)
    if link is None or link.supervisor_id != supervisor.id:
        raise NotFound(link_id)
    if link.status != LinkStatus.INVITED:
        raise RuleError(None, "This invitation was already answered.")
    link.status = LinkStatus.ACTIVE if accept else LinkStatus.DECLINED
    link.accepted_at = now if accept else None
    db.session.flush()
    audit.record(
        "hours.invitation_" + ("accepted" if accept else "declined"), actor=supervisor, subject=link
    )
    return link


def assign(
    admin: User, trainee_email: str, program_id: str, supervisor_email: str, now: datetime
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
        link = _add_link(enrolment, supervisor, "active", admin, now)
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


def end_link(admin: User, link_id: int, now: datetime) -> SupervisionLink:
    link = db.session.get(SupervisionLink, link_id)
    if link is None:
        raise NotFound(link_id)
    if link.status not in (LinkStatus.ACTIVE, LinkStatus.INVITED):
        raise RuleError(None, "This supervision has already ended.")
    link.status, link.ended_at = LinkStatus.ENDED, now
    db.session.flush()
    audit.record("hours.supervisor_removed", actor=admin, subject=link)
    return link


def invitations(supervisor: User) -> list[SupervisionLink]:
    return list(
        db.session.scalars(
            select(SupervisionLink)
            .options(joinedload(SupervisionLink.enrolment))
            .where(
                SupervisionLink.supervisor_id == supervisor.id,
                SupervisionLink.status == LinkStatus.INVITED,
            )
        )
    )


def supervised_enrolments(supervisor: User) -> list[Enrolment]:
    return list(
        db.session.scalars(
            _supervised_by(
                select(Enrolment).options(joinedload(Enrolment.user).lazyload(User.role_rows)),
                supervisor,
            )
        ).unique()
    )


def supervised_enrolment(supervisor: User, enrolment_id: int) -> Enrolment:
    """The enrolment, if ``supervisor`` actively supervises it; otherwise NotFound (a
    supervisor is not told that enrolments of other people exist)."""
    enrolment = (
        db.session.get(
            Enrolment,
            enrolment_id,
            options=[joinedload(Enrolment.user).lazyload(User.role_rows)],  # pages name them
        )
        if supervises(supervisor, enrolment_id)
        else None
    )
    if enrolment is None:
        raise NotFound("No trainee you supervise has that enrolment.")
    return enrolment


def supervises(supervisor: User, enrolment_id: int) -> bool:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(SupervisionLink)
            .where(
                SupervisionLink.supervisor_id == supervisor.id,
                SupervisionLink.enrolment_id == enrolment_id,
                SupervisionLink.status == LinkStatus.ACTIVE,
            )
        )
        or 0
    ) > 0
