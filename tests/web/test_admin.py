"""An admin runs the program: adds people, changes roles, deactivates, reads the audit log."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from tests.conftest import Auth
from trainer.extensions import db
from trainer.models import AuditEvent, OutboxMessage, User


def _admin(client: Any, make_user: Any) -> Any:
    admin = make_user("admin", email="boss@example.org")
    Auth(client).login(admin)
    return admin


def test_admin_creates_a_board_member_who_sets_a_password_by_link(
    client: Any, app: Any, make_user: Any
) -> None:
    _admin(client, make_user)
    r = client.post(
        "/admin/users/new",
        data={
            "legal_name": "Kim Board",
            "email": "kim@ky.gov",
            "roles": ["board"],
            "jurisdiction": "ky",
        },
    )
    assert r.status_code == 302
    with app.app_context():
        kim = db.session.scalar(select(User).where(User.email == "kim@ky.gov"))
        assert kim.roles == {"board"} and kim.jurisdiction == "KY" and kim.password_hash is None
        mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to == "kim@ky.gov"))
    path = re.search(r"http://localhost(/reset/\S+)", mail.body).group(1)
    other = app.test_client()
    assert "Choose your password" in other.get(path).text
    other.post(path, data={"password": "kims own password", "confirm": "kims own password"})
    assert Auth(other).login("kim@ky.gov", "kims own password").headers["Location"] == "/board/"


def test_board_member_needs_a_jurisdiction_and_nothing_is_saved(
    client: Any, app: Any, make_user: Any
) -> None:
    _admin(client, make_user)
    r = client.post(
        "/admin/users/new",
        data={
            "legal_name": "No Where",
            "email": "nw@example.org",
            "roles": ["board"],
            "jurisdiction": "",
        },
    )
    assert r.status_code == 200 and "needs a jurisdiction" in r.text
    r = client.post("/admin/users/new", data={"legal_name": "No Role", "email": "nr@example.org"})
    assert "Choose at least one role" in r.text
    with app.app_context():
        assert (
            db.session.scalar(
                select(User).where(User.email.in_(["nw@example.org", "nr@example.org"]))
            )
            is None
        )


def test_admin_changes_roles_and_the_person_gets_the_new_navigation(
    client: Any, app: Any, make_user: Any
) -> None:
    _admin(client, make_user)
    sam = make_user("trainee")
    r = client.post(
        f"/admin/users/{sam.id}", data={"roles": ["trainee", "supervisor"], "active": "y"}
    )
    assert r.status_code == 302
    sams = app.test_client()
    Auth(sams).login(sam)
    page = sams.get("/learn/").text
    assert "Supervision" in page and "My learning" in page and "Admin" not in page
    assert sams.get("/supervise/").status_code == 200
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.updated"))
        assert event.details["before"]["roles"] == ["trainee"]
        assert event.details["after"]["roles"] == ["supervisor", "trainee"]


def test_deactivated_person_loses_their_session_and_cannot_sign_in(
    client: Any, app: Any, make_user: Any
) -> None:
    _admin(client, make_user)
    sam = make_user("trainee")
    sams = app.test_client()
    Auth(sams).login(sam)
    assert sams.get("/learn/").status_code == 200
    client.post(f"/admin/users/{sam.id}", data={"roles": ["trainee"]})  # active unticked
    assert sams.get("/learn/").status_code == 302
    assert "do not match an active account" in Auth(app.test_client()).login(sam).text


def test_admin_cannot_lock_themself_out(client: Any, app: Any, make_user: Any) -> None:
    admin = _admin(client, make_user)
    r = client.post(f"/admin/users/{admin.id}", data={"roles": ["trainee"], "active": "y"})
    assert "cannot remove your own administrator access" in r.text
    with app.app_context():
        assert db.session.get(User, admin.id).roles == {"admin"}


def test_audit_log_filters_by_actor_action_and_date(client: Any, make_user: Any) -> None:
    _admin(client, make_user)
    sam = make_user("trainee", email="sam@example.org")
    Auth(client.application.test_client()).login(sam)
    page = client.get("/admin/audit", query_string={"actor": "sam@example.org"}).text
    assert "auth.login" in page and "boss@example.org" not in page
    page = client.get("/admin/audit", query_string={"action": "user.created"}).text
    assert "user.created" in page and "auth.login<" not in page
    page = client.get("/admin/audit", query_string={"date_to": "2000-01-01"}).text
    assert "No events." in page
    bad = client.get("/admin/audit", query_string={"date_from": "yesterday"})
    assert bad.status_code == 200 and "Not a valid date value" in bad.text


def test_outbox_shows_each_message_and_its_delivery(
    client: Any, make_user: Any, run_worker: Any
) -> None:
    _admin(client, make_user)
    client.post("/forgot", data={"email": "boss@example.org"})
    page = client.get("/admin/outbox").text
    assert "Reset your trainer password" in page and ">Queued</span>" in page
    assert "/reset/(link hidden)" in page  # an admin cannot use someone's reset link
    assert "No worker has reported in." in page
    assert "The background worker is not running" in client.get("/admin/").text
    run_worker()
    page = client.get("/admin/outbox").text
    assert ">Sent</span>" in page and "to the log" in page
    assert "Score exam attempts past their deadline</td><td>minute</td>" in page
    assert "0 attempts closed" in page  # each job's last run
    assert "No messages in this state." in client.get("/admin/outbox?state=failed").text
    assert client.get("/admin/outbox?state=nonsense").status_code == 404


def test_an_admin_pages_through_every_issued_certificate_and_supervision(
    loaded: Any, make_user: Any, client_for: Any, monkeypatch: Any
) -> None:
    """The certificates and supervision pages list everything, a page at a time (they showed
    the newest 50 and 200 and stopped)."""
    from tests.support.hours import supervised_trainee
    from tests.support.registry import make_certificates
    from trainer.services import admin as admin_reads

    monkeypatch.setattr(admin_reads, "PAGE_SIZE", 2)
    numbers = make_certificates(loaded, 3, "KY")
    boss = make_user("admin")
    for _ in range(3):
        supervised_trainee(loaded, make_user("trainee"), make_user("supervisor"), boss)
    browser = client_for(boss)
    first = browser.get("/admin/certificates").text
    second = browser.get("/admin/certificates?page=2").text
    assert [n in first for n in numbers] == [False, True, True]  # the latest first
    assert numbers[0] in second and 'href="/admin/certificates?page=2" rel="next"' in first
    first = browser.get("/admin/supervision").text
    second = browser.get("/admin/supervision?page=2").text
    assert first.count(">End<") == 2 and second.count(">End<") == 1
    assert 'href="/admin/supervision?page=2" rel="next"' in first
