"""The practice exam: a form assembled like the certification exam's, from the program's
quiz and practice items only (domain.practice), answered one question a page with no clock,
finished when the trainee says so, then shown with every answer, the right one and why.

Attempts are unlimited and count for nothing: exam eligibility, progress, certificates and
the board's pages never read them, and nothing here is audited (nothing is decided). One
unfinished attempt per person and program: starting again resumes it.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from trainer.domain import exam as exam_rules
from trainer.domain import practice as practice_rules
from trainer.domain.errors import NotAllowed, NotFound, RuleError
from trainer.domain.questions import TYPES
from trainer.extensions import db
from trainer.models import Item, ItemRevision, User
from trainer.models.assessment import PracticeAttempt, PracticeItem
from trainer.services import db_util, learning
from trainer.services import release as releases
from trainer.services.quizzes import QuizQuestion, current_revisions, scenario_runs, shown_question
from trainer.services.release import ProgramInfo


class AttemptFinished(RuleError):
    """The practice exam is finished: its answers can no longer change."""

    def __init__(self) -> None:
        super().__init__(
            None, "This practice exam is finished, so its answers can no longer be changed."
        )


def _program(user: User, program_id: str) -> ProgramInfo:
    """A live program the person is enrolled in (NotFound, NotAllowed otherwise)."""
    program = learning.get_program(program_id)
    if learning.enrolment(user, program.id) is None:
        raise NotAllowed(program_id)
    return program


def _pool(program: ProgramInfo) -> tuple[list[exam_rules.PoolItem], dict[str, int]]:
    """The program's practice pool now, and the current revision of each of its items."""
    revisions = current_revisions(Item.module_id.in_(program.spec.modules))
    pool = practice_rules.practice_pool([r.item for r in revisions], program.spec.modules)
    return pool, {r.item_id: r.revision for r in revisions}


def _open(user: User, program_id: str) -> PracticeAttempt | None:
    return db.session.scalar(
        select(PracticeAttempt).where(
            PracticeAttempt.user_id == user.id,
            PracticeAttempt.program_id == program_id,
            PracticeAttempt.finished_at.is_(None),
        )
    )


@dataclass(frozen=True)
class Overview:
    """What the practice exam's start page shows."""

    program: ProgramInfo
    blueprint: dict[str, int]  # questions a domain on every practice form drawn now
    attempts: list[PracticeAttempt]  # newest first
    open: PracticeAttempt | None = None  # the unfinished attempt, if there is one
    open_length: int = 0  # its questions (the pool may have grown since it started)
    answered: int = 0  # of them, answered
    resume_at: int = 1  # where to continue it: its first unanswered question

    @property
    def length(self) -> int:
        return sum(self.blueprint.values())


def overview(user: User, program_id: str) -> Overview:
    """The practice exam of a program the person is enrolled in: its length now, their
    attempts, and where to resume an unfinished one. NotFound, NotAllowed (not enrolled)."""
    program = _program(user, program_id)
    pool, _ = _pool(program)
    blueprint = practice_rules.practice_blueprint(pool, program.spec.exam.blueprint)
    attempts = list(
        db.session.scalars(
            select(PracticeAttempt)
            .where(PracticeAttempt.user_id == user.id, PracticeAttempt.program_id == program.id)
            .order_by(PracticeAttempt.started_at.desc(), PracticeAttempt.id.desc())
        )
    )
    current = next((a for a in attempts if a.finished_at is None), None)
    if current is None:
        return Overview(program, blueprint, attempts)
    rows = _rows(current.id)
    unanswered = [r.position for r in rows if not r.chosen]
    return Overview(
        program,
        blueprint,
        attempts,
        current,
        len(rows),
        len(rows) - len(unanswered),
        unanswered[0] if unanswered else 1,
    )


