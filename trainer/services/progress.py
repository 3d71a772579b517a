"""The progress read model: per enrolment, what the requirements engine and the progress
pages need, kept up to date in the same transaction as each event that changes it.

The events (a section read for the first time, a quiz or the exam passed, hours approved
or reversed, a statement signed, a document decided, an enrolment, a content release) call
``refresh``, which recomputes the enrolment's state from history (``history``) and stores
it. Pages read the stored state with one statement (``of``, ``for_user``).
``domain.requirements.evaluate`` stays the single rule: the stored state is a Record whose
hours are folded into tallies by ``requirements.tally_hours``, and tests replay random
histories to hold that the stored state and a recomputation from scratch always agree.

A stored state is used only while it matches the current content release (section counts
and targets can change with one) and only for moments at or after its newest fact;
otherwise the state is recomputed from history for that read. ``trainer progress rebuild``
(and every content load) recomputes every row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select

from trainer.domain import requirements as req
from trainer.domain.statuses import EntryKind, EntryStatus, ReviewStatus
from trainer.extensions import db
from trainer.models import (
    AttestationSignature,
    CompetencyEvaluation,
    DocumentUpload,
    Enrolment,
    EnrolmentProgress,
    ExamAttempt,
    HourEntry,
    ModuleSection,
    QuizAttempt,
    SectionRead,
    SupervisionSession,
)
from trainer.services import release as releases
from trainer.services.db_util import upsert


@dataclass(frozen=True)
class ModuleState:
    """A person's reading and quiz in one module (reading counts for every program)."""

    read: int  # sections of the current release read
    last_read_at: datetime | None
    quiz_passed_at: datetime | None


@dataclass(frozen=True)
class HourMinutes:
    """Minutes logged in one category: approved (net of reversals), waiting for a decision,
    and approved supervision received."""

    approved: int
    pending: int
    supervision: int


@dataclass(frozen=True)
class Progress:
    record: req.Record  # hours folded into tallies
    modules: Mapping[str, ModuleState]  # the program's modules
    through: datetime | None  # the newest fact
    minutes: Mapping[str, HourMinutes] = field(default_factory=dict)  # per category


NO_MODULE = ModuleState(0, None, None)


def spec_for(program_id: str) -> req.Spec:
    """The program's requirements as the engine reads them (from the cached release)."""
    release = releases.get()
    d = release.programs[program_id].spec
    modules = {m: release.modules[m] for m in d.modules if m in release.modules}
    return req.Spec(
        modules=d.modules,
        module_titles={k: m.title for k, m in modules.items()},
        module_credit={k: m.meta.get("credit", {}) for k, m in modules.items()},
        education_hours=d.education_hours,
        education_topics=d.education_topics,
        supervised_hours=d.supervised_hours,
        supervised_categories=d.supervised_categories,
        supervision_hours=d.supervision_hours,
        attestations={a.id: a.text for a in d.attestations},
        documents={x.id: (x.title, x.count) for x in d.documents},
        labels={**release.labels("topics"), **release.labels("domains")},
        evaluations={
            f.id: (f.title, f.required_level)
            for f in (d.evaluations.forms if d.evaluations else ())
            if f.required_level
        },
    )


# -- from history ------------------------------------------------------------------------


def module_history(user_id: int, module_ids: Sequence[str]) -> dict[str, ModuleState]:
    """Reading (sections of the current release only) and first quiz pass, per module."""
    if not module_ids:
        return {}
    reads = {
        r[0]: (int(r[1]), r[2])
        for r in db.session.execute(
            select(SectionRead.module_id, func.count(), func.max(SectionRead.read_at))
            .join(
                ModuleSection,
                (ModuleSection.module_id == SectionRead.module_id)
                & (ModuleSection.anchor == SectionRead.anchor),
            )
            .where(SectionRead.user_id == user_id, SectionRead.module_id.in_(module_ids))
            .group_by(SectionRead.module_id)
        ).all()
    }
    passed = dict(
        db.session.execute(
            select(QuizAttempt.module_id, func.min(QuizAttempt.submitted_at))
            .where(
                QuizAttempt.user_id == user_id,
                QuizAttempt.module_id.in_(module_ids),
                QuizAttempt.passed.is_(True),
            )
            .group_by(QuizAttempt.module_id)
        ).all()
    )
    out = {}
    for m in module_ids:
        if m in reads or m in passed:
            count, last = reads.get(m, (0, None))
            out[m] = ModuleState(count, last, passed.get(m))
    return out


