"""The audit log is tamper-evident: sealed events form a hash chain, and a change made with
raw SQL (an edit, a deletion, a swap, events cut off the end) is caught and named."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, text

from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models import AuditEvent
from trainer.services import audit, audit_chain


@pytest.fixture
def sealed(app: Any, ctx: None, make_user: Any) -> list[int]:
    """Six events by a person, sealed; returns their ids in chain order."""
    actor = make_user("admin")
    for n in range(6):
        audit.record("test.event", actor=db.session.get(type(actor), actor.id), n=n, note="é")
    db.session.commit()
    assert audit_chain.seal(utcnow()) == 0  # too fresh: an open transaction may still add one
    assert audit_chain.seal(utcnow() + audit_chain.SETTLE + timedelta(seconds=1)) == 7
    db.session.commit()
    return list(db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.seq)))


def _verify() -> str | None:
    db.session.expire_all()
    check = audit_chain.verify(utcnow())
    db.session.commit()
    return check.problem


def test_an_untouched_chain_holds_and_new_events_join_it(sealed: list[int]) -> None:
    assert _verify() is None
    audit.record("test.later")
    db.session.commit()
    assert audit_chain.seal(utcnow() + timedelta(minutes=5)) == 1
    db.session.commit()
    assert _verify() is None
    check = audit_chain.last_check()
    assert check is not None and check.events == 8 and check.head_seq == 8


def test_an_edit_with_raw_sql_is_caught_and_named(sealed: list[int]) -> None:
    victim = sealed[3]
    if db.engine.dialect.name == "postgresql":
        statement = 'UPDATE audit_events SET details = \'{"n": 99, "note": "é"}\' WHERE id = :id'
    else:
        statement = (
            'UPDATE audit_events SET details = json(\'{"n": 99, "note": "é"}\') WHERE id = :id'
        )
    db.session.execute(text(statement), {"id": victim})
    db.session.commit()
    problem = _verify()
    assert problem is not None and f"Event {victim} " in problem and "altered" in problem


def test_a_changed_actor_or_time_is_caught(sealed: list[int]) -> None:
    db.session.execute(
        text("UPDATE audit_events SET actor_id = NULL WHERE id = :id"), {"id": sealed[2]}
    )
    db.session.commit()
    assert f"Event {sealed[2]} " in (_verify() or "")


def test_a_deleted_event_is_caught(sealed: list[int]) -> None:
    db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": sealed[2]})
    db.session.commit()
    problem = _verify()
    assert problem is not None and "were removed" in problem


def test_swapped_events_are_caught(sealed: list[int]) -> None:
    first, second = sealed[1], sealed[2]
    db.session.execute(text("UPDATE audit_events SET seq = -1 WHERE id = :id"), {"id": first})
    db.session.execute(text("UPDATE audit_events SET seq = 2 WHERE id = :id"), {"id": second})
    db.session.execute(text("UPDATE audit_events SET seq = 3 WHERE id = :id"), {"id": first})
    db.session.commit()
    problem = _verify()
    assert problem is not None and f"Event {second} " in problem


def test_events_cut_off_the_end_are_caught_by_the_next_check(sealed: list[int]) -> None:
    assert _verify() is None
    db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": sealed[-1]})
    db.session.commit()
    problem = _verify()
    assert problem is not None and "removed from the end" in problem
    # the last good check stays the reference: a later check still fails
    assert "removed from the end" in (_verify() or "")


def test_the_admin_home_says_when_the_chain_last_held_and_when_it_broke(
    sealed: list[int], app: Any, make_user: Any
) -> None:
    from tests.conftest import Auth

    db.session.commit()  # end this context's transaction: the pages write (SQLite's lock)
    admin = app.test_client()
    Auth(admin).login(make_user("admin"))
    assert "has not been checked yet" in admin.get("/admin/").text
    assert _verify() is None
    page = admin.get("/admin/").text
    assert "hash chain last held when checked" in page and "was changed outside" not in page
    db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": sealed[1]})
    db.session.commit()
    assert _verify() is not None
    page = admin.get("/admin/").text
    assert "The audit log was changed outside the application." in page
    assert "were removed" in page
