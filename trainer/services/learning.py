"""Programs, enrolment and reading: what a trainee sees of the curriculum."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from trainer.domain.errors import NotAllowed, NotFound
from trainer.extensions import db
from trainer.models import (
    Enrolment,
    ModulePlace,
    ModuleSection,
    Program,
    QuizAttempt,
    SectionRead,
    User,
)
from trainer.services import audit, certificates, db_util, progress
from trainer.services import release as releases
from trainer.services.db_util import insert_or_ignore, upsert
from trainer.services.release import ModuleInfo, ProgramInfo


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


def programs() -> list[ProgramInfo]:
    """The live programs, by jurisdiction and title."""
    release = releases.current()
    live = [p for p in release.programs.values() if not p.retired] if release else []
    return sorted(live, key=lambda p: (p.jurisdiction, p.title))


def get_program(program_id: str) -> ProgramInfo:
    """A live program of the current release (NotFound otherwise)."""
    return releases.get().program(program_id)


def get_module(module_id: str) -> ModuleInfo:
    module = releases.get().modules.get(module_id)
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
    insert_or_ignore(
        Enrolment,
        user_id=user.id,
        program_id=program.id,
        release_id=releases.get().id,
        enrolled_at=now,
    )
    row = enrolment(user, program.id)
    assert row is not None
    audit.record("learn.enrolled", actor=user, subject=row, program=program.id)
    progress.refresh(row, now)
    return row


def module_progress(
    module_ids: Sequence[str], states: Mapping[str, progress.ModuleState]
) -> list[ModuleProgress]:
    """Progress in each module, in ``module_ids`` order, from the person's module states
    (``progress``) and the cached release: no statement of its own."""
    release = releases.get()
    out = []
    for mid in module_ids:
        m = release.modules.get(mid)
        if m is None:
            continue
        state = states.get(mid, progress.NO_MODULE)
        out.append(
            ModuleProgress(
                mid,
                m.title,
                m.position,
                m.summary,
                m.meta.get("reading_minutes", 0),
                m.meta.get("credit_minutes", 0),
                len(m.outline),
                state.read,
                state.quiz_passed_at is not None,
            )
        )
    return out


def enrolled_progress(user: User) -> list[tuple[Enrolment, ProgramInfo, list[ModuleProgress]]]:
    """Each of the person's programs with module progress (the trainee home)."""
    release = releases.current()
    if release is None:  # no content loaded yet, so no enrolment either
        return []
    out = []
    for enrolment, state in progress.for_user(user.id):
        program = release.programs[enrolment.program_id]
        out.append((enrolment, program, module_progress(program.spec.modules, state.modules)))
    return out


def program_progress(
    user: User, program: ProgramInfo
) -> tuple[Enrolment | None, progress.Progress | None, list[ModuleProgress]]:
    """The person's enrolment in a program, its progress and module progress."""
    mine, state = progress.enrolment_of(user.id, program.id)
    modules = module_progress(program.spec.modules, state.modules if state else {})
    return mine, state, modules


def program_modules(program: Program | ProgramInfo) -> list[str]:
    return list(program.spec.modules)


@dataclass(frozen=True)
class ReaderPage:
    module: ModuleInfo
    sections: list[dict[str, Any]]  # anchor, title, read, current
    section: ModuleSection
    index: int
    previous: str | None
    next: str | None
    read_count: int


def can_read(user: User, module_id: str) -> bool:
    """A trainee may read a module that belongs to a program they are enrolled in."""
    programs = releases.get().programs
    enrolled = db.session.scalars(select(Enrolment.program_id).where(Enrolment.user_id == user.id))
    return any(p in programs and module_id in programs[p].spec.modules for p in enrolled)


def _readable(user: User, module_id: str) -> ModuleInfo:
    module = releases.get().modules.get(module_id)
    if module is None or module.retired or not module.outline:
        raise NotFound(module_id)
    if not can_read(user, module_id):
        raise NotAllowed(module_id)
    return module


def resume_anchor(user: User, module_id: str) -> str:
    """The section to reopen: where the person stopped, else the first."""
    module = _readable(user, module_id)
    place = db.session.scalar(
        select(ModulePlace.anchor).where(
            ModulePlace.user_id == user.id, ModulePlace.module_id == module_id
        )
    )
    return place if place is not None and place in module.anchors else module.anchors[0]


def mark_read(user: User, module_id: str, anchor: str, now: datetime) -> ModuleInfo:
    """Record a section as read and as the place to resume. Raises NotFound for an unknown
    module or section, NotAllowed when the person is not enrolled in a program with it."""
    module = _readable(user, module_id)
    if anchor not in module.anchors:
        raise NotFound(anchor)
    _record_read(user, module_id, anchor, now, first=True, moved=True)
    return module


def _record_read(
    user: User, module_id: str, anchor: str, now: datetime, first: bool, moved: bool
) -> None:
    """Write what changed (a short write transaction of its own in a page that otherwise
    reads): the section read for the ``first`` time, the place to resume ``moved``."""
    if not first and not moved:
        return
    with db_util.writing():
        added = first and insert_or_ignore(
            SectionRead, user_id=user.id, module_id=module_id, anchor=anchor, read_at=now
        )
        upsert(
            ModulePlace,
            ["user_id", "module_id"],
            user_id=user.id,
            module_id=module_id,
            anchor=anchor,
            updated_at=now,
        )
        if added:  # progress changed, and the module (so a program) may be complete
            module_may_be_complete(user, module_id, now)


def read_section(user: User, module_id: str, anchor: str, now: datetime) -> ReaderPage:
    """Open a section (the reader): records it as read and as the place to resume, then the
    page with the module's outline and which sections the person has read. Reading a
    section again from where one stopped writes nothing. Constant SQL count."""
    module = _readable(user, module_id)
    anchors = module.anchors
    if anchor not in anchors:
        raise NotFound(anchor)
    read = set(
        db.session.scalars(
            select(SectionRead.anchor).where(
                SectionRead.user_id == user.id, SectionRead.module_id == module_id
            )
        )
    )
    place = db.session.scalar(
        select(ModulePlace.anchor).where(
            ModulePlace.user_id == user.id, ModulePlace.module_id == module_id
        )
    )
    _record_read(user, module_id, anchor, now, first=anchor not in read, moved=place != anchor)
    read.add(anchor)
    section = db.session.scalar(
        select(ModuleSection).where(
            ModuleSection.module_id == module_id, ModuleSection.anchor == anchor
        )
    )
    assert section is not None
    index = anchors.index(anchor)
    sections = [
        {"anchor": a, "title": t, "read": a in read, "current": a == anchor}
        for a, t in module.outline
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
    """A first read or a passed quiz changes the person's progress in every program that
    uses the module, may complete the module, and so a program's last requirement
    (``issue_if_met`` stores the progress it judged)."""
    programs = releases.get().programs
    for enrolment in enrolments(user):
        program = programs.get(enrolment.program_id)
        if program is not None and module_id in program.spec.modules:
            certificates.issue_if_met(user, enrolment.program_id, now)
