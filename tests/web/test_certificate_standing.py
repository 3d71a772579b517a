"""Suspension, reinstatement and public conditions: a board changes a certificate's standing
from its record page, and the verify page, the registry, the API, the status lists, the
holder and the event feed all say the same thing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.conftest import Auth
from tests.support.registry import make_certificates
from trainer.clock import utcnow
from trainer.domain import statuslist
from trainer.extensions import db
from trainer.models import (
    AuditEvent,
    Certificate,
    CertificateCondition,
    CertificateEvent,
    OutboxMessage,
    User,
)
from trainer.services import jobs
from trainer.services.certificates import events, standing


@pytest.fixture
def world(loaded: Any, make_user: Any) -> dict[str, Any]:
    numbers = make_certificates(loaded, 2, "KY", names=["Robin Reyes", "Sam Other"])
    make_certificates(loaded, 1, "TN", names=["Tess Tennessee"])
    board = loaded.test_client()
    member = make_user("board", jurisdiction="KY", name="Bea Board")
    Auth(board).login(member)
    with loaded.app_context():  # the status lists need each certificate's index
        for i, cert in enumerate(db.session.scalars(select(Certificate).order_by(Certificate.id))):
            cert.status_index = 100 + i
        db.session.commit()
    return {"app": loaded, "board": board, "number": numbers[0], "other": numbers[1]}


def _cert(app: Any, number: str) -> Certificate:
    with app.app_context():
        cert = db.session.scalar(select(Certificate).where(Certificate.number == number))
        assert cert is not None
        db.session.expunge(cert)
        return cert


def _kinds(app: Any, number: str) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(CertificateEvent.kind)
                .where(CertificateEvent.number == number)
                .order_by(CertificateEvent.id)
            )
        )


def _mail_to_holder(app: Any, number: str) -> list[str]:
    with app.app_context():
        cert = db.session.scalar(select(Certificate).where(Certificate.number == number))
        holder = db.session.get(User, cert.user_id)
        return list(
            db.session.scalars(
                select(OutboxMessage.subject).where(OutboxMessage.to == holder.email)
            )
        )


def _bits(app: Any, purpose: str) -> bytes:
    served = app.test_client().get(f"/credentials/status/{purpose}")
    assert served.status_code == 200
    return statuslist.decode(served.json["credentialSubject"]["encodedList"])


def test_a_suspension_shows_everywhere_and_the_reason_stays_private(
    world: dict[str, Any],
) -> None:
    app, board, number = world["app"], world["board"], world["number"]
    _bits(app, "suspension")  # published (and kept) before the change
    until = (utcnow() + timedelta(days=90)).date()
    r = board.post(
        f"/board/registry/{number}/suspend",
        data={"suspend-reason": "Complaint under investigation", "suspend-until": until},
    )
    assert r.status_code == 302
    page = board.get(r.headers["Location"]).text
    assert "is suspended" in page and "Complaint under investigation" in page
    assert "Reinstate" in page
    public = app.test_client().get(f"/verify/{number}").text
    assert "Suspended: not valid" in public and f"until {until.isoformat()}" in public
    assert "Complaint" not in public  # the reason is for the holder and the board
    api = app.test_client().get(f"/api/v1/certificates/{number}").json
    assert api["status"] == "suspended" and api["suspended_until"] == until.isoformat()
    found = board.get("/board/registry?status=suspended").text
    assert "1 certificate found" in found and "Robin Reyes" in found
    roster = board.get("/board/exports/roster.csv?status=suspended").text.splitlines()
    assert roster[0].endswith(",suspended_on,suspended_until")
    assert roster[1].endswith(f",{utcnow().date().isoformat()},{until.isoformat()}")
    assert _mail_to_holder(app, number) == [f"Your certificate {number} is suspended"]
    assert _kinds(app, number) == ["certificate.suspended"]
    with app.app_context():
        jobs.run_due("test-worker", utcnow)
    index = _cert(app, number).status_index
    assert statuslist.is_set(_bits(app, "suspension"), index)
    assert not statuslist.is_set(_bits(app, "revocation"), index)

    r = board.post(f"/board/registry/{number}/reinstate", data={"note": "Cleared"})
    assert r.status_code == 302
    assert "Valid" in app.test_client().get(f"/verify/{number}").text
    with app.app_context():
        jobs.run_due("test-worker", lambda: utcnow() + timedelta(minutes=2))
    assert not statuslist.is_set(_bits(app, "suspension"), index)
    assert _kinds(app, number) == ["certificate.suspended", "certificate.reinstated"]
    history = board.get(f"/board/registry/{number}").text
    assert "Reinstated" in history and "Cleared" in history


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"suspend-reason": "  "}, "Give the reason for the suspension."),
        ({"suspend-reason": "x" * 501}, "Shorten the reason to 500 characters."),
        ({"suspend-reason": "Why", "suspend-until": "2020-01-01"}, "must be after today"),
        ({"suspend-reason": "Why", "suspend-until": "soon"}, "Not a valid date value."),
    ],
)
def test_a_refused_suspension_shows_the_error_beside_the_field_and_changes_nothing(
    world: dict[str, Any], form: dict[str, str], message: str
) -> None:
    app, number = world["app"], world["number"]
    r = world["board"].post(f"/board/registry/{number}/suspend", data=form)
    assert r.status_code == 400
    assert message in r.text and 'aria-invalid="true"' in r.text
    assert _cert(app, number).status == "active"
    assert _kinds(app, number) == [] and _mail_to_holder(app, number) == []


def test_another_jurisdiction_cannot_touch_the_standing(
    world: dict[str, Any], make_user: Any
) -> None:
    app, number = world["app"], world["number"]
    tn = app.test_client()
    Auth(tn).login(make_user("board", jurisdiction="TN"))
    assert (
        tn.post(f"/board/registry/{number}/suspend", data={"suspend-reason": "x"}).status_code
        == 404
    )
    assert (
        tn.post(f"/board/registry/{number}/conditions", data={"condition-text": "x"}).status_code
        == 404
    )
    assert tn.post(f"/board/registry/{number}/reinstate").status_code == 404
    assert _cert(app, number).status == "active"


def test_twice_suspended_is_refused_and_a_suspended_one_can_still_be_revoked(
    world: dict[str, Any],
) -> None:
    app, board, number = world["app"], world["board"], world["number"]
    board.post(f"/board/registry/{number}/suspend", data={"suspend-reason": "First"})
    again = board.post(f"/board/registry/{number}/suspend", data={"suspend-reason": "Second"})
    assert again.status_code == 302
    assert "is already suspended" in board.get(again.headers["Location"]).text
    r = board.post("/board/revoke", data={"number": number, "reason": "Found fraud"})
    assert r.status_code == 302
    assert _cert(app, number).status == "revoked"
    assert _kinds(app, number) == ["certificate.suspended", "certificate.revoked"]


def test_a_suspension_with_an_end_date_ends_by_itself(world: dict[str, Any]) -> None:
    app, number = world["app"], world["number"]
    now = utcnow()
    with app.app_context():
        standing.suspend(None, number, "Lapsed insurance", (now + timedelta(days=3)).date(), now)
        db.session.commit()
        assert standing.end_suspensions(now + timedelta(days=2)) == 0
        assert standing.end_suspensions(now + timedelta(days=3)) == 1
        db.session.commit()
    assert _cert(app, number).status == "active"
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEvent.action)))
    assert actions.count("certificate.reinstated") == 1


def test_a_public_condition_shows_until_it_is_lifted(world: dict[str, Any]) -> None:
    app, board, number = world["app"], world["board"], world["number"]
    text = "Practice under supervision until 2027-06-30"
    r = board.post(f"/board/registry/{number}/conditions", data={"condition-text": text})
    assert r.status_code == 302
    assert text in app.test_client().get(f"/verify/{number}").text
    api = app.test_client().get(f"/api/v1/certificates/{number}").json
    assert [c["text"] for c in api["conditions"]] == [text]
    assert _kinds(app, number) == ["certificate.condition_added"]
    assert _mail_to_holder(app, number) == [f"A condition was added to your certificate {number}"]
    other = app.test_client().get(f"/verify/{world['other']}").text
    assert text not in other

    def marked() -> list[str]:  # the search results' rows that say "Conditions"
        page = board.get("/board/registry?q=").text
        rows = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("<tr>")
        return [n for n in (world["number"], world["other"]) for row in rows
                if n in row and ">Conditions</span>" in row]  # fmt: skip

    assert marked() == [number]
    with app.app_context():
        condition_id = db.session.scalar(select(CertificateCondition.id))
    r = board.post(f"/board/registry/{number}/conditions/{condition_id}/lift")
    assert r.status_code == 302
    assert marked() == []
    assert text not in app.test_client().get(f"/verify/{number}").text
    assert "Condition lifted" in board.get(f"/board/registry/{number}").text
    again = board.post(f"/board/registry/{number}/conditions/{condition_id}/lift")
    assert again.status_code == 302  # told, not an error page
    assert "already lifted" in board.get(again.headers["Location"]).text


def test_a_condition_with_an_end_date_stops_showing_after_it(world: dict[str, Any]) -> None:
    app, number = world["app"], world["number"]
    now = utcnow()
    with app.app_context():
        standing.add_condition(None, number, "Notice", (now + timedelta(days=10)).date(), now)
        db.session.commit()
        from trainer.services.certificates.conditions import in_force

        cert_id = _cert(app, number).id
        assert [c.text for c in in_force([cert_id], now)[cert_id]] == ["Notice"]
        assert in_force([cert_id], now + timedelta(days=10))[cert_id] == []


def test_an_empty_condition_is_refused_beside_the_field(world: dict[str, Any]) -> None:
    app, number = world["app"], world["number"]
    r = world["board"].post(f"/board/registry/{number}/conditions", data={"condition-text": ""})
    assert r.status_code == 400 and "Write the condition or notice." in r.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CertificateCondition)) == 0


def test_expiry_is_an_event_once_and_dispatch_hands_each_event_on_once(
    world: dict[str, Any],
) -> None:
    app, number = world["app"], world["number"]
    expires = _cert(app, number).expires_at
    assert expires is not None
    with app.app_context():
        assert events.expire(expires - timedelta(seconds=1)) == 0
        assert events.expire(expires + timedelta(hours=1)) >= 1
        assert events.expire(expires + timedelta(hours=2)) == 0
        db.session.commit()
        assert events.dispatch(utcnow()) >= 1
        db.session.commit()
        assert events.dispatch(utcnow()) == 0
        undispatched = db.session.scalar(
            select(func.count()).where(CertificateEvent.dispatched_at.is_(None))
        )
    assert undispatched == 0
    assert "certificate.expired" in _kinds(app, number)


def test_the_record_page_offers_what_each_status_allows(world: dict[str, Any]) -> None:
    """Active: suspend, condition, revoke; expired: a condition only; revoked: nothing."""
    app, board, number, other = world["app"], world["board"], world["number"], world["other"]

    def offered(n: str) -> list[bool]:
        page = board.get(f"/board/registry/{n}").text
        actions = [f"/board/registry/{n}/{f}" for f in ("suspend", "reinstate", "conditions")]
        return [f'action="{a}"' in page for a in [*actions, "/board/revoke"]]

    assert offered(number) == [True, False, True, True]
    with app.app_context():
        cert = db.session.scalar(select(Certificate).where(Certificate.number == number))
        assert cert is not None
        cert.expires_at = utcnow() - timedelta(days=1)
        db.session.commit()
    assert offered(number) == [False, False, True, False]
    assert board.post("/board/revoke", data={"number": other, "reason": "Fraud"}).status_code == 302
    assert offered(other) == [False, False, False, False]
