"""Registering, signing in and out, passwords and profiles, as a person would."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from tests.conftest import PASSWORD
from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models import AuditEvent, OutboxMessage, PasswordToken, User

GOOD = {
    "legal_name": "Jordan Rivera",
    "email": "Jordan@Example.org",
    "timezone": "America/Chicago",
    "password": "a long enough password",
    "confirm": "a long enough password",
}


def _users(app: Any) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def _last_link(app: Any, to: str, kind: str) -> str:
    with app.app_context():
        message = db.session.scalar(
            select(OutboxMessage)
            .where(OutboxMessage.to == to, OutboxMessage.kind == kind)
            .order_by(OutboxMessage.id.desc())
        )
    assert message is not None, f"no {kind} message to {to}"
    return re.search(r"http://localhost(/\S+)", message.body).group(1)


def test_register_then_confirm_the_address_by_link(client: Any, app: Any) -> None:
    response = client.post("/register", data=GOOD)
    assert response.status_code == 200
    assert "Check your e-mail" in response.text and "jordan@example.org" in response.text
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.email == "jordan@example.org"  # stored in one canonical form
        assert user.roles == {"trainee"}
        assert user.timezone == "America/Chicago"
        assert user.password_hash.startswith("$argon2id$")
        assert user.email_verified_at is None
    # not confirmed yet: the same answer as a wrong password
    early = client.post("/login", data={"email": GOOD["email"], "password": GOOD["password"]})
    assert "do not match an active account" in early.text

    link = _last_link(app, "jordan@example.org", "account_confirm")
    assert link.startswith("/confirm/")
    page = client.get(link)  # opening the link (or a mail scanner doing so) changes nothing
    assert "Confirm my address" in page.text
    with app.app_context():
        assert db.session.scalar(select(User.email_verified_at)) is None
    done = client.post(link)
    assert done.status_code == 302 and done.headers["Location"] == "/learn/"
    assert "Hello Jordan Rivera" in client.get("/learn/").text
    assert client.post(link).status_code == 404  # once only
    assert "This link no longer works" in client.get(link).text


def test_a_taken_address_gets_the_same_answer_and_its_owner_an_e_mail(
    client: Any, app: Any, make_user: Any
) -> None:
    fresh = client.post("/register", data=GOOD)
    owner = make_user(email="kim@example.org", name="Kim Owner")
    taken = client.post("/register", data={**GOOD, "email": "Kim@Example.org"})
    assert taken.status_code == fresh.status_code == 200
    assert taken.text == fresh.text.replace("jordan@example.org", "kim@example.org")
    assert _users(app) == 2  # Jordan (unconfirmed) and Kim: nobody new
    with app.app_context():
        notice = db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.kind == "account_exists")
        )
        assert notice.to == "kim@example.org" and "already has an account" in notice.body
    # Kim's password is unchanged and still works
    assert (
        client.post("/login", data={"email": owner.email, "password": PASSWORD}).status_code == 302
    )


def test_registering_again_before_confirming_sends_a_new_link(client: Any, app: Any) -> None:
    client.post("/register", data=GOOD)
    first = _last_link(app, "jordan@example.org", "account_confirm")
    again = client.post(
        "/register",
        data={**GOOD, "password": "another long password", "confirm": "another long password"},
    )
    assert "Check your e-mail" in again.text
    second = _last_link(app, "jordan@example.org", "account_confirm")
    assert second != first and _users(app) == 1
    client.post(second)
    # the password is the one chosen first: registering again changes nothing but the link
    client.post("/logout")
    ok = client.post("/login", data={"email": GOOD["email"], "password": GOOD["password"]})
    assert ok.status_code == 302


def test_a_password_link_also_confirms_the_address(client: Any, app: Any) -> None:
    client.post("/register", data=GOOD)
    client.post("/forgot", data={"email": GOOD["email"]})
    reset = _last_link(app, "jordan@example.org", "password_reset")
    client.post(reset, data={"password": "a brand new password", "confirm": "a brand new password"})
    ok = client.post("/login", data={"email": GOOD["email"], "password": "a brand new password"})
    assert ok.status_code == 302


def test_a_confirmation_link_is_not_a_password_link(client: Any, app: Any) -> None:
    client.post("/register", data=GOOD)
    link = _last_link(app, "jordan@example.org", "account_confirm")
    token = link.rsplit("/", 1)[1]
    assert client.get(f"/reset/{token}").status_code == 404


def test_register_bad_input_rerenders_with_errors_and_saves_nothing(client: Any, app: Any) -> None:
    cases = {
        "email": ({"email": "not-an-email"}, "Invalid email address"),
        "password": ({"password": "short", "confirm": "short"}, "at least 10"),
        "confirm": ({"confirm": "something else entirely"}, "do not match"),
        "legal_name": ({"legal_name": ""}, "This field is required"),
        "timezone": ({"timezone": "Mars/Olympus"}, "Not a valid choice"),
    }
    for field, (change, message) in cases.items():
        response = client.post("/register", data={**GOOD, **change})
        assert response.status_code == 200, field
        assert message in response.text, field
        assert 'role="alert"' in response.text
        assert f'href="#{field}"' in response.text  # the summary links to the field
    assert _users(app) == 0


def test_wrong_email_and_wrong_password_get_the_same_message(auth: Any, make_user: Any) -> None:
    user = make_user()
    unknown = auth.login("nobody@example.org", PASSWORD)
    wrong = auth.login(user.email, "not the password")
    assert unknown.status_code == wrong.status_code == 200
    assert "do not match an active account" in unknown.text
    for r in (unknown, wrong):
        assert "No account" not in r.text and "incorrect password" not in r.text.lower()


def test_sign_in_goes_to_the_role_home_and_follows_only_local_next(
    client: Any, auth: Any, make_user: Any
) -> None:
    for role, home in [
        ("trainee", "/learn/"),
        ("supervisor", "/supervise/"),
        ("board", "/board/"),
        ("admin", "/admin/"),
    ]:
        user = make_user(role)
        assert auth.login(user).headers["Location"] == home
        auth.logout()
    user = make_user("admin")
    r = client.post("/login?next=/admin/audit", data={"email": user.email, "password": PASSWORD})
    assert r.headers["Location"] == "/admin/audit"
    auth.logout()
    r = client.post(
        "/login?next=https://evil.example/", data={"email": user.email, "password": PASSWORD}
    )
    assert r.headers["Location"] == "/admin/"


def test_sign_out_ends_the_session(client: Any, auth: Any, make_user: Any, app: Any) -> None:
    auth.login(make_user())
    assert client.get("/learn/").status_code == 200
    copied = client.get_cookie("session").value  # e.g. left behind on a shared computer
    assert auth.logout().status_code == 302
    assert client.get("/learn/").headers["Location"].startswith("/login")
    replay = app.test_client()
    replay.set_cookie("session", copied)
    r = replay.get("/learn/")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")


def test_change_password_signs_out_other_devices(app: Any, make_user: Any) -> None:
    from tests.conftest import Auth

    user = make_user()
    laptop, phone = app.test_client(), app.test_client()
    Auth(laptop).login(user)
    Auth(phone).login(user)
    bad = laptop.post(
        "/account",
        data={
            "pw-current_password": "wrong one!",
            "pw-new_password": "new password 123",
            "pw-confirm": "new password 123",
        },
    )
    assert "not your current password" in bad.text
    r = laptop.post(
        "/account",
        data={
            "pw-current_password": PASSWORD,
            "pw-new_password": "new password 123",
            "pw-confirm": "new password 123",
        },
    )
    assert r.status_code == 302
    assert laptop.get("/learn/").status_code == 200  # this device stays signed in
    assert phone.get("/learn/").status_code == 302  # the other one is signed out
    assert Auth(app.test_client()).login(user, "new password 123").status_code == 302


def test_profile_changes_are_saved_and_validated(
    client: Any, auth: Any, app: Any, make_user: Any
) -> None:
    user = make_user()
    auth.login(user)
    r = client.post(
        "/account",
        data={
            "profile-legal_name": "Jamie Q. Public",
            "profile-preferred_name": "Jamie",
            "profile-timezone": "America/Denver",
        },
    )
    assert r.status_code == 302
    bad = client.post(
        "/account", data={"profile-legal_name": "", "profile-timezone": "Nowhere/Land"}
    )
    assert "This field is required" in bad.text and "Not a valid choice" in bad.text
    with app.app_context():
        saved = db.session.get(User, user.id)
        assert (saved.legal_name, saved.preferred_name, saved.timezone) == (
            "Jamie Q. Public",
            "Jamie",
            "America/Denver",
        )


def _reset_link(app: Any) -> str:
    with app.app_context():
        body = (
            db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first().body
        )
    return re.search(r"http://localhost(/reset/\S+)", body).group(1)


def test_password_reset_by_emailed_single_use_link(client: Any, app: Any, make_user: Any) -> None:
    user = make_user()
    r = client.post("/forgot", data={"email": user.email})
    assert r.status_code == 302
    path = _reset_link(app)
    assert client.get(path).status_code == 200
    short = client.post(path, data={"password": "short", "confirm": "short"})
    assert "at least 10" in short.text
    r = client.post(path, data={"password": "brand new password", "confirm": "brand new password"})
    assert r.status_code == 302
    assert client.get(path).status_code == 404  # used once, never again
    from tests.conftest import Auth

    assert Auth(app.test_client()).login(user, "brand new password").status_code == 302


def test_reset_for_unknown_address_says_the_same_and_sends_nothing(client: Any, app: Any) -> None:
    r = client.post("/forgot", data={"email": "nobody@example.org"}, follow_redirects=True)
    assert "If an account uses that address" in r.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_expired_reset_link_does_not_work(client: Any, app: Any, make_user: Any) -> None:
    user = make_user()
    client.post("/forgot", data={"email": user.email})
    path = _reset_link(app)
    with app.app_context():
        token = db.session.scalar(select(PasswordToken))
        token.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert client.get(path).status_code == 404
    assert "no longer works" in client.get(path).text


def test_failed_and_successful_sign_ins_are_audited(auth: Any, app: Any, make_user: Any) -> None:
    user = make_user()
    auth.login(user, "wrong password")
    auth.login(user)
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        remote = db.session.scalar(
            select(AuditEvent.remote_addr).where(AuditEvent.action == "auth.login")
        )
    assert actions[-2:] == ["auth.login_failed", "auth.login"]
    assert remote == "127.0.0.1"


def test_registration_pages_run_few_statements(client: Any, app: Any, count_queries: Any) -> None:
    with count_queries() as sent:
        assert client.post("/register", data=GOOD).status_code == 200
    link = _last_link(app, "jordan@example.org", "account_confirm")
    with count_queries() as page:
        assert client.get(link).status_code == 200
    # registering: look-up, user, role, token, audit event, outbox row; the confirmation
    # page: the token, its account (is it active?) and the roles that load with an account
    assert (sent.count, page.count) == (6, 3)


def test_the_time_zone_select_draws_as_wtforms_would(app: Any) -> None:
    """Its options are drawn once per process; the page still shows every zone, the person's
    own selected, exactly as WTForms' own Select widget would."""
    from wtforms.widgets import Select

    from trainer.web.auth.forms import ProfileForm

    with app.test_request_context("/account"):
        for zone in ("Europe/Berlin", "America/New_York", None, "<script>"):
            form = ProfileForm(formdata=None, data={"timezone": zone})
            ours = str(form.timezone(required=True))
            assert ours == str(Select()(form.timezone, required=True))
            assert ours.count("<option") > 400
            assert ("selected" in ours) == (zone in ("Europe/Berlin", "America/New_York"))
