"""Programs, enrolment and reading: what a trainee sees of the curriculum."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import literal, select, union_all

from trainer.domain.errors import NotAllowed, NotFound
from trainer.extensions import db
from trainer.models import (
    Enrolment,
    ModulePlace,
    ModuleSection,
    Program,
    QuizAttempt,
    SectionRead,
    SectionTime,
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
    needed_minutes: int = 0  # time on the section before it counts as read (0: none)


#: the reading speed that estimates a section's reading time (as ``Module.reading_minutes``)
WORDS_PER_MINUTE = 200
#: one visit to a section credits at most this many times its reading time (or 10 minutes)
VISIT_CAP_FACTOR = 3


def _share(user: User, module_id: str) -> float | None:
    """The share of a section's reading time to spend before it counts: the strictest of
    the person's programs that use the module; None when none does (not enrolled)."""
    programs = releases.get().programs
    shares = [
        programs[p].spec.min_reading_share
        for p in db.session.scalars(
            select(Enrolment.program_id).where(Enrolment.user_id == user.id)
        )
        if p in programs and module_id in programs[p].spec.modules
    ]
    return max(shares) if shares else None


def can_read(user: User, module_id: str) -> bool:
    """A trainee may read a module that belongs to a program they are enrolled in."""
    return _share(user, module_id) is not None


def needed_seconds(module: ModuleInfo, anchor: str, share: float) -> int:
    """Seconds on a section before it counts as read."""
    return math.ceil(share * module.words.get(anchor, 0) * 60 / WORDS_PER_MINUTE)


def _visit_seconds(module: ModuleInfo, anchor: str, opened: datetime, now: datetime) -> int:
    """The time one visit credits: since the section was opened, capped."""
    estimate = module.words.get(anchor, 0) * 60 / WORDS_PER_MINUTE
    cap = max(600, VISIT_CAP_FACTOR * estimate)
    return int(max(0.0, min((now - opened).total_seconds(), cap)))


def _readable(user: User, module_id: str) -> tuple[ModuleInfo, float]:
    module = releases.get().modules.get(module_id)
    if module is None or module.retired or not module.outline:
        raise NotFound(module_id)
    share = _share(user, module_id)
    if share is None:
        raise NotAllowed(module_id)
    return module, share


def resume_anchor(user: User, module_id: str) -> str:
    """The section to reopen: where the person stopped, else the first."""
    module, _ = _readable(user, module_id)
    place = db.session.scalar(
        select(ModulePlace.anchor).where(
            ModulePlace.user_id == user.id, ModulePlace.module_id == module_id
        )
    )
    return place if place is not None and place in module.anchors else module.anchors[0]


def mark_read(user: User, module_id: str, anchor: str, now: datetime) -> ModuleInfo:
    """Record a section as read now, whatever the time spent on it (the demo data and
    tests; the reader goes through ``read_section``). Raises NotFound for an unknown module
    or section, NotAllowed when the person is not enrolled in a program with it."""
    module, _ = _readable(user, module_id)
    if anchor not in module.anchors:
        raise NotFound(anchor)
    with db_util.writing():
        added = insert_or_ignore(
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
        if added:
            module_may_be_complete(user, module_id, now)
    return module


def _reading(
    user: User, module_id: str
) -> tuple[set[str], dict[str, int], tuple[str, datetime] | None]:
    """In one statement (a UNION ALL of three tables): the module's sections the person
    has read (marked -1), the seconds spent per section, and the place to resume with when
    it was opened (marked -2; None before the first visit)."""
    rows = db.session.execute(
        union_all(
            select(SectionRead.anchor, literal(-1), SectionRead.read_at).where(
                SectionRead.user_id == user.id, SectionRead.module_id == module_id
            ),
            select(SectionTime.anchor, SectionTime.seconds, SectionTime.updated_at).where(
                SectionTime.user_id == user.id, SectionTime.module_id == module_id
            ),
            select(ModulePlace.anchor, literal(-2), ModulePlace.updated_at).where(
                ModulePlace.user_id == user.id, ModulePlace.module_id == module_id
            ),
        )
    ).all()
    read = {a for a, n, _ in rows if n == -1}
    spent = {a: int(n) for a, n, _ in rows if n >= 0}
    place = next(((a, at) for a, n, at in rows if n == -2), None)
    return read, spent, place


def _record_visit(
    user: User,
    module: ModuleInfo,
    share: float,
    read: set[str],
    spent: dict[str, int],
    place: tuple[str, datetime] | None,
    anchor: str | None,
    now: datetime,
) -> None:
    """Write what a reader request changed, in a short write transaction of its own in a
    page that otherwise reads: the time spent on the section the person leaves (or, with
    ``anchor`` None, the one they are on, as when they go on to the quiz), sections that
    now count as read, and the place to resume. Updates ``read`` and ``spent``. Opening
    the section one is already on writes nothing."""
    leaving = place[0] if place is not None and place[0] in module.anchors else None
    credit = leaving is not None and leaving != anchor
    opens = anchor is not None and anchor != leaving
    counts = (
        []
        if anchor is None or anchor in read or needed_seconds(module, anchor, share)
        else [anchor]
    )
    if not credit and not opens and not counts:
        return
    with db_util.writing():
        if credit and leaving is not None and place is not None:
            spent[leaving] = spent.get(leaving, 0) + _visit_seconds(module, leaving, place[1], now)
            upsert(
                SectionTime,
                ["user_id", "module_id", "anchor"],
                user_id=user.id,
                module_id=module.id,
                anchor=leaving,
                seconds=spent[leaving],
                updated_at=now,
            )
            if leaving not in read and spent[leaving] >= needed_seconds(module, leaving, share):
                counts.append(leaving)
        if opens or credit:
            upsert(
                ModulePlace,
                ["user_id", "module_id"],
                user_id=user.id,
                module_id=module.id,
                anchor=anchor if anchor is not None else leaving,
                updated_at=now,
            )
        added = False
        for a in counts:
            if insert_or_ignore(
                SectionRead, user_id=user.id, module_id=module.id, anchor=a, read_at=now
            ):
                added = True
                read.add(a)
        if added:  # progress changed, and the module (so a program) may be complete
            module_may_be_complete(user, module.id, now)


def settle(user: User, module_id: str, now: datetime) -> None:
    """Credit the time on the section the person was reading (they went on to the quiz)."""
    module, share = _readable(user, module_id)
    read, spent, place = _reading(user, module_id)
    _record_visit(user, module, share, read, spent, place, None, now)


def read_section(user: User, module_id: str, anchor: str, now: datetime) -> ReaderPage:
    """Open a section (the reader): credits the time spent on the section the person
    leaves, records sections that now count as read (at once, or after the time the
    person's program asks for) and the place to resume; then the page with the module's
    outline and which sections are read. Constant SQL count."""
    module, share = _readable(user, module_id)
    anchors = module.anchors
    if anchor not in anchors:
        raise NotFound(anchor)
    read, spent, place = _reading(user, module_id)
    _record_visit(user, module, share, read, spent, place, anchor, now)
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
    needed = needed_seconds(module, anchor, share) if anchor not in read else 0
    return ReaderPage(
        module=module,
        sections=sections,
        section=section,
        index=index,
        previous=anchors[index - 1] if index > 0 else None,
        next=anchors[index + 1] if index + 1 < len(anchors) else None,
        read_count=sum(1 for a in anchors if a in read),
        needed_minutes=math.ceil(max(0, needed - spent.get(anchor, 0)) / 60),
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
