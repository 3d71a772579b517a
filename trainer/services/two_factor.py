"""Two-factor sign-in (TOTP authenticators, one-time recovery codes) and signed-in devices.

The TOTP secret is stored encrypted (Fernet, with a key derived from the app's SECRET_KEY by
HKDF) and shown only while enrolling. A code is accepted once: the time step of the last
accepted code is kept, and a code of that step or an earlier one is refused. Recovery codes
are stored as SHA-256 hashes and work once each.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, func, or_, select, update

from trainer.domain import two_factor as rules
from trainer.domain.errors import RuleError
from trainer.extensions import db
from trainer.models import RecoveryCode, SignInSession, TwoFactor, User
from trainer.services import accounts, audit, sealing

ISSUER = "trainer"
WRONG_CODE = "That code is not right, or it was already used. Enter the current code."
#: Devices not seen for this long drop off the list (their browser session has long ended).
DEVICE_DAYS = 30
#: How often a device's "last seen" is brought up to date (at most; on requests that write).
SEEN_EVERY = timedelta(minutes=5)


def required_roles() -> frozenset[str]:
    """The roles that must use two-factor sign-in (config TWO_FACTOR_REQUIRED_ROLES)."""
    return frozenset(current_app.config.get("TWO_FACTOR_REQUIRED_ROLES", ()))


def required_for(user: User) -> bool:
    return user.has_role(*required_roles()) if required_roles() else False


# -- the secret at rest -----------------------------------------------------------------------


def _seal(secret: str) -> str:
    return sealing.seal(secret, sealing.TWO_FACTOR)


def _open(row: TwoFactor) -> str | None:
    """The secret, or None if it cannot be read (SECRET_KEY changed since enrolment)."""
    return sealing.unseal(row.secret_encrypted, sealing.TWO_FACTOR)


# -- state -------------------------------------------------------------------------------------


def row_of(user: User) -> TwoFactor | None:
    return db.session.get(TwoFactor, user.id)


def enabled(user: User) -> bool:
    row = row_of(user)
    return row is not None and row.enabled_at is not None


@dataclass(frozen=True)
class Status:
    enabled_at: datetime | None
    codes_left: int


def status(user: User) -> Status:
    """Whether two-factor sign-in is on and how many recovery codes are unused (one statement)."""
    enabled_at = db.session.scalar(select(TwoFactor.enabled_at).where(TwoFactor.user_id == user.id))
    left = 0
    if enabled_at is not None:
        left = (
            db.session.scalar(
                select(func.count())
                .select_from(RecoveryCode)
                .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
            )
            or 0
        )
    return Status(enabled_at, left)


# -- enrolment ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Enrolment:
    secret: str
    uri: str


def begin(user: User, now: datetime) -> Enrolment:
    """The secret to enrol (new, or the one already shown if enrolment is under way).
    RuleError if two-factor sign-in is already on."""
    row = row_of(user)
    if row is not None and row.enabled_at is not None:
        raise RuleError(None, "Two-factor sign-in is already on for your account.")
    secret = _open(row) if row is not None else None
    if secret is None:
        secret = rules.new_secret()
        if row is None:
            row = TwoFactor(user_id=user.id, created_at=now, secret_encrypted=_seal(secret))
            db.session.add(row)
        else:
            row.secret_encrypted, row.created_at = _seal(secret), now
        db.session.flush()
    return Enrolment(secret, rules.provisioning_uri(secret, user.email, ISSUER))


def confirm(user: User, code: str, now: datetime) -> list[str]:
    """Turn two-factor sign-in on with a code from the authenticator; returns the ten new
    recovery codes (shown once). RuleError on the ``code`` field if the code is wrong."""
    row = row_of(user)
    if row is None or row.enabled_at is not None:
        raise RuleError(None, "Start again: open the set-up page to get a new QR code.")
    if not _accept_totp(row, code, now):
        raise RuleError("code", WRONG_CODE)
    row.enabled_at = now
    codes = _new_recovery_codes(user, now)
    audit.record("two_factor.enrolled", actor=user, subject=user)
    return codes


def enrol_with_secret(user: User, secret: str, now: datetime) -> None:
    """Enrol ``user`` with a known secret at once (the demo accounts: their secret is
    printed for scripts and authenticator apps). No recovery codes."""
    row = row_of(user)
    if row is None:
        row = TwoFactor(user_id=user.id, secret_encrypted=_seal(secret), created_at=now)
        db.session.add(row)
    row.secret_encrypted, row.enabled_at, row.last_step = _seal(secret), now, None
    db.session.flush()
    audit.record("two_factor.enrolled", actor=None, subject=user, by="demo")


def secret_of(user: User) -> str | None:
    """The enrolled secret (only the demo and ``trainer totp-code`` ask for it)."""
    row = row_of(user)
    return _open(row) if row is not None and row.enabled_at is not None else None


def _new_recovery_codes(user: User, now: datetime) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [rules.new_recovery_code() for _ in range(rules.RECOVERY_CODE_COUNT)]
    db.session.add_all(
        RecoveryCode(user_id=user.id, code_hash=rules.recovery_hash(c), created_at=now)
        for c in codes
    )
    db.session.flush()
    return codes


def _accept_totp(row: TwoFactor, code: str, now: datetime) -> bool:
    secret = _open(row)
    step = None if secret is None else rules.accepted_step(secret, code, now, row.last_step)
    if step is None:
        return False
    # conditional, so two requests racing with the same code cannot both succeed: the
    # second waits for the first's row lock, then finds the step taken
    taken = db.session.execute(
        update(TwoFactor)
        .where(
            TwoFactor.user_id == row.user_id,
            or_(TwoFactor.last_step.is_(None), TwoFactor.last_step < step),
        )
        .values(last_step=step)
        .returning(TwoFactor.user_id)
        .execution_options(synchronize_session="fetch")
    ).first()
    return taken is not None


def _use_recovery_code(user: User, code: str, now: datetime) -> bool:
    normal = rules.normalise(code)
    if len(normal) != 16:
        return False
    used = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == rules.recovery_hash(normal),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
        .returning(RecoveryCode.id)
    ).first()
    return used is not None


def pending_user(user_id: int, session_token: str) -> User | None:
    """The account a half signed-in browser (right password, code to come) is for, unless it
    was deactivated or signed out everywhere (a new session token) meanwhile."""
    user = db.session.get(User, user_id)
    if user is None or not user.active or user.session_token != session_token:
        return None
    return user


# -- using a code ------------------------------------------------------------------------------


def check(user: User, code: str, now: datetime, *, purpose: str = "sign_in") -> str | None:
    """Accept a current authenticator code or an unused recovery code. Returns "totp" or
    "recovery", or None for a wrong code (audited as two_factor.code_failed; the caller
    commits, so the failure stays on record)."""
    row = row_of(user)
    if row is None or row.enabled_at is None:
        return None
    if rules.looks_like_totp(code):
        if _accept_totp(row, code, now):
            return "totp"
    elif _use_recovery_code(user, code, now):
        left = status(user).codes_left
        audit.record("two_factor.recovery_used", actor=user, subject=user, left=left)
        return "recovery"
    audit.record("two_factor.code_failed", actor=user, subject=user, purpose=purpose)
    return None


def disable(user: User, password: str, code: str, now: datetime) -> None:
    """Turn two-factor sign-in off: needs the password and a current code (or a recovery
    code). RuleError on the field at fault."""
    if not enabled(user):
        raise RuleError(None, "Two-factor sign-in is not on for your account.")
    if not accounts.password_matches(user, password):
        raise RuleError("password", "That is not your current password.")
    if check(user, code, now, purpose="disable") is None:
        raise RuleError("code", WRONG_CODE)
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(delete(TwoFactor).where(TwoFactor.user_id == user.id))
    audit.record("two_factor.disabled", actor=user, subject=user)


def reset(user: User, now: datetime) -> bool:
    """Turn two-factor sign-in off for someone who lost both their phone and their recovery
    codes (``trainer user reset-two-factor``: whoever runs the server vouches for them).
    Signs the account out everywhere. False if it was not on."""
    row = row_of(user)
    if row is None:
        return False
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.delete(row)
    accounts.end_sessions(user)
    end_all_sessions(user, now)
    audit.record("two_factor.reset", actor=None, subject=user)
    return True


def regenerate(user: User, code: str, now: datetime) -> list[str]:
    """Ten new recovery codes (the old ones stop working); needs a current code."""
    if not enabled(user):
        raise RuleError(None, "Two-factor sign-in is not on for your account.")
    row = row_of(user)
    if row is None or not _accept_totp(row, code, now):
        raise RuleError("code", WRONG_CODE)
    codes = _new_recovery_codes(user, now)
    audit.record("two_factor.recovery_regenerated", actor=user, subject=user)
    return codes


# -- signed-in devices -------------------------------------------------------------------------


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start_session(user: User, user_agent: str, ip: str, now: datetime) -> str:
    """Record a sign-in on a device; returns the key its browser session keeps."""
    key = secrets.token_urlsafe(24)
    db.session.add(
        SignInSession(
            user_id=user.id,
            key_hash=key_hash(key),
            session_token=user.session_token,
            created_at=now,
            last_seen_at=now,
            user_agent=shorten_agent(user_agent),
            ip=ip[:45],
        )
    )
    db.session.flush()
    return key


def shorten_agent(agent: str) -> str:
    """A browser's self-description, short enough to list: the browser and the system."""
    agent = " ".join(agent.split())
    browser = next((b for b in ("Edg", "Firefox", "Chrome", "Safari") if f"{b}/" in agent), None)
    system = next(
        (s for s in ("Android", "iPhone", "iPad", "Windows", "Mac OS X", "Linux") if s in agent),
        None,
    )
    names = {"Edg": "Edge", "Mac OS X": "macOS"}
    if browser or system:
        parts = [names.get(p, p) for p in (browser, system) if p]
        return " on ".join(parts)[:120]
    return agent[:120] or "unknown browser"


