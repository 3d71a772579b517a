"""The certification exam: start (frozen form), save answers, submit once, score, report.

Deadlines are the server's. An attempt past its deadline is scored from what was saved the
next time anyone looks at it (``finalize_due``), or by ``trainer exam close-expired``.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from trainer.domain import exam as exam_rules
from trainer.domain.errors import NotAllowed, NotFound, RuleError
from trainer.domain.questions import TYPES
from trainer.domain.statuses import AttemptStatus
from trainer.extensions import db
from trainer.models import (
    Accommodation,
    ExamAttempt,
    ExamItem,
    Item,
    ItemRevision,
    Program,
    User,
)
from trainer.services import audit, certificates, db_util, learning
from trainer.services import release as releases
from trainer.services.quizzes import current_revisions
from trainer.services.release import AnyProgram, ProgramInfo


def _program(program_id: str) -> ProgramInfo:
    return learning.get_program(program_id)


def attempts(user: User, program_id: str) -> list[ExamAttempt]:
    return list(
        db.session.scalars(
            select(ExamAttempt)
            .where(ExamAttempt.user_id == user.id, ExamAttempt.program_id == program_id)
            .order_by(ExamAttempt.started_at)
        )
    )


def modules_complete(
    user: User, program: AnyProgram, progress: Sequence[learning.ModuleProgress] | None = None
) -> bool:
    if progress is None:
        progress = learning.program_progress(user, learning.get_program(program.id))[2]
    return bool(progress) and all(m.completed for m in progress)


def eligibility(
    user: User,
    program: AnyProgram,
    now: datetime,
    past: Sequence[ExamAttempt] | None = None,
    progress: Sequence[learning.ModuleProgress] | None = None,
) -> exam_rules.StartDecision:
    """May the person start an attempt now? ``past`` (their attempts in the program) and
    ``progress`` (their module progress) may be passed by a page that already has them."""
    if past is None:
        past = attempts(user, program.id)
    for attempt in past:
        finalize_due(attempt, now)
    spec = program.spec.exam
    return exam_rules.may_start(
        [exam_rules.PastAttempt(a.started_at, a.finished_at, a.passed) for a in past],
        spec.attempts_allowed,
        spec.wait_days,
        modules_complete(user, program, progress),
        now,
    )


def time_multiplier(user: User, program_id: str) -> float:
    value = db.session.scalar(
        select(Accommodation.time_multiplier).where(
            Accommodation.user_id == user.id, Accommodation.program_id == program_id
        )
    )
    return value or 1.0


def start(user: User, program_id: str, now: datetime, seed: int | None = None) -> ExamAttempt:
    """Start an exam attempt with a form frozen now: items, revisions, option order, deadline.

    Raises NotFound (no such program), NotAllowed (not enrolled), RuleError (not eligible
    now, with the reason and date; or the pool cannot satisfy the blueprint).
    """
    program = _program(program_id)
    if learning.enrolment(user, program.id) is None:
        raise NotAllowed(program_id)
    decision = eligibility(user, program, now)
    if not decision.allowed:
        raise RuleError(None, decision.reason)
    spec = program.spec.exam
    pool_revisions = current_revisions(Item.module_id.in_(program.spec.modules))
    pool = [
        exam_rules.PoolItem(
            r.item_id,
            r.item.domain,
            r.item.scenario,
            tuple(o.key for o in r.item.options),
            r.item.type,
        )
        for r in pool_revisions
        if r.item.use in ("exam", "both")
    ]
    revision_of = {r.item_id: r.revision for r in pool_revisions}
    seed = secrets.randbelow(2**31) if seed is None else seed
    form = exam_rules.assemble_form(pool, spec.blueprint, seed)
    multiplier = time_multiplier(user, program.id)
    attempt = ExamAttempt(
        user_id=user.id,
        program_id=program.id,
        release_id=releases.get().id,
        seed=seed,
        status=AttemptStatus.OPEN,
        started_at=now,
        deadline=exam_rules.deadline(now, spec.time_limit_minutes, multiplier),
        time_multiplier=multiplier,
        passing_percent=spec.passing_percent,
    )
    attempt.items = [
        ExamItem(
            position=n,
            item_id=f.item_id,
            revision=revision_of[f.item_id],
            option_order=list(f.option_order),
            chosen=[],
        )
        for n, f in enumerate(form, start=1)
    ]
    try:
        # add inside the savepoint: begin_nested() flushes what is pending first
        with db.session.begin_nested():
            db.session.add(attempt)
            db.session.flush()
    except IntegrityError:
        raise RuleError(None, "You have an exam attempt in progress.") from None
    audit.record(
        "exam.started",
        actor=user,
        subject=attempt,
        program=program.id,
        items=len(form),
        deadline=attempt.deadline.isoformat(),
        multiplier=multiplier,
    )
    return attempt


def get(user: User, attempt_id: int, now: datetime) -> ExamAttempt:
    """The person's own attempt (closed first if its deadline passed); NotFound otherwise."""
    attempt = db.session.get(ExamAttempt, attempt_id)
    if attempt is None or attempt.user_id != user.id:
        raise NotFound(attempt_id)
    finalize_due(attempt, now)
    return attempt


