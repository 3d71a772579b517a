"""Hours as the services enforce them: duties, races, corrections, totals, notices."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.support.content import write_tree
from tests.support.exams import load
from tests.support.hours import supervised_trainee
from trainer.clock import utcnow
from trainer.domain.errors import NotAllowed, NotFound, RuleError
from trainer.extensions import db
from trainer.models import AuditEvent, HourEntry, OutboxMessage, User
from trainer.services import hours


@pytest.fixture
def setup(app: Any, tmp_path: Path, make_user: Any) -> dict[str, Any]:
    load(app, write_tree(tmp_path))
    people = {
        "trainee": make_user("trainee"),
        "sup": make_user("supervisor"),
        "other_sup": make_user("supervisor"),
        "admin": make_user("admin"),
    }
    people["enrolment"] = supervised_trainee(app, people["trainee"], people["sup"], people["admin"])
    return people


def _u(p: Any) -> User:
    return db.session.get(User, p.id)


def _form(sup_id: int, **changes: Any) -> hours.EntrySubmission:
    base = dict(
        work_date=date.today() - timedelta(days=1),
        hours="2",
        category="advocacy",
        setting="cmhc",
        kind="direct",
        description="Co-led a WRAP group.",
        supervisor_id=sup_id,
    )
    base.update(changes)
    return hours.EntrySubmission(**base)


def _log(s: dict[str, Any], **changes: Any) -> int:
    entry = hours.log_entry(
        _u(s["trainee"]), s["enrolment"], _form(s["sup"].id, **changes), utcnow()
    )
    db.session.commit()
    return entry.id


def test_log_approve_and_totals(app: Any, setup: dict[str, Any]) -> None:
    with app.app_context():
        a = _log(setup)
        b = _log(setup, category="ethical-responsibility", hours="1.5", kind="supervision")
        _log(setup, hours="0.5")
        result = hours.decide(_u(setup["sup"]), [a, b], "approve", "", True, utcnow())
        db.session.commit()
        assert len(result.decided) == 2
        entry = db.session.get(HourEntry, a)
        assert entry.status == "approved" and entry.attestation.startswith("I supervised")
        assert entry.decided_by_id == setup["sup"].id
        from trainer.models import Enrolment

        t = hours.totals(db.session.get(Enrolment, setup["enrolment"]))
        by = {c.category: c for c in t.categories}
        assert by["advocacy"].approved_minutes == 120 and by["advocacy"].pending_minutes == 30
        assert by["ethical-responsibility"].approved_minutes == 90
        assert t.approved_minutes == 210 and t.supervision_minutes == 90


def test_separation_of_duties(app: Any, setup: dict[str, Any], make_user: Any) -> None:
    with app.app_context():
        entry = _log(setup)
        with pytest.raises(NotAllowed):  # not their trainee
            hours.decide(_u(setup["other_sup"]), [entry], "approve", "", True, utcnow())
        with pytest.raises(RuleError, match="Confirm"):  # no attestation
            hours.decide(_u(setup["sup"]), [entry], "approve", "", False, utcnow())
        with pytest.raises(RuleError, match="what needs correcting"):
            hours.decide(_u(setup["sup"]), [entry], "return", " ", True, utcnow())
        with pytest.raises(NotFound):
            hours.decide(_u(setup["sup"]), [entry, 99999], "approve", "", True, utcnow())
        # after the assignment ends, the supervisor can no longer decide
        link = hours.links(setup["enrolment"])[0]
        hours.end_link(_u(setup["admin"]), link.id, utcnow())
        db.session.commit()
        with pytest.raises(NotAllowed):
            hours.decide(_u(setup["sup"]), [entry], "approve", "", True, utcnow())
        db.session.rollback()
        assert db.session.get(HourEntry, entry).status == "pending"


def test_supervisor_cannot_approve_their_own_hours(
    app: Any, tmp_path: Path, make_user: Any
) -> None:
    load(app, write_tree(tmp_path))
    both = make_user("trainee", "supervisor")
    admin = make_user("admin")
    with app.app_context():
        from trainer.services import learning

        learning.enrol(_u(both), "test-prog", utcnow())
        db.session.commit()
        with pytest.raises(RuleError, match="cannot supervise your own"):
            hours.assign(_u(admin), both.email, "test-prog", both.email, utcnow())


def test_approved_entries_cannot_be_edited_or_withdrawn(app: Any, setup: dict[str, Any]) -> None:
    with app.app_context():
        entry = _log(setup)
        hours.decide(_u(setup["sup"]), [entry], "approve", "", True, utcnow())
        db.session.commit()
        with pytest.raises(NotAllowed):
            hours.edit_entry(
                _u(setup["trainee"]), entry, _form(setup["sup"].id, hours="9"), utcnow()
            )
        with pytest.raises(NotAllowed):
            hours.withdraw_entry(_u(setup["trainee"]), entry, utcnow())
        db.session.rollback()
        assert db.session.get(HourEntry, entry).minutes == 120


def test_return_edit_and_decide_again(app: Any, setup: dict[str, Any]) -> None:
    with app.app_context():
        entry = _log(setup)
        hours.decide(_u(setup["sup"]), [entry], "return", "Wrong category", False, utcnow())
        db.session.commit()
        hours.edit_entry(
            _u(setup["trainee"]),
            entry,
            _form(setup["sup"].id, category="ethical-responsibility"),
            utcnow(),
        )
        db.session.commit()
        row = db.session.get(HourEntry, entry)
        assert (row.status, row.category) == ("pending", "ethical-responsibility")
        hours.decide(_u(setup["sup"]), [entry], "reject", "Not supervised work", False, utcnow())
        db.session.commit()
        assert db.session.get(HourEntry, entry).status == "rejected"
        mails = db.session.scalars(
            select(OutboxMessage.subject).where(OutboxMessage.kind == "hours_decision")
        ).all()
        assert any("returned" in m.lower() for m in mails) and any("rejected" in m for m in mails)


def test_reversal_corrects_without_touching_the_original(app: Any, setup: dict[str, Any]) -> None:
    with app.app_context():
        entry = _log(setup)
        with pytest.raises(RuleError, match="Only an approved"):
            hours.reverse(_u(setup["admin"]), entry, "typo", utcnow())
        db.session.rollback()
        hours.decide(_u(setup["sup"]), [entry], "approve", "", True, utcnow())
        db.session.commit()
        reversal = hours.reverse(_u(setup["admin"]), entry, "Logged twice", utcnow())
        db.session.commit()
        assert reversal.minutes == -120 and reversal.reverses_id == entry
        original = db.session.get(HourEntry, entry)
        assert (original.status, original.minutes) == ("approved", 120)
        from trainer.models import Enrolment

        assert hours.totals(db.session.get(Enrolment, setup["enrolment"])).approved_minutes == 0
        with pytest.raises(RuleError, match="already reversed"):
            hours.reverse(_u(setup["admin"]), entry, "again", utcnow())


def test_concurrent_approve_and_reject_leave_one_decision(app: Any, setup: dict[str, Any]) -> None:
    with app.app_context():
        entry = _log(setup)
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def decide(action: str) -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                hours.decide(
                    db.session.get(User, setup["sup"].id),
                    [entry],
                    action,
                    "no" if action != "approve" else "",
                    True,
                    utcnow(),
                )
                db.session.commit()
        except BaseException as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [
        threading.Thread(target=decide, args=(a,))
        for a in ("approve", "reject", "approve", "reject")
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    with app.app_context():
        decisions = db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.action.in_(["hours.approved", "hours.rejected"]),
                AuditEvent.subject_id == str(entry),
            )
        )
        assert decisions == 1
        assert db.session.get(HourEntry, entry).status in ("approved", "rejected")


def test_digest_at_most_once_a_day(app: Any, setup: dict[str, Any]) -> None:
    now = utcnow()
    with app.app_context():
        _log(setup)
        _log(setup, hours="1")
        assert hours.send_digests(now) == 1
        db.session.commit()
        _log(setup, hours="0.25")
        assert hours.send_digests(now) == 0  # same day: nothing more
        db.session.commit()
        assert hours.send_digests(now + timedelta(days=1)) == 1  # next day: the new one
        db.session.commit()
        bodies = db.session.scalars(
            select(OutboxMessage.body)
            .where(OutboxMessage.kind == "hours_pending")
            .order_by(OutboxMessage.id)
        ).all()
        assert len(bodies) == 2 and bodies[0].count("- ") == 2 and bodies[1].count("- ") == 1


def test_invitation_must_be_accepted(app: Any, tmp_path: Path, make_user: Any) -> None:
    load(app, write_tree(tmp_path))
    trainee, sup = make_user("trainee"), make_user("supervisor")
    with app.app_context():
        from trainer.services import learning

        enrolment = learning.enrol(_u(trainee), "test-prog", utcnow())
        with pytest.raises(RuleError, match="No supervisor account"):
            hours.invite_supervisor(_u(trainee), enrolment.id, "nobody@example.org", utcnow())
        link = hours.invite_supervisor(_u(trainee), enrolment.id, sup.email, utcnow())
        db.session.commit()
        assert hours.active_supervisors(enrolment.id) == []
        today = hours.local_date(_u(trainee), utcnow())  # the trainee's own calendar day
        with pytest.raises(RuleError, match="Choose one of your supervisors"):
            hours.log_entry(_u(trainee), enrolment.id, _form(sup.id, work_date=today), utcnow())
        hours.respond(_u(sup), link.id, accept=True, now=utcnow())
        db.session.commit()
        assert [s.id for s in hours.active_supervisors(enrolment.id)] == [sup.id]