def seen(session_id: int, now: datetime) -> None:
    """Bring a device's "last seen" up to date."""
    db.session.execute(
        update(SignInSession).where(SignInSession.id == session_id).values(last_seen_at=now)
    )


@dataclass(frozen=True)
class Device:
    id: int
    created_at: datetime
    last_seen_at: datetime
    user_agent: str
    ip: str
    current: bool


def devices(user: User, current_key: str | None, now: datetime) -> list[Device]:
    """The devices signed in to this account (newest first), this one marked."""
    mine = key_hash(current_key) if current_key else None
    rows = db.session.scalars(
        select(SignInSession)
        .where(
            SignInSession.user_id == user.id,
            SignInSession.session_token == user.session_token,
            SignInSession.ended_at.is_(None),
            SignInSession.last_seen_at > now - timedelta(days=DEVICE_DAYS),
        )
        .order_by(SignInSession.last_seen_at.desc(), SignInSession.id.desc())
        .limit(50)
    ).all()
    return [
        Device(r.id, r.created_at, r.last_seen_at, r.user_agent, r.ip, r.key_hash == mine)
        for r in rows
    ]


def end_other_sessions(user: User, current_key: str | None, now: datetime) -> int:
    """Sign out every other device (the user loader refuses a browser whose row has ended).
    Returns how many ended."""
    ended = _end_rows(user, current_key, now)
    audit.record("session.ended_others", actor=user, subject=user, devices=ended)
    return ended


def end_all_sessions(user: User, now: datetime) -> None:
    """Sign-out (which ends every session of the account): every device row ends too."""
    _end_rows(user, None, now)


def keep_this_device(user: User, current_key: str | None, now: datetime) -> None:
    """After a password change (a new session token: every other device is signed out, this
    one signed in again): this device goes on with the new token, the others end."""
    _end_rows(user, current_key, now)
    if current_key:
        db.session.execute(
            update(SignInSession)
            .where(SignInSession.key_hash == key_hash(current_key))
            .values(session_token=user.session_token)
        )


def _end_rows(user: User, keep_key: str | None, now: datetime) -> int:
    conditions: list[Any] = [SignInSession.user_id == user.id, SignInSession.ended_at.is_(None)]
    if keep_key:
        conditions.append(SignInSession.key_hash != key_hash(keep_key))
    ended = db.session.execute(
        update(SignInSession).where(*conditions).values(ended_at=now).returning(SignInSession.id)
    ).all()
    return len(ended)