def _item(attempt_id: int, position: int) -> ExamItem:
    item = db.session.scalar(
        select(ExamItem).where(ExamItem.attempt_id == attempt_id, ExamItem.position == position)
    )
    if item is None:
        raise NotFound(position)
    return item


def _revision(item: ExamItem) -> ItemRevision:
    rev = db.session.scalar(
        select(ItemRevision).where(
            ItemRevision.item_id == item.item_id, ItemRevision.revision == item.revision
        )
    )
    assert rev is not None
    return rev


def save_answer(
    user: User, attempt_id: int, position: int, tokens: Sequence[str], flagged: bool, now: datetime
) -> ExamItem:
    """Save the answer to one question of an open attempt, before its deadline.

    Raises NotFound (not the person's attempt, or no such question on the form), RuleError
    (time is up, attempt closed, an option id that is not the question's, two answers to a
    one-answer question). Nothing is saved when it raises.
    """
    attempt = get(user, attempt_id, now)
    if not exam_rules.accepts_answers(attempt.status, attempt.deadline, now):
        raise RuleError(None, "This attempt is closed; answers can no longer be changed.")
    item = _item(attempt.id, position)
    content_type = _revision(item).item.type
    chosen = exam_rules.decode_choice(content_type, item.option_order, tokens)
    db.session.execute(
        update(ExamItem)
        .where(ExamItem.id == item.id)
        .values(chosen=chosen, flagged=flagged, saved_at=now)
        .execution_options(synchronize_session=False)
    )
    # what the UPDATE wrote, without marking the item dirty (a flush would write it again)
    for key, value in (("chosen", chosen), ("flagged", flagged), ("saved_at", now)):
        set_committed_value(item, key, value)
    return item


def question_count(attempt_id: int) -> int:
    """How many questions the attempt's form has (without loading them)."""
    return int(
        db.session.scalar(
            select(func.count()).select_from(ExamItem).where(ExamItem.attempt_id == attempt_id)
        )
        or 0
    )


def submit(user: User, attempt_id: int, now: datetime) -> ExamAttempt:
    """Submit and score an attempt. Idempotent: whoever comes second gets the first result."""
    attempt = get(user, attempt_id, now)
    if attempt.status == AttemptStatus.OPEN:
        _close(attempt, "submitted", now, now)
    return attempt


def finalize_due(attempt: ExamAttempt, now: datetime) -> None:
    """Close and score an open attempt whose deadline has passed, from its saved answers."""
    if attempt.status == AttemptStatus.OPEN and now >= attempt.deadline:
        with db_util.writing():  # a page that reads may be the first to see it expired
            _close(attempt, "expired", attempt.deadline, now)


def close_expired(now: datetime) -> int:
    """Close every attempt past its deadline; returns how many were closed."""
    due = db.session.scalars(
        select(ExamAttempt).where(
            ExamAttempt.status == AttemptStatus.OPEN, ExamAttempt.deadline <= now
        )
    ).all()
    for attempt in due:
        finalize_due(attempt, now)
    return len(due)


def _close(attempt: ExamAttempt, status: str, at: datetime, now: datetime) -> None:
    """Score the attempt from its saved answers, finished at ``at`` (the deadline, for an
    expired attempt; ``now`` is when this runs). Exactly one caller wins the race."""
    won = (
        db_util.rows_changed(
            update(ExamAttempt)
            .where(ExamAttempt.id == attempt.id, ExamAttempt.status == AttemptStatus.OPEN)
            .values(status=status, finished_at=at)
            .execution_options(synchronize_session=False)
        )
        == 1
    )
    if not won:
        db.session.refresh(attempt)
        return
    items = list(
        db.session.scalars(
            select(ExamItem).where(ExamItem.attempt_id == attempt.id).order_by(ExamItem.position)
        )
    )
    revs = {
        (r.item_id, r.revision): r
        for r in db.session.scalars(
            select(ItemRevision).where(ItemRevision.item_id.in_([i.item_id for i in items]))
        )
    }
    program = db.session.get(Program, attempt.program_id)
    assert program is not None
    partial = program.spec.exam.multiple_response == "partial"
    answered = []
    for item in items:
        c = revs[(item.item_id, item.revision)].item
        answered.append(
            exam_rules.Answered(item.item_id, c.type, c.domain, c.answer, tuple(item.chosen))
        )
    report = exam_rules.score(answered, attempt.passing_percent, partial)
    for item in items:
        item.points = report.item_scores[item.item_id]
    attempt.status, attempt.finished_at = status, at
    attempt.points, attempt.max_points = report.points, report.max_points
    attempt.percent, attempt.passed = report.percent, report.passed
    attempt.domain_scores = {d: list(v) for d, v in report.domains.items()}
    db.session.flush()
    audit.record(
        f"exam.{status}",
        actor=db.session.get(User, attempt.user_id),
        subject=attempt,
        program=attempt.program_id,
        percent=report.percent,
        passed=report.passed,
    )
    if report.passed:
        _on_exam_passed(attempt, now)


