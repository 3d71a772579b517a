"""The trainer command line."""

from __future__ import annotations

import re
from typing import Any

import pyotp
from sqlalchemy import func, select

from trainer.extensions import db
from trainer.models import User


def test_user_create_with_password_from_stdin(runner: Any, app: Any) -> None:
    result = runner.invoke(
        args=[
            "user",
            "create",
            "Pat@Example.org",
            "--name",
            "Pat Board",
            "--role",
            "board",
            "--jurisdiction",
            "ky",
            "--password-stdin",
        ],
        input="pats password 1\n",
    )
    assert result.exit_code == 0, result.output
    assert "created pat@example.org (board)" in result.output
    with app.app_context():
        pat = db.session.scalar(select(User))
        assert pat.jurisdiction == "KY"
    from tests.conftest import Auth

    assert Auth(app.test_client()).login("pat@example.org", "pats password 1").status_code == 302


def test_user_create_refuses_duplicates_and_unknown_roles(runner: Any, app: Any) -> None:
    args = ["user", "create", "pat@example.org", "--name", "Pat", "--password-stdin"]
    assert (
        runner.invoke(args=[*args, "--role", "trainee"], input="pats password 1\n").exit_code == 0
    )
    dup = runner.invoke(args=[*args, "--role", "trainee"], input="pats password 1\n")
    assert dup.exit_code == 1 and "already exists" in dup.output
    bad = runner.invoke(
        args=[
            "user",
            "create",
            "x@example.org",
            "--name",
            "X",
            "--role",
            "wizard",
            "--password-stdin",
        ],
        input="pats password 1\n",
    )
    assert bad.exit_code == 1 and "Unknown role: wizard" in bad.output
    weak = runner.invoke(
        args=[
            "user",
            "create",
            "y@example.org",
            "--name",
            "Y",
            "--role",
            "trainee",
            "--password-stdin",
        ],
        input="short\n",
    )
    assert weak.exit_code == 1 and "at least 10" in weak.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_demo_seeds_accounts_and_a_certified_trainee_idempotently(runner: Any, app: Any) -> None:
    from tests.support.content import REAL_CONTENT
    from trainer.models import Certificate

    assert runner.invoke(args=["content", "load", str(REAL_CONTENT)]).exit_code == 0
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "holds certificate KY-APSS-" in first.output
    assert "employer@demo.trainer      watches certificate KY-APSS-" in first.output
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0 and "(created)" not in second.output
    with app.app_context():
        users = db.session.scalars(select(User)).all()
        assert sorted(r for u in users for r in u.roles) == [
            "admin",
            "board",
            "employer",
            "supervisor",
            "trainee",
            "trainee",
        ]
        certificates = db.session.scalars(select(Certificate)).all()
        assert len(certificates) == 1 and certificates[0].status == "active"
    # the admin and board accounts use two-factor sign-in: their secret is printed, the same
    # on every run, and `trainer totp-code` prints the current code for scripts
    secrets = re.findall(r"totp secret: ([A-Z2-7]{32}) +\((otpauth://totp/[^)]+)\)", first.output)
    assert len(secrets) == 2 and secrets == re.findall(
        r"totp secret: ([A-Z2-7]{32}) +\((otpauth://totp/[^)]+)\)", second.output
    )
    assert "board%40demo.trainer" in secrets[1][1] and "issuer=trainer" in secrets[1][1]
    from tests.conftest import Auth

    client = app.test_client()
    asked = Auth(client).login("board@demo.trainer", "demo-board-pass")
    assert asked.headers["Location"] == "/login/code"
    code = runner.invoke(args=["totp-code", "board@demo.trainer"])
    assert code.exit_code == 0 and re.fullmatch(r"\d{6}\n", code.output)
    assert pyotp.TOTP(secrets[1][0]).verify(code.output.strip(), valid_window=1)
    signed_in = client.post("/login/code", data={"code": code.output.strip()})
    assert signed_in.headers["Location"] == "/board/"
    refused = runner.invoke(args=["totp-code", "trainee@demo.trainer"])
    assert refused.exit_code == 1 and "only the demo accounts" in refused.output


def test_secret_key_is_generated_once_and_kept(tmp_path: Any) -> None:
    from trainer import config

    first = config.instance_secret(str(tmp_path), "secret_key")
    assert first == config.instance_secret(str(tmp_path), "secret_key")
    assert len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_reset_two_factor_turns_it_off_and_signs_out(runner: Any, app: Any, make_user: Any) -> None:
    from tests.conftest import Auth
    from trainer.clock import utcnow
    from trainer.services import two_factor

    person = make_user("admin", email="lost@example.org")
    with app.app_context():
        two_factor.enrol_with_secret(db.session.get(User, person.id), "A" * 32, utcnow())
        db.session.commit()
    client = app.test_client()
    assert Auth(client).login(person).headers["Location"] == "/login/code"
    done = runner.invoke(args=["user", "reset-two-factor", "LOST@example.org"])
    assert done.exit_code == 0 and "two-factor sign-in is off" in done.output
    again = runner.invoke(args=["user", "reset-two-factor", "lost@example.org"])
    assert again.exit_code == 1 and "does not use two-factor" in again.output
    assert runner.invoke(args=["user", "reset-two-factor", "x@example.org"]).exit_code == 1
    # the half signed-in browser must start again; the password alone now signs in
    assert client.post("/login/code", data={"code": "123456"}).headers["Location"] == "/login"
    assert Auth(client).login(person).headers["Location"] == "/admin/"