def start(user: User, program_id: str, now: datetime, seed: int | None = None) -> PracticeAttempt:
    """Start a practice exam: a form assembled now from the practice pool by the exam's
    blueprint (cut down to what the pool holds), each question's revision and option order
    frozen. If the person has an unfinished one in the program, that one is returned.

    Raises NotFound (no such program), NotAllowed (not enrolled), RuleError (the program's
    modules have no practice questions).
    """
    program = _program(user, program_id)
    current = _open(user, program.id)
    if current is not None:
        return current
    pool, revision_of = _pool(program)
    blueprint = practice_rules.practice_blueprint(pool, program.spec.exam.blueprint)
    if not blueprint:
        raise RuleError(None, "This program has no practice questions yet.")
    seed = secrets.randbelow(2**31) if seed is None else seed
    form = exam_rules.assemble_form(pool, blueprint, seed)
    attempt = PracticeAttempt(
        user_id=user.id,
        program_id=program.id,
        release_id=releases.get().id,
        seed=seed,
        started_at=now,
    )
    attempt.items = [
        PracticeItem(
            position=n,
            item_id=f.item_id,
            revision=revision_of[f.item_id],
            option_order=list(f.option_order),
            chosen=[],
        )
        for n, f in enumerate(form, start=1)
    ]
    try:
        with db.session.begin_nested():  # add inside: begin_nested() flushes pending first
            db.session.add(attempt)
            db.session.flush()
    except IntegrityError:
        # another request of the same person started one a moment ago: resume that one
        current = _open(user, program.id)
        if current is None:
            raise
        return current
    return attempt


def get(user: User, attempt_id: int) -> PracticeAttempt:
    """The person's own attempt; NotFound for anyone else's."""
    attempt = db.session.get(PracticeAttempt, attempt_id)
    if attempt is None or attempt.user_id != user.id:
        raise NotFound(attempt_id)
    return attempt


def _rows(attempt_id: int) -> Sequence[Any]:
    """The form's questions in order, without their content (one statement)."""
    return db.session.execute(
        select(
            PracticeItem.id,
            PracticeItem.position,
            PracticeItem.item_id,
            PracticeItem.revision,
            PracticeItem.option_order,
            PracticeItem.chosen,
            PracticeItem.points,
        )
        .where(PracticeItem.attempt_id == attempt_id)
        .order_by(PracticeItem.position)
    ).all()


def _revision(item_id: str, revision: int) -> ItemRevision:
    rev = db.session.scalar(
        select(ItemRevision).where(
            ItemRevision.item_id == item_id, ItemRevision.revision == revision
        )
    )
    assert rev is not None  # a form only names revisions that exist (foreign key, immutable)
    return rev


def navigator(rows: Sequence[Any], current: int | None = None) -> list[dict[str, Any]]:
    """Each question's number and whether it is answered (for the page's navigator)."""
    return [
        {
            "position": r.position,
            "answered": bool(r.chosen),
            "flagged": False,  # the exam's navigator marks flags; practice has none
            "current": r.position == current,
        }
        for r in rows
    ]


@dataclass(frozen=True)
class QuestionPage:
    attempt: PracticeAttempt
    position: int
    total: int
    type: str
    multiple: bool
    stem: str
    vignette: str | None
    options: list[dict[str, Any]]  # token, text, chosen
    navigator: list[dict[str, Any]]  # position, answered, current


def question(user: User, attempt_id: int, position: int) -> QuestionPage:
    """One question of an unfinished attempt, with the navigator; three statements whatever
    the form's length. Raises NotFound, AttemptFinished."""
    attempt = get(user, attempt_id)
    if attempt.finished_at is not None:
        raise AttemptFinished()
    rows = _rows(attempt.id)
    current = next((r for r in rows if r.position == position), None)
    if current is None:
        raise NotFound(position)
    item = _revision(current.item_id, current.revision).item
    by_key = {o.key: o.text for o in item.options}
    order = current.option_order
    options = [
        {"token": t, "text": by_key[k], "chosen": k in current.chosen}
        for t, k in zip(exam_rules.option_tokens(order), order, strict=True)
    ]
    return QuestionPage(
        attempt,
        position,
        len(rows),
        item.type,
        TYPES[item.type].multiple,
        item.stem,
        item.vignette,
        options,
        navigator(rows, position),
    )


def save_answer(
    user: User, attempt_id: int, position: int, tokens: Sequence[str], now: datetime
) -> list[str]:
    """Save the answer to one question of an unfinished attempt; returns the bank keys
    saved (an empty list clears the answer).

    Raises NotFound (not the person's attempt, no such question), AttemptFinished (also when
    a finish wins the race), RuleError (an option id that is not the question's, two answers
    to a one-answer question). Nothing is saved when it raises.
    """
    attempt = get(user, attempt_id)
    if attempt.finished_at is not None:
        raise AttemptFinished()
    row = db.session.execute(
        select(
            PracticeItem.id, PracticeItem.item_id, PracticeItem.revision, PracticeItem.option_order
        ).where(PracticeItem.attempt_id == attempt.id, PracticeItem.position == position)
    ).first()
    if row is None:
        raise NotFound(position)
    kind = _revision(row.item_id, row.revision).item.type
    chosen = exam_rules.decode_choice(kind, row.option_order, tokens)
    unfinished = (
        select(PracticeAttempt.id)
        .where(PracticeAttempt.id == attempt.id, PracticeAttempt.finished_at.is_(None))
        .exists()
    )
    saved = db_util.rows_changed(
        update(PracticeItem)
        .where(PracticeItem.id == row.id, unfinished)
        .values(chosen=chosen, saved_at=now)
        .execution_options(synchronize_session=False)
    )
    if saved != 1:
        raise AttemptFinished()
    return chosen


