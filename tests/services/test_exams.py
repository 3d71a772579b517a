"""The exam's rules as the services enforce them, with the clock passed in."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.support.content import write_tree
from tests.support.exams import complete_program_modules, load
from trainer.clock import utcnow
from trainer.domain.errors import NotAllowed, NotFound, RuleError
from trainer.extensions import db
from trainer.models import AuditEvent, ExamAttempt, ExamItem, ItemRevision, User
from trainer.services import exams, learning


@pytest.fixture
def ready(app: Any, tmp_path: Path, make_user: Any) -> Any:
    """A trainee who completed every module of test-prog (blueprint: 3 advocacy, 2 ethics)."""
    load(app, write_tree(tmp_path))
    user = make_user("trainee")
    complete_program_modules(app, user.id, "test-prog")
    return user


def _user(user: Any) -> User:
    return db.session.get(User, user.id)


def test_start_freezes_a_blueprint_form(app: Any, ready: Any) -> None:
    now = utcnow()
    with app.app_context():
        attempt = exams.start(_user(ready), "test-prog", now)
        db.session.commit()
        items = attempt.items
        assert len(items) == 5
        domains = [
            db.session.scalar(
                select(ItemRevision.content).where(ItemRevision.item_id == i.item_id)
            ).get("domain")
            for i in items
        ]
        assert sorted(domains) == ["advocacy"] * 3 + ["ethical-responsibility"] * 2
        assert attempt.deadline == now + timedelta(minutes=30)
        assert attempt.status == "open" and attempt.seed is not None


def test_content_changes_do_not_touch_a_running_attempt(
    app: Any, ready: Any, tmp_path: Path
) -> None:
    with app.app_context():
        attempt = exams.start(_user(ready), "test-prog", utcnow())
        db.session.commit()
        frozen = [(i.item_id, i.revision) for i in attempt.items]
    tree = tmp_path / "content"
    for bank in (tree / "items").iterdir():
        bank.write_text(bank.read_text().replace("about a situation?", "about a new situation?"))
    load(app, tree)
    with app.app_context():
        again = db.session.scalars(
            select(ExamItem).where(ExamItem.attempt_id == attempt.id).order_by(ExamItem.position)
        ).all()
        assert [(i.item_id, i.revision) for i in again] == frozen


def test_one_open_attempt_and_no_start_before_modules_are_done(
    app: Any, ready: Any, make_user: Any
) -> None:
    with app.app_context():
        exams.start(_user(ready), "test-prog", utcnow())
        db.session.commit()
        with pytest.raises(RuleError, match="in progress"):
            exams.start(_user(ready), "test-prog", utcnow())
        db.session.rollback()  # end this session's transaction before another one writes
        newcomer = make_user("trainee")
        learning.enrol(db.session.get(User, newcomer.id), "test-prog", utcnow())
        db.session.commit()
        with pytest.raises(RuleError, match="Complete every required module"):
            exams.start(db.session.get(User, newcomer.id), "test-prog", utcnow())
        db.session.rollback()
        stranger = make_user("trainee")
        with pytest.raises(NotAllowed):
            exams.start(db.session.get(User, stranger.id), "test-prog", utcnow())


def test_deadline_closes_and_scores_from_saved_answers(app: Any, ready: Any) -> None:
    start = utcnow()
    with app.app_context():
        user = _user(ready)
        attempt = exams.start(user, "test-prog", start)
        first = attempt.items[0]
        rev = db.session.scalar(
            select(ItemRevision.content).where(
                ItemRevision.item_id == first.item_id, ItemRevision.revision == first.revision
            )
        )
        right = [f"o{n}" for n, k in enumerate(first.option_order, 1) if k in rev["answer"]]
        exams.save_answer(user, attempt.id, 1, right, False, start + timedelta(minutes=5))
        db.session.commit()
        late = attempt.deadline + timedelta(seconds=1)
        with pytest.raises(RuleError, match="closed"):
            exams.save_answer(user, attempt.id, 2, ["o1"], False, late)
        db.session.rollback()
        closed = exams.get(user, attempt.id, late)  # nobody came back: looking scores it
        db.session.commit()
        assert closed.status == "expired" and closed.finished_at == attempt.deadline
        assert closed.points == 1 and closed.max_points == 5 and closed.percent == 20.0
        assert closed.passed is False


def test_close_expired_scores_abandoned_attempts(app: Any, ready: Any) -> None:
    start = utcnow()
    with app.app_context():
        attempt = exams.start(_user(ready), "test-prog", start)
        db.session.commit()
        assert exams.close_expired(start + timedelta(minutes=29)) == 0
        assert exams.close_expired(start + timedelta(minutes=31)) == 1
        db.session.commit()
        assert db.session.get(ExamAttempt, attempt.id).status == "expired"


def test_close_expired_command_for_cron(app: Any, ready: Any, runner: Any) -> None:
    with app.app_context():
        attempt = exams.start(_user(ready), "test-prog", utcnow() - timedelta(hours=2))
        db.session.commit()
    result = runner.invoke(args=["exam", "close-expired"])
    assert result.exit_code == 0 and "closed 1 expired attempt" in result.output
    with app.app_context():
        assert db.session.get(ExamAttempt, attempt.id).status == "expired"
    assert "closed 0 expired attempts" in runner.invoke(args=["exam", "close-expired"]).output


def test_waiting_period_and_the_date_it_ends(app: Any, ready: Any) -> None:
    now = utcnow()
    with app.app_context():
        user = _user(ready)
        attempt = exams.start(user, "test-prog", now)
        exams.submit(user, attempt.id, now + timedelta(minutes=10))  # nothing answered: fails
        db.session.commit()
        program = learning.get_program("test-prog")
        decision = exams.eligibility(user, program, now + timedelta(days=1))
        assert not decision.allowed
        assert decision.next_allowed_at == now + timedelta(minutes=10, days=7)
        with pytest.raises(RuleError, match="waiting period"):
            exams.start(user, "test-prog", now + timedelta(days=1))
        assert exams.start(user, "test-prog", now + timedelta(days=8)).status == "open"


def test_bad_answers_leave_the_saved_attempt_unchanged(
    app: Any, ready: Any, make_user: Any
) -> None:
    now = utcnow()
    with app.app_context():
        user = _user(ready)
        attempt = exams.start(user, "test-prog", now)
        exams.save_answer(user, attempt.id, 1, ["o2"], True, now)
        db.session.commit()
        kinds = {r.item_id: r.content["type"] for r in db.session.scalars(select(ItemRevision))}
        single = next(i for i in attempt.items if kinds[i.item_id] in ("single", "truefalse"))
        cases = [
            (RuleError, 1, ["o7"]),  # not one of the item's options
            (RuleError, 1, ["b"]),  # a bank key instead of an option id
            (NotFound, 99, ["o1"]),  # no such question on the form
            (RuleError, single.position, ["o1", "o2"]),  # two answers to a one-answer item
        ]
        for error, position, tokens in cases:
            with pytest.raises(error):
                exams.save_answer(user, attempt.id, position, tokens, False, now)
            db.session.rollback()
        other = make_user("trainee")
        with pytest.raises(NotFound):
            exams.save_answer(db.session.get(User, other.id), attempt.id, 1, ["o1"], False, now)
        db.session.rollback()
        saved = db.session.scalar(
            select(ExamItem).where(ExamItem.attempt_id == attempt.id, ExamItem.position == 1)
        )
        assert saved.chosen == [attempt.items[0].option_order[1]] and saved.flagged is True


def test_accommodation_extends_the_deadline_and_is_audited(
    app: Any, ready: Any, make_user: Any
) -> None:
    admin = make_user("admin")
    now = utcnow()
    with app.app_context():
        with pytest.raises(RuleError):
            exams.grant_accommodation(
                db.session.get(User, admin.id), _user(ready), "test-prog", 9, "too much"
            )
        exams.grant_accommodation(
            db.session.get(User, admin.id),
            _user(ready),
            "test-prog",
            1.5,
            "Documented need for extended time",
        )
        db.session.commit()
        attempt = exams.start(_user(ready), "test-prog", now)
        assert attempt.deadline == now + timedelta(minutes=45)
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "exam.accommodation_granted")
        )
        assert event.details["multiplier"] == 1.5 and event.actor_id == admin.id


def test_concurrent_submissions_score_once(app: Any, ready: Any) -> None:
    with app.app_context():
        attempt = exams.start(_user(ready), "test-prog", utcnow())
        db.session.commit()
        attempt_id = attempt.id
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            barrier.wait(timeout=30)  # before touching the database: all start together
            with app.app_context():
                user = db.session.get(User, ready.id)
                exams.submit(user, attempt_id, utcnow())
                db.session.commit()
        except BaseException as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=submit) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    with app.app_context():
        scored = db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "exam.submitted", AuditEvent.subject_id == str(attempt_id))
        )
        assert scored == 1
        assert db.session.get(ExamAttempt, attempt_id).status == "submitted"
