"""Two-factor sign-in rules and services: enrolment with a real TOTP code (pyotp), replay
refused, recovery codes once each, turning it off, the secret encrypted at rest, devices."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pyotp
import pytest
from sqlalchemy import select

from trainer.clock import utcnow
from trainer.domain import two_factor as rules
from trainer.domain.errors import RuleError
from trainer.extensions import db
from trainer.models import AuditEvent, RecoveryCode, SignInSession, TwoFactor, User

PASSWORD = "correct horse battery"


def _user(make_user: Any, *roles: str) -> User:
    person = make_user(*roles)
    return db.session.get(User, person.id)


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_codes_are_accepted_within_one_step_of_now_and_never_twice() -> None:
    secret = pyotp.random_base32(32)
    now = utcnow()
    code = pyotp.TOTP(secret).at(now)
    step = rules.accepted_step(secret, code, now, None)
    assert step == rules.time_step(now)
    assert rules.accepted_step(secret, code, now, step) is None  # replay in the same step
    earlier = pyotp.TOTP(secret).at(now - timedelta(seconds=30))
    assert rules.accepted_step(secret, earlier, now, None) == step - 1  # a slow phone clock
    assert rules.accepted_step(secret, earlier, now, step) is None  # older than the last
    later = now + timedelta(seconds=30)
    assert rules.accepted_step(secret, pyotp.TOTP(secret).at(later), now, step) == step + 1
    too_old = pyotp.TOTP(secret).at(now - timedelta(seconds=90))
    assert rules.accepted_step(secret, too_old, now, None) is None or too_old in (code, earlier)
    assert rules.accepted_step(secret, "12345", now, None) is None
    assert rules.accepted_step(secret, " " + code[:3] + " " + code[3:], now, None) == step


def test_recovery_codes_are_64_random_bits_and_hash_the_same_however_typed() -> None:
    code = rules.new_recovery_code()
    assert len(code) == 19 and code.count("-") == 3
    assert rules.recovery_hash(code) == rules.recovery_hash(code.upper().replace("-", " "))
    assert len({rules.new_recovery_code() for _ in range(100)}) == 100


def test_enrol_with_a_real_code_then_sign_in_codes_work_once(app: Any, make_user: Any) -> None:
    from trainer.services import two_factor

    with app.app_context():
        user = _user(make_user, "admin")
        enrolment = two_factor.begin(user, utcnow())
        db.session.commit()
        assert enrolment.uri.startswith("otpauth://totp/trainer:")
        # the secret is stored encrypted, never in the clear
        row = db.session.get(TwoFactor, user.id)
        assert enrolment.secret not in row.secret_encrypted and row.enabled_at is None
        # a reload shows the same secret (the QR code already scanned keeps working)
        assert two_factor.begin(user, utcnow()).secret == enrolment.secret
        with pytest.raises(RuleError) as wrong:
            two_factor.confirm(user, "000000", utcnow())
        assert wrong.value.field == "code"
        now = utcnow()
        codes = two_factor.confirm(user, pyotp.TOTP(enrolment.secret).at(now), now)
        db.session.commit()
        assert len(codes) == 10 and len(set(codes)) == 10
        stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
        assert not set(codes) & set(stored) and len(stored) == 10
        assert two_factor.status(user).codes_left == 10
        # the code that enrolled cannot sign in again within its step
        assert two_factor.check(user, pyotp.TOTP(enrolment.secret).at(now), now) is None
        later = now + timedelta(seconds=30)
        assert two_factor.check(user, pyotp.TOTP(enrolment.secret).at(later), later) == "totp"
        assert two_factor.check(user, codes[0], later) == "recovery"
        assert two_factor.check(user, codes[0], later) is None  # once each
        assert two_factor.check(user, codes[1].upper(), later) == "recovery"
        db.session.commit()
        assert two_factor.status(user).codes_left == 8
        actions = _actions()
        assert actions.count("two_factor.code_failed") == 2
        assert actions.count("two_factor.recovery_used") == 2
        assert "two_factor.enrolled" in actions


def _enrolled(app: Any, make_user: Any) -> tuple[int, str]:
    from trainer.services import two_factor

    with app.app_context():
        user = _user(make_user, "board")
        secret = two_factor.begin(user, utcnow()).secret
        now = utcnow() - timedelta(seconds=60)
        two_factor.confirm(user, pyotp.TOTP(secret).at(now), now)
        db.session.commit()
        return user.id, secret


def test_turning_it_off_needs_the_password_and_a_current_code(app: Any, make_user: Any) -> None:
    from trainer.services import two_factor

    user_id, secret = _enrolled(app, make_user)
    with app.app_context():
        user = db.session.get(User, user_id)
        now = utcnow()
        code = pyotp.TOTP(secret).at(now)
        with pytest.raises(RuleError) as no_password:
            two_factor.disable(user, "not my password", code, now)
        assert no_password.value.field == "password"
        db.session.rollback()
        with pytest.raises(RuleError) as no_code:
            two_factor.disable(user, PASSWORD, "123456" if code != "123456" else "654321", now)
        assert no_code.value.field == "code"
        db.session.rollback()
        assert two_factor.enabled(user)
        two_factor.disable(user, PASSWORD, code, now)
        db.session.commit()
        assert not two_factor.enabled(user)
        assert db.session.scalars(select(RecoveryCode)).all() == []
        assert _actions()[-1] == "two_factor.disabled"


def test_new_recovery_codes_replace_the_old_ones(app: Any, make_user: Any) -> None:
    from trainer.services import two_factor

    user_id, secret = _enrolled(app, make_user)
    with app.app_context():
        user = db.session.get(User, user_id)
        old_hashes = set(db.session.scalars(select(RecoveryCode.code_hash)))
        now = utcnow()
        with pytest.raises(RuleError):
            two_factor.regenerate(user, "nope", now)
        db.session.rollback()
        codes = two_factor.regenerate(user, pyotp.TOTP(secret).at(now), now)
        db.session.commit()
        assert len(codes) == 10
        assert not old_hashes & set(db.session.scalars(select(RecoveryCode.code_hash)))
        assert _actions()[-1] == "two_factor.recovery_regenerated"


def test_a_changed_secret_key_makes_the_stored_secret_unreadable_not_a_crash(
    app: Any, make_user: Any
) -> None:
    from trainer.services import two_factor

    user_id, secret = _enrolled(app, make_user)
    app.config["SECRET_KEY"] = "another key"
    with app.app_context():
        user = db.session.get(User, user_id)
        assert two_factor.secret_of(user) is None
        now = utcnow()
        assert two_factor.check(user, pyotp.TOTP(secret).at(now), now) is None


def test_devices_are_listed_and_the_others_end(app: Any, make_user: Any) -> None:
    from trainer.services import two_factor

    with app.app_context():
        user = _user(make_user)
        now = utcnow()
        laptop = two_factor.start_session(
            user,
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36",
            "192.0.2.1",
            now,
        )
        two_factor.start_session(
            user,
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) AppleWebKit/605 Version/17 Safari/604.1",
            "2001:db8::1",
            now + timedelta(seconds=1),
        )
        db.session.commit()
        listed = two_factor.devices(user, laptop, now)
        assert [(d.user_agent, d.current) for d in listed] == [
            ("Safari on iPhone", False),
            ("Chrome on Linux", True),
        ]
        assert two_factor.end_other_sessions(user, laptop, now) == 1
        db.session.commit()
        assert [d.current for d in two_factor.devices(user, laptop, now)] == [True]
        assert db.session.scalar(
            select(SignInSession.ended_at).where(SignInSession.ip == "2001:db8::1")
        )
        assert _actions()[-1] == "session.ended_others"
        # long-unseen devices drop off the list
        assert two_factor.devices(user, laptop, now + timedelta(days=31)) == []