def question_count(attempt_id: int) -> int:
    """How many questions the attempt's form has (without loading them)."""
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(PracticeItem)
            .where(PracticeItem.attempt_id == attempt_id)
        )
        or 0
    )


def progress(user: User, attempt_id: int) -> list[dict[str, Any]]:
    """The navigator of an attempt: each question and whether it is answered."""
    return navigator(_rows(get(user, attempt_id).id))


def finish(user: User, attempt_id: int, now: datetime) -> PracticeAttempt:
    """Finish and score an attempt from its saved answers (an unanswered question scores
    nothing), as the exam scores: the program's multiple-response rule, points per domain.
    Finishing a finished attempt changes nothing."""
    attempt = get(user, attempt_id)
    won = db_util.rows_changed(
        update(PracticeAttempt)
        .where(PracticeAttempt.id == attempt.id, PracticeAttempt.finished_at.is_(None))
        .values(finished_at=now)
        .execution_options(synchronize_session=False)
    )
    if won != 1:
        db.session.refresh(attempt)
        return attempt
    items = list(
        db.session.scalars(
            select(PracticeItem)
            .where(PracticeItem.attempt_id == attempt.id)
            .order_by(PracticeItem.position)
            # answers are saved by UPDATE statements: read them, not what the session holds
            .execution_options(populate_existing=True)
        )
    )
    revisions = _revisions(items)
    spec = releases.get().programs[attempt.program_id].spec
    answered = []
    for item in items:
        content = revisions[(item.item_id, item.revision)].item
        answered.append(
            exam_rules.Answered(
                item.item_id, content.type, content.domain, content.answer, tuple(item.chosen)
            )
        )
    report = exam_rules.score(
        answered, spec.exam.passing_percent, spec.exam.multiple_response == "partial"
    )
    for item in items:
        item.points = report.item_scores[item.item_id]
    attempt.finished_at = now
    attempt.points, attempt.max_points = report.points, report.max_points
    attempt.percent = report.percent
    attempt.domain_scores = {d: list(v) for d, v in report.domains.items()}
    db.session.flush()
    return attempt


def _revisions(items: Sequence[Any]) -> dict[tuple[str, int], ItemRevision]:
    """The revisions a form names, by (item id, revision), in one statement."""
    wanted = {(i.item_id, i.revision) for i in items}
    rows = db.session.scalars(
        select(ItemRevision).where(ItemRevision.item_id.in_({i for i, _ in wanted}))
    )
    return {(r.item_id, r.revision): r for r in rows if (r.item_id, r.revision) in wanted}


@dataclass(frozen=True)
class Result:
    attempt: PracticeAttempt
    program: ProgramInfo
    questions: list[QuizQuestion]  # each with the answer given, the right one and why
    passing_percent: int  # the certification exam's pass mark, for comparison

    @property
    def minutes(self) -> int:
        """Whole minutes from start to finish."""
        assert self.attempt.finished_at is not None
        return int((self.attempt.finished_at - self.attempt.started_at).total_seconds() // 60)

    @property
    def answered(self) -> int:
        return sum(1 for q in self.questions if q.chosen)


def result(user: User, attempt_id: int) -> Result:
    """A finished attempt with every question, the person's answer, the right answer, the
    feedback and the rationale. Raises NotFound, RuleError (not finished yet)."""
    attempt = get(user, attempt_id)
    if attempt.finished_at is None:
        raise RuleError(None, "Finish the practice exam to see the answers.")
    rows = _rows(attempt.id)
    revisions = _revisions(rows)
    contents = [revisions[(r.item_id, r.revision)].item for r in rows]
    runs = scenario_runs([c.scenario for c in contents])
    questions = [
        shown_question(r.position, c, r.option_order, r.chosen, r.points or 0.0, run)
        for r, c, run in zip(rows, contents, runs, strict=True)
    ]
    program = releases.get().programs[attempt.program_id]
    return Result(attempt, program, questions, program.spec.exam.passing_percent)
