"""Formative module quizzes: a fresh draw each attempt, feedback after, best score counts."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from typing import Any

from sqlalchemy import func, select, update

from trainer.domain import exam as exam_rules
from trainer.domain.content.model import Item as ItemContent
from trainer.domain.errors import NotAllowed, NotFound, RuleError
from trainer.domain.questions import TYPES
from trainer.domain.stored import DrawnQuestion
from trainer.extensions import db
from trainer.models import Item, ItemRevision, Module, QuizAttempt, User
from trainer.services import audit, db_util, learning


def best_percent(user: User, module_id: str) -> float | None:
    return db.session.scalar(
        select(func.max(QuizAttempt.percent)).where(
            QuizAttempt.user_id == user.id, QuizAttempt.module_id == module_id
        )
    )


def current_revisions(where: Any) -> list[ItemRevision]:
    """Current revisions of the live items matching ``where`` (one query)."""
    return list(
        db.session.scalars(
            select(ItemRevision)
            .join(
                Item,
                (Item.id == ItemRevision.item_id)
                & (Item.current_revision == ItemRevision.revision),
            )
            .where(Item.retired.is_(False), where)
            .order_by(ItemRevision.item_id)
        )
    )


def start(user: User, module_id: str, now: datetime, seed: int | None = None) -> QuizAttempt:
    """Draw a new quiz for a module the person may read."""
    module = db.session.get(Module, module_id)
    if module is None or module.retired:
        raise NotFound(module_id)
    if not learning.can_read(user, module_id):
        raise NotAllowed(module_id)
    revisions = {
        r.item_id: r
        for r in current_revisions(Item.module_id == module_id)
        if r.item.use in ("quiz", "both")
    }
    pool = [
        exam_rules.PoolItem(
            id=r.item_id,
            domain=r.item.domain,
            scenario=r.item.scenario,
            option_keys=tuple(o.key for o in r.item.options),
            type=r.item.type,
        )
        for r in revisions.values()
    ]
    seed = secrets.randbelow(2**31) if seed is None else seed
    drawn = exam_rules.draw_quiz(pool, module.meta.get("quiz_items", 5), seed)
    form = [
        {
            "item_id": f.item_id,
            "revision": revisions[f.item_id].revision,
            "order": list(f.option_order),
        }
        for f in drawn
    ]
    if not form:
        raise RuleError(None, "This module has no quiz questions yet.")
    attempt = QuizAttempt(
        user_id=user.id,
        module_id=module_id,
        seed=seed,
        form=form,
        responses={},
        pass_percent=module.meta.get("quiz_pass_percent", 80),
        started_at=now,
    )
    db.session.add(attempt)
    db.session.flush()
    return attempt


def get(user: User, attempt_id: int) -> QuizAttempt:
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.user_id != user.id:
        raise NotFound(attempt_id)
    return attempt


def _revisions(form: Sequence[DrawnQuestion]) -> dict[tuple[str, int], ItemRevision]:
    pairs = {(q.item_id, q.revision) for q in form}
    ids = {p[0] for p in pairs}
    rows = db.session.scalars(select(ItemRevision).where(ItemRevision.item_id.in_(ids)))
    return {(r.item_id, r.revision): r for r in rows if (r.item_id, r.revision) in pairs}


@dataclass(frozen=True)
class QuizQuestion:
    position: int
    name: str  # form field name
    type: str
    multiple: bool
    stem: str
    vignette: str | None
    options: list[dict[str, Any]]  # token, text, chosen, correct, feedback
    chosen: list[str]
    points: float | None
    rationale: str | None
    # (first, last) positions of the scenario set the question belongs to: the page prints
    # the set's case once, above its first question. None for a lone item.
    case: tuple[int, int] | None = None


def scenario_runs(scenarios: Sequence[str | None]) -> list[tuple[int, int] | None]:
    """For each position (from 1), the run of positions sharing its scenario (a draw keeps
    a set together), or None for a lone item."""
    out: list[tuple[int, int] | None] = []
    for scenario, run in groupby(scenarios):
        size, first = len(list(run)), len(out) + 1
        out += [None if scenario is None else (first, first + size - 1)] * size
    return out


def shown_question(
    position: int,
    item: ItemContent,
    order: Sequence[str],
    chosen: Sequence[str],
    points: float | None,
    case: tuple[int, int] | None,
) -> QuizQuestion:
    """One question as a quiz (or a finished practice exam) shows it: the options in the
    order drawn, the person's choices and, once ``points`` are known (after submitting),
    which options are right, their feedback and the rationale."""
    done = points is not None
    by_key = {o.key: o for o in item.options}
    options = [
        {
            "token": token,
            "text": by_key[key].text,
            "chosen": key in chosen,
            "correct": (key in item.answer) if done else None,
            "feedback": by_key[key].feedback if done else None,
        }
        for token, key in zip(exam_rules.option_tokens(order), order, strict=True)
    ]
    return QuizQuestion(
        position,
        f"q{position}",
        item.type,
        TYPES[item.type].multiple,
        item.stem,
        item.vignette,
        options,
        list(chosen),
        points,
        item.rationale if done else None,
        case,
    )


def questions(attempt: QuizAttempt) -> list[QuizQuestion]:
    """What the quiz page shows; correctness and rationale only once submitted."""
    revisions = _revisions(attempt.questions)
    items = [revisions[(d.item_id, d.revision)].item for d in attempt.questions]
    cases = scenario_runs([item.scenario for item in items])
    done = attempt.submitted_at is not None
    out = []
    for position, (drawn, item) in enumerate(zip(attempt.questions, items, strict=True), 1):
        chosen = attempt.responses.get(str(position), [])
        points = TYPES[item.type].grade(item.answer, chosen) if done else None
        out.append(shown_question(position, item, drawn.order, chosen, points, cases[position - 1]))
    return out


def submit(
    user: User, attempt_id: int, answers: Mapping[str, Sequence[str]], now: datetime
) -> QuizAttempt:
    """Score a quiz. ``answers`` maps field names (q1, q2...) to option ids.

    Submitting an already scored quiz changes nothing. Raises RuleError for an option that
    is not the question's or two answers to a one-answer question; nothing is saved then.
    """
    attempt = get(user, attempt_id)
    if attempt.submitted_at is not None:
        return attempt
    revisions = _revisions(attempt.questions)
    known = {f"q{n}" for n in range(1, len(attempt.questions) + 1)}
    unknown = sorted(set(answers) - known)
    if unknown:
        raise RuleError(None, "The answers included a question that is not on this quiz.")
    responses: dict[str, list[str]] = {}
    answered = []
    for position, drawn in enumerate(attempt.questions, start=1):
        item = revisions[(drawn.item_id, drawn.revision)].item
        try:
            chosen = exam_rules.decode_choice(
                item.type, drawn.order, answers.get(f"q{position}", [])
            )
        except RuleError as error:
            raise RuleError(f"q{position}", f"Question {position}: {error.message}") from None
        responses[str(position)] = chosen
        answered.append(
            exam_rules.Answered(drawn.item_id, item.type, item.domain, item.answer, tuple(chosen))
        )
    report = exam_rules.score(answered, attempt.pass_percent)
    # Conditional update: of two submissions racing, exactly one scores the quiz.
    won = (
        db_util.rows_changed(
            update(QuizAttempt)
            .where(QuizAttempt.id == attempt.id, QuizAttempt.submitted_at.is_(None))
            .values(
                responses=responses,
                percent=report.percent,
                passed=report.passed,
                submitted_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        == 1
    )
    db.session.refresh(attempt)
    if not won:
        return attempt
    audit.record(
        "quiz.submitted",
        actor=user,
        subject=attempt,
        module=attempt.module_id,
        percent=report.percent,
        passed=report.passed,
    )
    if report.passed:
        learning.module_may_be_complete(user, attempt.module_id, now)
    return attempt