def completed(modules: Mapping[str, ModuleState], totals: Mapping[str, int]) -> dict[str, datetime]:
    """Modules read in full with their quiz passed, and when (the later of the two)."""
    out = {}
    for m, s in modules.items():
        if s.read >= totals.get(m, 0) > 0 and s.quiz_passed_at and s.last_read_at:
            out[m] = max(s.last_read_at, s.quiz_passed_at)
    return out


def _hour_facts(enrolment_id: int) -> list[req.HourFact]:
    # One fact per approval moment and category: a supervisor approves a batch at one
    # instant, so this is exact for the "met on" dates and reads far fewer rows. Each
    # confirmed supervision session is a fact of its own (counted toward supervision only).
    minutes = func.sum(HourEntry.minutes).label("minutes")
    sessions = [
        req.HourFact(at, int(m), "", req.SESSION)
        for at, m in db.session.execute(
            select(SupervisionSession.confirmed_at, SupervisionSession.minutes).where(
                SupervisionSession.enrolment_id == enrolment_id,
                SupervisionSession.confirmed_at.is_not(None),
            )
        ).all()
        if at is not None
    ]
    return sessions + [
        req.HourFact(r.decided_at, int(r.minutes), r.category, r.kind)
        for r in db.session.execute(
            select(HourEntry.decided_at, minutes, HourEntry.category, HourEntry.kind)
            .where(HourEntry.enrolment_id == enrolment_id, HourEntry.status == EntryStatus.APPROVED)
            .group_by(HourEntry.decided_at, HourEntry.category, HourEntry.kind)
        ).all()
        if r.decided_at is not None
    ]


#: the key under which confirmed session minutes join the minutes per category
SESSION_MINUTES = "supervision-sessions"


def hour_minutes(enrolment_id: int) -> dict[str, HourMinutes]:
    """Approved, pending and approved-supervision minutes per category (one grouped query)."""
    approved = case((HourEntry.status == EntryStatus.APPROVED, HourEntry.minutes), else_=0)
    pending = case((HourEntry.status == EntryStatus.PENDING, HourEntry.minutes), else_=0)
    supervision = case(
        (
            (HourEntry.status == EntryStatus.APPROVED) & (HourEntry.kind == EntryKind.SUPERVISION),
            HourEntry.minutes,
        ),
        else_=0,
    )
    rows = db.session.execute(
        select(HourEntry.category, func.sum(approved), func.sum(pending), func.sum(supervision))
        .where(HourEntry.enrolment_id == enrolment_id)
        .group_by(HourEntry.category)
    ).all()
    out = {r[0]: HourMinutes(int(r[1] or 0), int(r[2] or 0), int(r[3] or 0)) for r in rows}
    confirmed = db.session.scalar(
        select(func.sum(SupervisionSession.minutes)).where(
            SupervisionSession.enrolment_id == enrolment_id,
            SupervisionSession.confirmed_at.is_not(None),
        )
    )
    if confirmed:  # supervision received in sessions: no category, not supervised work
        out[SESSION_MINUTES] = HourMinutes(0, 0, int(confirmed))
    return out


def _evidence(
    user_id: int, program_id: str
) -> tuple[dict[str, datetime], dict[str, list[datetime]]]:
    attestations = dict(
        db.session.execute(
            select(AttestationSignature.attestation_id, AttestationSignature.signed_at).where(
                AttestationSignature.user_id == user_id,
                AttestationSignature.program_id == program_id,
            )
        ).all()
    )
    documents: dict[str, list[datetime]] = {}
    for rid, at in db.session.execute(
        select(DocumentUpload.requirement_id, DocumentUpload.decided_at).where(
            DocumentUpload.user_id == user_id,
            DocumentUpload.program_id == program_id,
            DocumentUpload.status == ReviewStatus.APPROVED,
        )
    ).all():
        if at is not None:  # an approved document always has its decision time
            documents.setdefault(rid, []).append(at)
    return attestations, documents


