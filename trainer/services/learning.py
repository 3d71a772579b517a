"""Programs, enrolment and reading: what a trainee sees of the curriculum."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from trainer.domain.errors import NotAllowed, NotFound
from trainer.extensions import db
from trainer.models import (
    Enrolment,
    Module,
    ModulePlace,
    ModuleSection,
    Program,
    QuizAttempt,
    SectionRead,
    User,
)
from trainer.services import audit, certificates, content
from trainer.services.db_util import insert_or_ignore, upsert


@dataclass(frozen=True)
class ModuleProgress:
    module_id: str
    title: str
    position: int
    summary: str
    reading_minutes: int
    credit_minutes: int
    sections_total: int
    sections_read: int
    quiz_passed: bool

    @property
    def completed(self) -> bool:
        return self.sections_read >= self.sections_total and self.quiz_passed

    @property
    def status(self) -> str:
        if self.completed:
            return "Completed"
        if self.sections_read >= self.sections_total:
            return "Read; quiz to pass"
        if self.sections_read:
            return "In progress"
        return "Not started"


def programs() -> list[Program]:
    return list(
        db.session.scalars(
            select(Program)
            .where(Program.retired.is_(False))
            .order_by(Program.jurisdiction, Program.title)
        )
    )


def get_program(program_id: str) -> Program:
    program = db.session.get(Program, program_id)
    if program is None or program.retired:
        raise NotFound(program_id)
    return program


def get_module(module_id: str) -> Module:
    module = db.session.get(Module, module_id)
    if module is None:
        raise NotFound(module_id)
    return module


def enrolments(user: User) -> list[Enrolment]:
    return list(
        db.session.scalars(
            select(Enrolment).where(Enrolment.user_id == user.id).order_by(Enrolment.enrolled_at)
        )
    )


def enrolment(user: User, program_id: str) -> Enrolment | None:
    return db.session.scalar(
        select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.program_id == program_id)
    )


def enrol(user: User, program_id: str, now: datetime) -> Enrolment:
    """Enrol ``user`` in a program (doing it twice is harmless)."""
    program = get_program(program_id)
    existing = enrolment(user, program.id)
    if existing is not None:
        return existing
    release = content.latest_release()
    assert release is not None  # a program exists, so a release does
    insert_or_ignore(
        Enrolment,
        user_id=user.id,
        program_id=program.id,
        release_id=release.id,
        enrolled_at=now,
    )
    row = enrolment(user, program.id)
    assert row is not None
    audit.record("learn.enrolled", actor=user, subject=row, program=program.id)
    return row


def module_progress(
    user: User, module_ids: list[str], passed_quizzes: set[str] | None = None
) -> list[ModuleProgress]:
    """Progress in each module, in ``module_ids`` order, in three queries whatever the count."""
    if not module_ids:
        return []
    rows = {m.id: m for m in db.session.scalars(select(Module).where(Module.id.in_(module_ids)))}
    totals = dict(
        db.session.execute(
            select(ModuleSection.module_id, func.count())
            .where(ModuleSection.module_id.in_(module_ids))
            .group_by(ModuleSection.module_id)
        ).all()
    )
    read = dict(
        db.session.execute(
            select(SectionRead.module_id, func.count())
            .join(
                ModuleSection,
                (ModuleSection.module_id == SectionRead.module_id)
                & (ModuleSection.anchor == SectionRead.anchor),
            )
            .where(SectionRead.user_id == user.id, SectionRead.module_id.in_(module_ids))
            .group_by(SectionRead.module_id)
        ).all()
    )
    if passed_quizzes is None:
        passed_quizzes = passed_modules(user, module_ids)
    out = []
    for mid in module_ids:
        m = rows.get(mid)
        if m is None:
            continue
        out.append(
            ModuleProgress(
                mid,
                m.title,
                m.position,
                m.summary,
                m.meta.get("reading_minutes", 0),
                m.meta.get("credit_minutes", 0),
                totals.get(mid, 0),
                read.get(mid, 0),
                mid in passed_quizzes,
            )
        )
    return out


def program_modules(program: Program) -> list[str]:
    return list(program.spec.modules)


@dataclass(frozen=True)
class ReaderPage:
    module: Module
    sections: list[dict[str, Any]]  # anchor, title, read, current
    section: ModuleSection
    index: int
    previous: str | None
    next: str | None
    read_count: int


def can_read(user: User, module_id: str) -> bool:
    """A trainee may read a module that belongs to a program they are enrolled in."""
    enrolled = db.session.scalars(
        select(Program.definition)
        .join(Enrolment, Enrolment.program_id == Program.id)
        .where(Enrolment.user_id == user.id)
    ).all()
    return any(module_id in d["modules"] for d in enrolled)


def resume_anchor(user: User, module_id: str) -> str:
    """The section to reopen: where the person stopped, else the first."""
    module = db.session.get(Module, module_id)
    if module is None or module.retired:
        raise NotFound(module_id)
    if not can_read(user, module_id):
        raise NotAllowed(module_id)
    place = db.session.scalar(
        select(ModulePlace.anchor).where(
            ModulePlace.user_id == user.id, ModulePlace.module_id == module_id
        )
    )
    anchors = db.session.scalars(
        select(ModuleSection.anchor)
        .where(ModuleSection.module_id == module_id)
        .order_by(ModuleSection.position)
    ).all()
    if place is not None and place in anchors:
        return place
    if not anchors:
        raise NotFound(module_id)
    return anchors[0]


def read_section(user: User, module_id: str, anchor: str, now: datetime) -> ReaderPage:
    """Open a section: records it as read and as the place to resume. Constant SQL count.

    Raises NotFound for an unknown module or section, NotAllowed when the person is not
    enrolled in a program that includes the module.
    """
    module = db.session.get(Module, module_id)
    if module is None or module.retired:
        raise NotFound(module_id)
    if not can_read(user, module_id):
        raise NotAllowed(module_id)
    outline = db.session.execute(
        select(ModuleSection.anchor, ModuleSection.title)
        .where(ModuleSection.module_id == module_id)
        .order_by(ModuleSection.position)
    ).all()
    anchors = [a for a, _ in outline]
    if anchor not in anchors:
        raise NotFound(anchor)
    section = db.session.scalar(
        select(ModuleSection).where(
            ModuleSection.module_id == module_id, ModuleSection.anchor == anchor
        )
    )
    assert section is not None
    insert_or_ignore(SectionRead, user_id=user.id, module_id=module_id, anchor=anchor, read_at=now)
    upsert(
        ModulePlace,
        ["user_id", "module_id"],
        user_id=user.id,
        module_id=module_id,
        anchor=anchor,
        updated_at=now,
    )
    read = set(
        db.session.scalars(
            select(SectionRead.anchor).where(
                SectionRead.user_id == user.id, SectionRead.module_id == module_id
            )
        )
    )
    # Reading the last section of a module whose quiz is passed completes the module.
    if all(a in read for a in anchors) and passed_modules(user, [module_id]):
        module_may_be_complete(user, module_id, now)
    index = anchors.index(anchor)
    sections = [
        {"anchor": a, "title": t, "read": a in read, "current": a == anchor} for a, t in outline
    ]
    return ReaderPage(
        module=module,
        sections=sections,
        section=section,
        index=index,
        previous=anchors[index - 1] if index > 0 else None,
        next=anchors[index + 1] if index + 1 < len(anchors) else None,
        read_count=sum(1 for a in anchors if a in read),
    )


def passed_modules(user: User, module_ids: Sequence[str]) -> set[str]:
    """The modules among ``module_ids`` whose quiz ``user`` has passed (one query)."""
    if not module_ids:
        return set()
    return set(
        db.session.scalars(
            select(QuizAttempt.module_id)
            .where(
                QuizAttempt.user_id == user.id,
                QuizAttempt.module_id.in_(module_ids),
                QuizAttempt.passed.is_(True),
            )
            .distinct()
        )
    )


def module_may_be_complete(user: User, module_id: str, now: datetime) -> None:
    """A passed quiz can complete a module, and so a program's last requirement."""
    for enrolment in enrolments(user):
        if module_id in enrolment.program.spec.modules:
            certificates.issue_if_met(user, enrolment.program_id, now)
