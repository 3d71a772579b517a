"""The practice exam as the services run it: the pool, unlimited attempts, resuming, scoring,
and nothing else in the database moving."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from tests.support.content import write_tree
from tests.support.exams import complete_program_modules, load
from tests.support.practice import answer_all, item_uses, practice_tree
from trainer.clock import utcnow
from trainer.domain.errors import NotAllowed, NotFound, RuleError
from trainer.extensions import db
from trainer.models import ItemRevision, User
from trainer.models.assessment import PracticeAttempt, PracticeItem
from trainer.services import exams, learning, practice

PRACTICE_TABLES = {"practice_attempts", "practice_items"}


@pytest.fixture
def trainee(app: Any, tmp_path: Path, make_user: Any) -> Any:
    """A trainee enrolled in test-prog (nothing read yet), practice pool full."""
    load(app, practice_tree(tmp_path))
    user = make_user("trainee")
    with app.app_context():
        learning.enrol(db.session.get(User, user.id), "test-prog", utcnow())
        db.session.commit()
    return user


def _user(user: Any) -> User:
    return db.session.get(User, user.id)


def _form(attempt: PracticeAttempt) -> list[str]:
    return [i.item_id for i in attempt.items]


def test_no_live_item_is_ever_drawn(app: Any, trainee: Any) -> None:
    """Two hundred forms from the same modules as the live pool: not one exam or both item."""
    uses = item_uses(app)
    assert {"exam", "both"} <= set(uses.values())  # the live pool is right there
    now = utcnow()
    drawn: set[str] = set()
    with app.app_context():
        for seed in range(200):
            attempt = practice.start(_user(trainee), "test-prog", now, seed=seed)
            assert len(attempt.items) == 5
            drawn |= set(_form(attempt))
            practice.finish(_user(trainee), attempt.id, now)
        db.session.commit()
    assert drawn and {uses[i] for i in drawn} <= {"quiz", "practice"}
    # over many seeds every practice item turns up: the pool is what the rule says it is
    assert drawn == {i for i, use in uses.items() if use in ("quiz", "practice")}


def test_the_form_follows_the_blueprint_and_scenarios_stay_whole(app: Any, trainee: Any) -> None:
    with app.app_context():
        attempt = practice.start(_user(trainee), "test-prog", utcnow(), seed=7)
        form = _form(attempt)
        domains = {"alpha": "advocacy", "beta": "ethical-responsibility"}
        assert sorted(domains[i.split("-")[0]] for i in form) == (
            ["advocacy"] * 3 + ["ethical-responsibility"] * 2
        )
        if "alpha-ps-1" in form:
            assert form.index("alpha-ps-2") == form.index("alpha-ps-1") + 1


def test_a_short_pool_gives_a_shorter_form(app: Any, tmp_path: Path, make_user: Any) -> None:
    load(app, write_tree(tmp_path))  # practice pool: alpha-tf alone
    user = make_user("trainee")
    with app.app_context():
        learning.enrol(_user(user), "test-prog", utcnow())
        view = practice.overview(_user(user), "test-prog")
        assert view.blueprint == {"advocacy": 1} and view.length == 1
        attempt = practice.start(_user(user), "test-prog", utcnow())
        assert _form(attempt) == ["alpha-tf"]


def test_attempts_are_unlimited_and_an_unfinished_one_is_resumed(app: Any, trainee: Any) -> None:
    now = utcnow()
    with app.app_context():
        first = practice.start(_user(trainee), "test-prog", now)
        practice.save_answer(_user(trainee), first.id, 2, ["o1"], now)
        db.session.commit()
        again = practice.start(_user(trainee), "test-prog", now + timedelta(days=3))
        assert again.id == first.id  # resumed, not a second form
        view = practice.overview(_user(trainee), "test-prog")
        assert (view.open.id, view.answered, view.open_length, view.resume_at) == (
            first.id,
            1,
            5,
            1,
        )
        ids = {first.id}
        for n in range(12):  # finish and start again, as often as one likes
            practice.finish(_user(trainee), max(ids), now + timedelta(minutes=n))
            ids.add(practice.start(_user(trainee), "test-prog", now + timedelta(minutes=n)).id)
        db.session.commit()
        assert len(ids) == 13
        assert len(practice.overview(_user(trainee), "test-prog").attempts) == 13


def test_one_unfinished_attempt_whatever_the_race(app: Any, trainee: Any) -> None:
    """The database refuses a second unfinished attempt of the same program."""
    with app.app_context():
        attempt = practice.start(_user(trainee), "test-prog", utcnow())
        db.session.commit()
        db.session.add(
            PracticeAttempt(
                user_id=trainee.id,
                program_id="test-prog",
                release_id=attempt.release_id,
                seed=1,
                started_at=utcnow(),
            )
        )
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_scores_per_domain_and_shows_every_answer_and_rationale(app: Any, trainee: Any) -> None:
    now = utcnow()
    with app.app_context():
        user = _user(trainee)
        attempt = practice.start(user, "test-prog", now, seed=3)
        answers = answer_all(attempt.id)
        for position, tokens in answers.items():
            if position != 1:  # the first is left unanswered
                practice.save_answer(user, attempt.id, position, tokens, now)
        done = practice.finish(user, attempt.id, now + timedelta(minutes=12))
        db.session.commit()
        assert done.points == 4 and done.max_points == 5 and done.percent == 80.0
        scores = done.domain_scores
        assert sum(p for p, _ in scores.values()) == 4
        assert {d: m for d, (_, m) in scores.items()} == {
            "advocacy": 3,
            "ethical-responsibility": 2,
        }
        result = practice.result(user, attempt.id)
        assert result.minutes == 12 and result.answered == 4
        first, *rest = result.questions
        assert first.chosen == [] and first.points == 0
        assert all(q.points == 1 and q.chosen for q in rest)
        rationales = {r.content["rationale"] for r in db.session.scalars(select(ItemRevision))}
        for q in result.questions:  # the right answer and why, for every question
            assert [o for o in q.options if o["correct"]] and q.rationale in rationales
        again = practice.finish(user, attempt.id, now + timedelta(hours=1))  # changes nothing
        assert again.finished_at == now + timedelta(minutes=12) and again.points == 4


def test_refused_answers_change_nothing(app: Any, trainee: Any, make_user: Any) -> None:
    now = utcnow()
    with app.app_context():
        user = _user(trainee)
        attempt = practice.start(user, "test-prog", now, seed=5)
        practice.save_answer(user, attempt.id, 1, ["o2"], now)
        db.session.commit()
        single = next(i.position for i in attempt.items if i.item_id != "alpha-ps-2")
        cases = [
            (RuleError, 1, ["o9"]),  # not one of the question's options
            (RuleError, 1, ["a"]),  # a bank key instead of an option id
            (RuleError, single, ["o1", "o2"]),  # two answers to a one-answer question
            (NotFound, 6, ["o1"]),  # no such question on the form
        ]
        for error, position, tokens in cases:
            with pytest.raises(error):
                practice.save_answer(user, attempt.id, position, tokens, now)
            db.session.rollback()
        stranger = make_user("trainee")
        with pytest.raises(NotFound):  # someone else's attempt does not exist for them
            practice.save_answer(_user(stranger), attempt.id, 1, ["o1"], now)
        with pytest.raises(NotFound):
            practice.result(_user(stranger), attempt.id)
        with pytest.raises(NotAllowed):  # not enrolled
            practice.start(_user(stranger), "test-prog", now)
        with pytest.raises(RuleError, match="Finish the practice exam"):
            practice.result(user, attempt.id)
        practice.finish(user, attempt.id, now)
        db.session.commit()
        with pytest.raises(practice.AttemptFinished):
            practice.save_answer(user, attempt.id, 2, ["o1"], now)
        db.session.rollback()
        saved = db.session.scalars(
            select(PracticeItem.chosen)
            .where(PracticeItem.attempt_id == attempt.id)
            .order_by(PracticeItem.position)
        ).all()
        assert saved[0] == [attempt.items[0].option_order[1]] and not any(saved[1:])


def _everything_but_practice(app: Any) -> str:
    """A digest of every row of every table but the practice exam's own."""
    digest = hashlib.sha256()
    with app.app_context():
        for table in db.metadata.sorted_tables:
            if table.name in PRACTICE_TABLES:
                continue
            pk = ", ".join(c.name for c in table.primary_key.columns)
            rows = db.session.execute(
                text(f"SELECT * FROM {table.name} ORDER BY {pk}")  # noqa: S608 (our tables)
            ).all()
            digest.update(table.name.encode() + repr(rows).encode())
        db.session.remove()
    return digest.hexdigest()


def test_practice_changes_nothing_else(app: Any, trainee: Any) -> None:
    """Exam eligibility, progress, certificates, the audit log the board reads: every table
    but the practice exam's is the same, row for row, after many practice attempts."""
    complete_program_modules(app, trainee.id, "test-prog")
    now = utcnow()
    with app.app_context():
        program = learning.get_program("test-prog")
        before_decision = exams.eligibility(_user(trainee), program, now)
    before = _everything_but_practice(app)
    with app.app_context():
        user = _user(trainee)
        for n in range(4):
            attempt = practice.start(user, "test-prog", now, seed=n)
            for position, tokens in answer_all(attempt.id, right=n % 2 == 0).items():
                practice.save_answer(user, attempt.id, position, tokens, now)
            practice.finish(user, attempt.id, now)
            practice.result(user, attempt.id)
        db.session.commit()
        percents = db.session.scalars(
            select(PracticeAttempt.percent).order_by(PracticeAttempt.id)
        ).all()
        assert percents == [100.0, 0.0, 100.0, 0.0]
    assert _everything_but_practice(app) == before
    with app.app_context():
        after_decision = exams.eligibility(_user(trainee), learning.get_program("test-prog"), now)
        assert after_decision == before_decision and after_decision.attempts_used == 0
