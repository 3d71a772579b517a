"""The progress read model agrees with a recomputation from history after any sequence of
events, replayed through the real services (both databases); and pages read it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.support.certificates import PNG
from tests.support.content import write_tree
from tests.support.exams import load, right_tokens
from tests.support.hours import supervised_trainee
from trainer.clock import utcnow
from trainer.domain import requirements as req
from trainer.extensions import db
from trainer.models import Enrolment, EnrolmentProgress, HourEntry, ItemRevision, User
from trainer.services import evidence, exams, hours, learning, progress, quizzes, release

SECTIONS = {"alpha": ["getting-started", "second-step"], "beta": ["first-part", "second-part"]}

events = st.lists(
    st.one_of(
        st.tuples(st.just("read"), st.sampled_from(["alpha", "beta"]), st.integers(0, 1)),
        st.tuples(st.just("quiz"), st.sampled_from(["alpha", "beta"]), st.booleans()),
        st.tuples(
            st.just("hours"),
            st.sampled_from(["0.5", "1", "2.25", "4"]),
            st.sampled_from(["advocacy", "ethical-responsibility"]),
            st.sampled_from(["direct", "supervision"]),
            st.sampled_from(["approve", "pending", "return", "reject"]),
        ),
        st.tuples(st.just("reverse"), st.integers(0, 5)),
        st.tuples(st.just("withdraw"), st.integers(0, 5)),
        st.tuples(st.just("sign")),
        st.tuples(st.just("document"), st.booleans()),
        st.tuples(st.just("exam")),
    ),
    min_size=1,
    max_size=14,
)


@pytest.fixture
def cast(app: Any, tmp_path: Path, make_user: Any) -> dict[str, Any]:
    load(app, write_tree(tmp_path))
    return {"sup": make_user("supervisor"), "admin": make_user("admin"), "make": make_user}


def _quiz(user: User, module_id: str, right: bool, now: Any) -> None:
    attempt = quizzes.start(user, module_id, now)
    answers = {}
    for n, entry in enumerate(attempt.form, start=1):
        content = db.session.scalar(
            select(ItemRevision.content).where(
                ItemRevision.item_id == entry["item_id"], ItemRevision.revision == entry["revision"]
            )
        )
        good = right_tokens(entry, content)
        answers[f"q{n}"] = good if right else [next(t for t in ("o1", "o2") if t not in good)]
    quizzes.submit(user, attempt.id, answers, now)


def _exam(user: User, now: Any) -> None:
    """Pass the exam when the person may start it (modules done, not passed yet)."""
    if not exams.eligibility(user, learning.get_program("test-prog"), now).allowed:
        return
    from tests.support.certificates import pass_exam

    pass_exam(user, "test-prog")


def _apply(event: tuple[Any, ...], user: User, cast: dict[str, Any], eid: int, now: Any) -> None:
    sup = db.session.get(User, cast["sup"].id)
    admin = db.session.get(User, cast["admin"].id)
    kind = event[0]
    if kind == "read":
        learning.mark_read(user, event[1], SECTIONS[event[1]][event[2]], now)
    elif kind == "quiz":
        _quiz(user, event[1], event[2], now)
    elif kind == "hours":
        _, amount, category, entry_kind, decision = event
        day = hours.local_date(user, now) - timedelta(days=1)
        form = hours.EntrySubmission(
            day, amount, category, "cmhc", entry_kind, "Supported a peer.", sup.id
        )
        entry = hours.log_entry(user, eid, form, now)
        if decision != "pending":
            note = "" if decision == "approve" else "Say where."
            hours.decide(sup, [entry.id], decision, note, decision == "approve", now)
    elif kind == "withdraw":
        open_ids = db.session.scalars(
            select(HourEntry.id)
            .where(HourEntry.enrolment_id == eid, HourEntry.status.in_(["pending", "returned"]))
            .order_by(HourEntry.id)
        ).all()
        if open_ids:
            hours.withdraw_entry(user, open_ids[event[1] % len(open_ids)], now)
    elif kind == "reverse":
        approved = db.session.scalars(
            select(HourEntry.id)
            .where(HourEntry.enrolment_id == eid, HourEntry.status == "approved")
            .where(HourEntry.minutes > 0, HourEntry.reverses_id.is_(None))
            .order_by(HourEntry.id)
        ).all()
        reversed_ids = set(
            db.session.scalars(select(HourEntry.reverses_id).where(HourEntry.enrolment_id == eid))
        )
        candidates = [i for i in approved if i not in reversed_ids]
        if candidates:
            hours.reverse(admin, candidates[event[1] % len(candidates)], "Wrong day.", now)
    elif kind == "sign":
        if not evidence.signatures(user, "test-prog"):
            evidence.sign(user, "test-prog", "code-of-ethics", user.legal_name, now)
    elif kind == "document":
        doc = evidence.upload(user, "test-prog", "reference-letter", "letter.png", PNG, now)
        evidence.decide_document(admin, doc.id, event[1], "" if event[1] else "Unreadable.", now)
    elif kind == "exam":
        _exam(user, now)


def _agree(enrolment_id: int, now: Any) -> None:
    """The stored state equals the state recomputed from history, and the requirements judged
    on it equal those judged on every individual fact."""
    enrolment = db.session.get(Enrolment, enrolment_id)
    assert enrolment is not None
    assert db.session.get(EnrolmentProgress, enrolment_id) is not None
    kept = progress.stored(enrolment)
    assert kept is not None
    fresh = progress.recompute(enrolment)
    assert kept == fresh
    spec = progress.spec_for("test-prog")
    facts, _ = progress.history(enrolment)
    assert req.evaluate(spec, kept.record, now) == req.evaluate(spec, facts, now)


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=events, gaps=st.lists(st.integers(0, 2), min_size=14, max_size=14))
def test_read_model_agrees_with_history(
    app: Any, cast: dict[str, Any], history: list[tuple[Any, ...]], gaps: list[int]
) -> None:
    trainee = cast["make"]("trainee")
    eid = supervised_trainee(app, trainee, cast["sup"], cast["admin"])
    now = utcnow() - timedelta(hours=12)
    for event, gap in zip(history, gaps, strict=False):
        now += timedelta(minutes=gap)  # some events share an instant
        with app.app_context():
            user = db.session.get(User, trainee.id)
            _apply(event, user, cast, eid, now)
            db.session.commit()
        with app.app_context():
            _agree(eid, utcnow())


def _reader_of_alpha(app: Any, cast: dict[str, Any]) -> tuple[int, int]:
    """A supervised trainee who has read every section of alpha: (user id, enrolment id)."""
    trainee = cast["make"]("trainee")
    eid = supervised_trainee(app, trainee, cast["sup"], cast["admin"])
    with app.app_context():
        user = db.session.get(User, trainee.id)
        for anchor in SECTIONS["alpha"]:
            learning.mark_read(user, "alpha", anchor, utcnow())
        db.session.commit()
    return trainee.id, eid


def test_rebuild_recomputes_every_state(app: Any, cast: dict[str, Any], runner: Any) -> None:
    _, eid = _reader_of_alpha(app, cast)
    with app.app_context():
        db.session.execute(EnrolmentProgress.__table__.delete())  # e.g. rows lost in a restore
        db.session.commit()
    result = runner.invoke(args=["progress", "rebuild"])
    assert result.exit_code == 0 and "rebuilt the progress of 1 enrolment" in result.output
    with app.app_context():
        enrolment = db.session.get(Enrolment, eid)
        assert enrolment is not None
        kept = progress.stored(enrolment)
        assert kept is not None and kept.modules["alpha"].read == 2
        assert kept == progress.recompute(enrolment)


def test_a_new_release_recounts_progress(app: Any, cast: dict[str, Any], tmp_path: Path) -> None:
    """A module that gains a section is no longer complete for someone who read all of the
    old ones: the content load recomputes the stored state with the new counts."""
    user_id, eid = _reader_of_alpha(app, cast)
    with app.app_context():
        user = db.session.get(User, user_id)
        _quiz(user, "alpha", True, utcnow())
        db.session.commit()
        enrolment = db.session.get(Enrolment, eid)
        assert enrolment is not None
        assert "alpha" in progress.of(enrolment).record.modules_completed
    tree = write_tree(tmp_path / "next")
    alpha = tree / "modules" / "01-alpha.md"
    alpha.write_text(alpha.read_text() + "\n## Third step\n\nNew text.\n")
    load(app, tree)
    with app.app_context():
        enrolment = db.session.get(Enrolment, eid)
        assert enrolment is not None
        kept = progress.stored(enrolment)
        assert kept is not None and "alpha" not in kept.record.modules_completed
        current = release.current()
        assert current is not None and current.section_count("alpha") == 3


def test_a_whole_program_agrees(app: Any, cast: dict[str, Any]) -> None:
    """Every requirement met through the services (modules, exam, statement, document,
    hours): the stored state agrees with history and says the program is complete."""
    from tests.support.certificates import approve, everything_but_hours, log_hours

    trainee = cast["make"]("trainee")
    eid = everything_but_hours(app, trainee, cast["sup"], cast["admin"])
    plan = [
        ("4", "advocacy", "direct"),
        ("4", "advocacy", "direct"),
        ("2", "advocacy", "supervision"),
    ]
    approve(app, cast["sup"], log_hours(app, trainee, cast["sup"], eid, plan))
    with app.app_context():
        _agree(eid, utcnow())
        enrolment = db.session.get(Enrolment, eid)
        assert enrolment is not None
        kept = progress.stored(enrolment)
        assert kept is not None and kept.record.exam_passed_at is not None
        spec = progress.spec_for("test-prog")
        assert req.all_met(req.evaluate(spec, kept.record, utcnow()))


def test_rebuild_without_content_says_so_and_fails(app: Any, runner: Any) -> None:
    """On a fresh database there is nothing to rebuild: the command says why and exits
    non-zero instead of reporting zero enrolments rebuilt."""
    result = runner.invoke(args=["progress", "rebuild"])
    assert result.exit_code == 1
    assert "no content is loaded: nothing to rebuild" in result.output
    assert "rebuilt" not in result.output