def history(enrolment: Enrolment) -> tuple[req.Record, dict[str, ModuleState]]:
    """Everything the person did toward the program, with times, read from history (hours
    as individual facts, so the record can be judged at any moment)."""
    release = releases.get()
    modules = list(release.programs[enrolment.program_id].spec.modules)
    states = module_history(enrolment.user_id, modules)
    totals = {m: release.section_count(m) for m in modules}
    exam_at = db.session.scalar(
        select(func.min(ExamAttempt.finished_at)).where(
            ExamAttempt.user_id == enrolment.user_id,
            ExamAttempt.program_id == enrolment.program_id,
            ExamAttempt.passed.is_(True),
        )
    )
    attestations, documents = _evidence(enrolment.user_id, enrolment.program_id)
    evaluations: dict[str, list[tuple[datetime, int]]] = {}
    for form_id, at, level in db.session.execute(
        select(
            CompetencyEvaluation.form_id,
            CompetencyEvaluation.signed_at,
            CompetencyEvaluation.lowest_level,
        ).where(CompetencyEvaluation.enrolment_id == enrolment.id)
    ):
        evaluations.setdefault(form_id, []).append((at, int(level)))
    record = req.Record(
        completed(states, totals),
        exam_at,
        "",
        _hour_facts(enrolment.id),
        attestations,
        documents,
        evaluations=evaluations,
    )
    return record, states


# -- the stored state --------------------------------------------------------------------


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