def _on_exam_passed(attempt: ExamAttempt, now: datetime) -> None:
    """Passing is evidence for the requirements engine: it may complete the program."""
    user = db.session.get(User, attempt.user_id)
    assert user is not None
    certificates.issue_if_met(user, attempt.program_id, now)


@dataclass(frozen=True)
class QuestionPage:
    attempt: ExamAttempt
    position: int
    total: int
    type: str
    multiple: bool
    stem: str
    vignette: str | None
    options: list[dict[str, Any]]  # token, text, chosen
    flagged: bool
    navigator: list[dict[str, Any]]  # position, answered, flagged, current
    seconds_left: int


def question(user: User, attempt_id: int, position: int, now: datetime) -> QuestionPage:
    """One question of an open attempt, with the navigator. Four queries whatever the length."""
    attempt = get(user, attempt_id, now)
    if attempt.status != AttemptStatus.OPEN:
        raise RuleError(None, "This attempt is closed.")
    rows = db.session.execute(
        select(
            ExamItem.position,
            ExamItem.chosen,
            ExamItem.flagged,
            ExamItem.item_id,
            ExamItem.revision,
            ExamItem.option_order,
        )
        .where(ExamItem.attempt_id == attempt.id)
        .order_by(ExamItem.position)
    ).all()
    current = next((r for r in rows if r.position == position), None)
    if current is None:
        raise NotFound(position)
    rev = db.session.scalar(
        select(ItemRevision).where(
            ItemRevision.item_id == current.item_id, ItemRevision.revision == current.revision
        )
    )
    assert rev is not None
    c = rev.item
    by_key = {o.key: o.text for o in c.options}
    options = [
        {"token": t, "text": by_key[k], "chosen": k in current.chosen}
        for t, k in zip(
            exam_rules.option_tokens(current.option_order), current.option_order, strict=True
        )
    ]
    navigator = [
        {
            "position": r.position,
            "answered": bool(r.chosen),
            "flagged": r.flagged,
            "current": r.position == position,
        }
        for r in rows
    ]
    return QuestionPage(
        attempt,
        position,
        len(rows),
        c.type,
        TYPES[c.type].multiple,
        c.stem,
        c.vignette,
        options,
        current.flagged,
        navigator,
        max(0, int((attempt.deadline - now).total_seconds())),
    )


def grant_accommodation(
    actor: User, user: User, program_id: str, multiplier: float, reason: str
) -> Accommodation:
    """Grant (or change) extended time for a person's exam in a program. Audited."""
    _program(program_id)
    if not 1.0 <= multiplier <= 4.0:
        raise RuleError("multiplier", "The time multiplier is between 1 and 4 (e.g. 1.5).")
    if not reason.strip():
        raise RuleError("reason", "Say why the accommodation is granted.")
    row = db.session.scalar(
        select(Accommodation).where(
            Accommodation.user_id == user.id, Accommodation.program_id == program_id
        )
    )
    before = row.time_multiplier if row else None
    if row is None:
        row = Accommodation(
            user_id=user.id,
            program_id=program_id,
            time_multiplier=multiplier,
            reason=reason.strip(),
            granted_by_id=actor.id,
        )
        db.session.add(row)
    else:
        row.time_multiplier, row.reason, row.granted_by_id = multiplier, reason.strip(), actor.id
    db.session.flush()
    audit.record(
        "exam.accommodation_granted",
        actor=actor,
        subject=user,
        program=program_id,
        multiplier=multiplier,
        before=before,
        reason=reason.strip(),
    )
    return row


def accommodations(user: User) -> list[Accommodation]:
    return list(db.session.scalars(select(Accommodation).where(Accommodation.user_id == user.id)))
