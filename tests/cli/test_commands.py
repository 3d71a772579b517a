"""The trainer command line."""

from __future__ import annotations

from typing import Any

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
    from tests.conftest import Auth

    assert (
        Auth(app.test_client()).login("board@demo.trainer", "demo-board-pass").headers["Location"]
        == "/board/"
    )


def test_secret_key_is_generated_once_and_kept(tmp_path: Any) -> None:
    from trainer import config

    first = config.instance_secret(str(tmp_path), "secret_key")
    assert first == config.instance_secret(str(tmp_path), "secret_key")
    assert len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