def _at(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text is not None else None


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _encode(progress: Progress) -> dict[str, Any]:
    record, modules = progress.record, progress.modules
    assert record.hour_tallies is not None
    return {
        "minutes": {c: [m.approved, m.pending, m.supervision] for c, m in progress.minutes.items()},
        "modules": {
            m: [s.read, _iso(s.last_read_at), _iso(s.quiz_passed_at)] for m, s in modules.items()
        },
        "exam": _iso(record.exam_passed_at),
        "tallies": {k: [t.amount, _iso(t.reached_at)] for k, t in record.hour_tallies.items()},
        "attestations": {k: _iso(v) for k, v in record.attestations.items()},
        "documents": {k: [_iso(t) for t in v] for k, v in record.documents.items()},
        "evaluations": {
            k: [[_iso(t), level] for t, level in v] for k, v in record.evaluations.items()
        },
    }


def _decode(
    state: Mapping[str, Any], totals: Mapping[str, int]
) -> tuple[req.Record, dict[str, ModuleState]]:
    modules = {
        m: ModuleState(read, _at(last), _at(quiz))
        for m, (read, last, quiz) in state["modules"].items()
    }
    record = req.Record(
        modules_completed=completed(modules, totals),
        exam_passed_at=_at(state["exam"]),
        attestations={k: _when(v) for k, v in state["attestations"].items()},
        documents={k: [_when(t) for t in v] for k, v in state["documents"].items()},
        hour_tallies={k: req.Tally(a, _at(t)) for k, (a, t) in state["tallies"].items()},
        evaluations={
            k: [(_when(t), int(level)) for t, level in v]
            for k, v in state.get("evaluations", {}).items()
        },
    )
    return record, modules


def _newest(record: req.Record, modules: Mapping[str, ModuleState]) -> datetime | None:
    times: list[datetime] = [h.at for h in record.hours]
    times += [t for s in modules.values() for t in (s.last_read_at, s.quiz_passed_at) if t]
    times += list(record.attestations.values())
    times += [t for v in record.documents.values() for t in v]
    times += [t for v in record.evaluations.values() for t, _ in v]
    if record.exam_passed_at is not None:
        times.append(record.exam_passed_at)
    return max(times) if times else None


def recompute(enrolment: Enrolment) -> Progress:
    """The enrolment's state recomputed from history, hours folded into tallies."""
    record, modules = history(enrolment)
    tallies = req.tally_hours(spec_for(enrolment.program_id), record.hours)
    through = _newest(record, modules)
    folded = replace(record, hours=(), hour_tallies=tallies)
    return Progress(folded, modules, through, hour_minutes(enrolment.id))


def refresh(enrolment: Enrolment, now: datetime) -> Progress:
    """Recompute the enrolment's state from history and store it (part of the caller's
    transaction). Every event that changes progress calls this or ``refresh_user``."""
    progress = recompute(enrolment)
    upsert(
        EnrolmentProgress,
        ["enrolment_id"],
        enrolment_id=enrolment.id,
        release_id=releases.get().id,
        through=progress.through,
        refreshed_at=now,
        state=_encode(progress),
    )
    return progress


def refresh_user(user_id: int, now: datetime, module_id: str | None = None) -> None:
    """Refresh each of the person's enrolments (only those whose program has ``module_id``,
    when given: reading and quizzes count for every program that uses the module)."""
    release = releases.get()
    for enrolment in db.session.scalars(select(Enrolment).where(Enrolment.user_id == user_id)):
        program = release.programs.get(enrolment.program_id)
        if program is None:
            continue
        if module_id is None or module_id in program.spec.modules:
            refresh(enrolment, now)


def rebuild(now: datetime) -> int:
    """Recompute every enrolment's state from history (``trainer progress rebuild``, and
    after each content load). Returns how many were written."""
    n = 0
    for enrolment in db.session.scalars(select(Enrolment).order_by(Enrolment.id)):
        if enrolment.program_id in releases.get().programs:
            refresh(enrolment, now)
            n += 1
    return n


def stored(enrolment: Enrolment) -> Progress | None:
    """The stored state exactly as kept (None when there is none for the current release)."""
    return _usable(db.session.get(EnrolmentProgress, enrolment.id), enrolment)


def _usable(row: EnrolmentProgress | None, enrolment: Enrolment) -> Progress | None:
    release = releases.get()
    if row is None or row.release_id != release.id or "minutes" not in row.state:
        return None
    modules = release.programs[enrolment.program_id].spec.modules
    totals = {m: release.section_count(m) for m in modules}
    record, states = _decode(row.state, totals)
    minutes = {c: HourMinutes(*m) for c, m in row.state.get("minutes", {}).items()}
    return Progress(record, states, row.through, minutes)


def of(
    enrolment: Enrolment, as_of: datetime | None = None, known: Progress | None = None
) -> Progress:
    """The enrolment's progress: the stored state (one statement; none when ``known``, the
    state a refresh just stored) when it is current for the release and for ``as_of``;
    otherwise recomputed from history (not stored: a read never writes). With ``as_of``
    before the newest fact, hours stay individual facts."""
    progress = known
    if progress is None:
        progress = _usable(db.session.get(EnrolmentProgress, enrolment.id), enrolment)
    if progress is not None and (
        as_of is None or progress.through is None or progress.through <= as_of
    ):
        return progress
    if as_of is not None:
        record, modules = history(enrolment)
        return Progress(record, modules, _newest(record, modules), hour_minutes(enrolment.id))
    return recompute(enrolment)


def for_user(user_id: int) -> list[tuple[Enrolment, Progress]]:
    """Each of the person's enrolments with its progress (one statement when stored)."""
    rows = db.session.execute(
        select(Enrolment, EnrolmentProgress)
        .outerjoin(EnrolmentProgress, EnrolmentProgress.enrolment_id == Enrolment.id)
        .where(Enrolment.user_id == user_id)
        .order_by(Enrolment.enrolled_at)
    ).all()
    out = []
    for enrolment, row in rows:
        if enrolment.program_id not in releases.get().programs:
            continue
        progress = _usable(row, enrolment)
        out.append((enrolment, progress if progress is not None else recompute(enrolment)))
    return out


def enrolment_of(user_id: int, program_id: str) -> tuple[Enrolment | None, Progress | None]:
    """The person's enrolment in a program with its progress (one statement when stored)."""
    row = db.session.execute(
        select(Enrolment, EnrolmentProgress)
        .outerjoin(EnrolmentProgress, EnrolmentProgress.enrolment_id == Enrolment.id)
        .where(Enrolment.user_id == user_id, Enrolment.program_id == program_id)
    ).first()
    if row is None:
        return None, None
    enrolment, kept = row
    usable = _usable(kept, enrolment)
    return enrolment, usable if usable is not None else recompute(enrolment)


def states(enrolments: Iterable[Enrolment]) -> dict[int, Progress]:
    """Stored progress of many enrolments at once (one statement), e.g. a supervisor's
    trainees; an enrolment with no usable state is recomputed from history."""
    wanted = {e.id: e for e in enrolments}
    if not wanted:
        return {}
    rows = {
        r.enrolment_id: r
        for r in db.session.scalars(
            select(EnrolmentProgress).where(EnrolmentProgress.enrolment_id.in_(wanted))
        )
    }
    out = {}
    for eid, e in wanted.items():
        p = _usable(rows.get(eid), e)
        out[eid] = p if p is not None else recompute(e)
    return out
