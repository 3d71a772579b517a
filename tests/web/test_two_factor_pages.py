"""Two-factor sign-in through the pages: admins and board members are sent to set it up
before anything else, the code step of signing in (wrong codes count toward the sign-in
rate limit, a code works once, recovery codes once each), turning it off, new recovery
codes, the signed-in devices list, and the statements each page runs."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import pyotp
import pytest
from sqlalchemy import select, update

from tests.conftest import PASSWORD, Auth
from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models import AuditEvent, TwoFactor

REQUIRED = {"TWO_FACTOR_REQUIRED_ROLES": ("admin", "board")}


@pytest.fixture
def app_config() -> dict[str, Any]:
    return dict(REQUIRED)


def _code(secret: str, steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(utcnow() + timedelta(seconds=30 * steps))


def _forget_last_code(app: Any, user_id: int) -> None:
    """Let the test use the current code again (each code works once: replay protection)."""
    with app.app_context():
        db.session.execute(
            update(TwoFactor).where(TwoFactor.user_id == user_id).values(last_step=None)
        )
        db.session.commit()


def _enrol(client: Any) -> tuple[str, list[str]]:
    """Set up two-factor sign-in through the page as a person would; returns the secret
    (read from the page, as from the QR code) and the recovery codes shown."""
    page = client.get("/account/two-factor/setup")
    assert page.status_code == 200
    secret = re.search(r'data-secret="([A-Z2-7]+)"', page.text).group(1)
    uri = html.unescape(re.search(r'href="(otpauth://totp/[^"]+)"', page.text).group(1))
    assert f"secret={secret}" in uri and "<svg" in page.text
    done = client.post("/account/two-factor/setup", data={"code": _code(secret)})
    assert done.status_code == 200 and "Your recovery codes" in done.text
    codes = re.findall(r"<code>([0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4})</code>", done.text)
    assert len(codes) == 10
    return secret, codes


def _actions(app: Any) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_admins_and_board_members_set_it_up_before_anything_else(
    app: Any, client: Any, auth: Any, make_user: Any
) -> None:
    admin = make_user("admin")
    signed = auth.login(admin)
    assert signed.status_code == 302
    for path in ("/", "/admin/", "/account", "/learn/"):
        r = client.get(path)
        assert r.status_code == 302, path
        assert r.headers["Location"] == "/account/two-factor/setup", path
    # posting elsewhere is sent there too; signing out is not
    assert client.post("/account", data={}).headers["Location"] == "/account/two-factor/setup"
    setup = client.get("/account/two-factor/setup")
    assert "Required for your role" in setup.text
    _enrol(client)
    assert client.get("/admin/").status_code == 200
    assert client.get("/account").status_code == 200
    assert "two_factor.enrolled" in _actions(app)

    board = make_user("board")
    other = app.test_client()
    Auth(other).login(board)
    assert other.get("/board/").headers["Location"] == "/account/two-factor/setup"
    assert other.post("/logout").headers["Location"] == "/"

    trainee = make_user("trainee")
    mine = app.test_client()
    Auth(mine).login(trainee)
    assert mine.get("/account").status_code == 200  # optional for everyone else
    assert "Set up two-factor sign-in" in mine.get("/account").text


def test_sign_in_asks_for_the_code_and_each_code_works_once(
    app: Any, client: Any, auth: Any, make_user: Any
) -> None:
    admin = make_user("admin")
    auth.login(admin)
    secret, codes = _enrol(client)
    auth.logout()

    asked = auth.login(admin)
    assert asked.headers["Location"] == "/login/code"
    assert client.get("/admin/").headers["Location"].startswith("/login")  # not signed in yet
    page = client.get("/login/code")
    assert page.status_code == 200 and 'autocomplete="one-time-code"' in page.text
    wrong = client.post(
        "/login/code", data={"code": "000000" if _code(secret) != "000000" else "1"}
    )
    assert wrong.status_code == 400 and "That code is not right" in wrong.text
    # the code used to enrol was accepted in this time step: it does not work again
    reused = client.post("/login/code", data={"code": _code(secret)})
    assert reused.status_code == 400
    nxt = _code(secret, 1)
    ok = client.post("/login/code", data={"code": nxt})
    assert ok.status_code == 302 and ok.headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    auth.logout()
    # the same code a second time, on a fresh sign-in: refused (replay)
    auth.login(admin)
    assert client.post("/login/code", data={"code": nxt}).status_code == 400

    # recovery codes: once each
    assert client.post("/login/code", data={"code": codes[0]}).status_code == 302
    assert "recovery code" in client.get("/admin/").text
    auth.logout()
    auth.login(admin)
    assert client.post("/login/code", data={"code": codes[0]}).status_code == 400
    assert client.post("/login/code", data={"code": codes[1].upper()}).status_code == 302
    actions = _actions(app)
    assert actions.count("two_factor.code_failed") == 4
    assert actions.count("two_factor.recovery_used") == 2
    with app.app_context():
        details = db.session.scalars(
            select(AuditEvent.details).where(AuditEvent.action == "auth.login")
        ).all()
    assert [d.get("two_factor") for d in details] == [None, "totp", "recovery", "recovery"]


def test_the_code_step_expires_and_needs_the_password_step_first(
    app: Any, client: Any, auth: Any, make_user: Any
) -> None:
    assert client.get("/login/code").headers["Location"] == "/login"
    admin = make_user("admin")
    auth.login(admin)
    secret, _ = _enrol(client)
    auth.logout()
    auth.login(admin)
    with client.session_transaction() as session:
        session["two_factor_pending"] = {**session["two_factor_pending"], "until": 0}
    r = client.post("/login/code", data={"code": _code(secret, 1)})
    assert r.status_code == 302 and r.headers["Location"] == "/login"


@pytest.mark.parametrize(
    "app_config",
    [
        {
            **REQUIRED,
            "RATELIMIT_ENABLED": True,
            "LOGIN_RATE_LIMIT": "4 per minute",
            "LOGIN_RATE_LIMIT_ADDRESS": "100 per minute",
        }
    ],
)
def test_wrong_codes_count_toward_the_sign_in_rate_limit(
    app: Any, client: Any, auth: Any, make_user: Any
) -> None:
    admin = make_user("admin")
    # enrol from another address's client: its sign-in does not use this account's allowance
    # (the allowance is per account: enrolment here costs one sign-in)
    auth.login(admin)
    secret, _ = _enrol(client)
    auth.logout()
    assert auth.login(admin).headers["Location"] == "/login/code"  # 2 of 4
    assert client.post("/login/code", data={"code": "xxxxxx"}).status_code == 400  # 3
    assert client.post("/login/code", data={"code": "yyyyyy"}).status_code == 400  # 4
    blocked = client.post("/login/code", data={"code": _code(secret, 1)})
    assert blocked.status_code == 429 and "Too many attempts" in blocked.text
    # and the password step of the same account is blocked too
    assert auth.login(admin).status_code == 429


def test_turning_it_off_needs_the_password_and_a_code(
    app: Any, client: Any, auth: Any, make_user: Any
) -> None:
    trainee = make_user("trainee")
    auth.login(trainee)
    assert client.get("/account/two-factor").headers["Location"] == "/account/two-factor/setup"
    secret, _ = _enrol(client)
    assert client.get("/account/two-factor/setup").headers["Location"] == "/account/two-factor"
    page = client.get("/account/two-factor")
    assert page.status_code == 200 and "<strong>10</strong> unused recovery codes" in page.text
    no_password = client.post(
        "/account/two-factor", data={"off-password": "wrong!", "off-code": _code(secret, 1)}
    )
    assert no_password.status_code == 400 and "not your current password" in no_password.text
    no_code = client.post("/account/two-factor", data={"off-password": PASSWORD, "off-code": ""})
    assert no_code.status_code == 400
    bad_code = client.post(
        "/account/two-factor", data={"off-password": PASSWORD, "off-code": "12345x"}
    )
    assert bad_code.status_code == 400 and "That code is not right" in bad_code.text
    new_codes = client.post("/account/two-factor", data={"regen-code": _code(secret, 1)})
    assert new_codes.status_code == 200 and new_codes.text.count("<li><code>") == 10
    _forget_last_code(app, trainee.id)
    off = client.post(
        "/account/two-factor", data={"off-password": PASSWORD, "off-code": _code(secret)}
    )
    assert off.status_code == 302 and off.headers["Location"] == "/account"
    assert "Two-factor sign-in is off" in client.get("/account").text
    auth.logout()
    assert auth.login(trainee).headers["Location"] != "/login/code"
    actions = _actions(app)
    assert actions.index("two_factor.recovery_regenerated") < actions.index("two_factor.disabled")


def test_signed_in_devices_and_signing_out_the_others(app: Any, make_user: Any) -> None:
    person = make_user("trainee")
    laptop, phone = app.test_client(), app.test_client()
    Auth(laptop).login(person)
    phone.post(
        "/login",
        data={"email": person.email, "password": PASSWORD},
        headers={"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Version/17 Safari/604"},
    )
    page = laptop.get("/account")
    assert page.text.count("signed in ") == 2 and "this device" in page.text
    assert "Safari on iPhone" in page.text
    assert phone.get("/learn/").status_code == 200
    r = laptop.post("/account/devices/sign-out-others")
    assert r.status_code == 302
    assert "Signed out 1 other device." in laptop.get("/account").text
    # the phone's next request is sent to sign in; the laptop stays signed in
    ended = phone.get("/learn/")
    assert ended.status_code == 302 and ended.headers["Location"].startswith("/login")
    assert laptop.get("/learn/").status_code == 200
    assert laptop.get("/account").text.count("signed in ") == 1
    assert "session.ended_others" in _actions(app)
    # signing out ends this device too
    Auth(laptop).logout()
    Auth(phone).login(person)
    assert phone.get("/account").text.count("signed in ") == 1


def test_the_new_pages_run_few_statements(
    app: Any, client: Any, auth: Any, make_user: Any, count_queries: Any
) -> None:
    def measure() -> dict[str, int]:
        counts = {}
        for path in ("/account/two-factor/setup", "/account/two-factor", "/account"):
            with count_queries() as q:
                r = client.get(path)
            assert r.status_code in (200, 302), path
            counts[path] = q.count
        return counts

    def others(n: int, devices_of: Any = None) -> None:
        from trainer.models import User
        from trainer.services import two_factor

        for _ in range(n):
            someone = make_user("admin")
            with app.app_context():
                user = db.session.get(User, someone.id)
                two_factor.enrol_with_secret(user, pyotp.random_base32(32), utcnow())
                two_factor.start_session(user, "Firefox/1 Linux", "127.0.0.1", utcnow())
                if devices_of is not None:
                    mine = db.session.get(User, devices_of.id)
                    two_factor.start_session(mine, "Chrome/1 Windows", "127.0.0.2", utcnow())
                db.session.commit()

    admin = make_user("admin")
    auth.login(admin)
    client.get("/account/two-factor/setup")  # the secret is made on the first view
    others(2)
    before_setup = measure()
    secret, _ = _enrol(client)
    before = measure()
    # the code step of signing in
    second = app.test_client()
    Auth(second).login(admin)
    with count_queries() as code_page:
        assert second.get("/login/code").status_code == 200
    # ten times the data: more people enrolled, more devices of this person, used codes
    others(20, devices_of=admin)
    after = measure()
    assert before == after, (before, after)
    assert max([*before.values(), *before_setup.values(), code_page.count]) <= 8, (
        before,
        before_setup,
        code_page.count,
    )


@pytest.mark.parametrize("who", ["admin", "board"])
def test_the_access_matrix_holds_when_two_factor_is_required_and_set_up(
    app: Any, make_user: Any, who: str
) -> None:
    """The access matrix (tests/web/test_access_policy.py), new pages included, for the roles
    that must use two-factor sign-in, once they have set it up."""
    from tests.web.test_access_policy import test_access_matrix
    from trainer.models import User
    from trainer.services import two_factor

    def enrolled(*roles: str, **fields: Any) -> Any:
        person = make_user(*roles, **fields)
        with app.app_context():
            user = db.session.get(User, person.id)
            two_factor.enrol_with_secret(user, pyotp.random_base32(32), utcnow())
            db.session.commit()
        return person

    test_access_matrix(app, enrolled, who)


def test_a_password_change_keeps_this_device_listed_and_drops_the_others(
    app: Any, make_user: Any
) -> None:
    person = make_user("trainee")
    laptop, phone = app.test_client(), app.test_client()
    Auth(laptop).login(person)
    Auth(phone).login(person)
    assert laptop.get("/account").text.count("signed in ") == 2
    changed = laptop.post(
        "/account",
        data={
            "pw-current_password": PASSWORD,
            "pw-new_password": "new password 123",
            "pw-confirm": "new password 123",
        },
    )
    assert changed.status_code == 302
    page = laptop.get("/account")
    assert page.text.count("signed in ") == 1 and "this device" in page.text
    assert phone.get("/learn/").status_code == 302


def test_no_recovery_codes_left_is_said_with_what_to_do(
    app: Any, client: Any, auth: Any, make_user: Any
) -> None:
    """As `trainer demo` leaves its accounts (a secret, no codes), or after the last is used."""
    from trainer.models.two_factor import RecoveryCode

    auth.login(make_user("trainee"))
    _enrol(client)
    assert "10 unused recovery codes" in client.get("/account").text
    with app.app_context():
        db.session.execute(update(RecoveryCode).values(used_at=utcnow()))
        db.session.commit()
    account = client.get("/account").text
    assert "No recovery codes left:" in account and "unused recovery" not in account
    manage = client.get("/account/two-factor").text
    assert "You have no recovery codes left." in manage and "Make new recovery codes" in manage
