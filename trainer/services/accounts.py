"""Accounts: registration, sign-in, passwords, profiles and admin user management."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from zoneinfo import available_timezones

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app
from sqlalchemy import select

from trainer.domain import roles as role_rules
from trainer.domain.errors import NotAllowed, RuleError
from trainer.domain.passwords import check_new_password
from trainer.extensions import db
from trainer.models import PasswordToken, User, UserRole
from trainer.models.accounts import new_session_token
from trainer.services import audit, outbox

_hasher = PasswordHasher()  # argon2id with the library's recommended parameters
# Verified against when no account matches, so a wrong e-mail costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))

TIMEZONES = frozenset(available_timezones())


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def _check_timezone(tz: str) -> str:
    if tz not in TIMEZONES:
        raise RuleError("timezone", "Choose a time zone from the list.")
    return tz


def _set_password(user: User, password: str) -> None:
    user.password_hash = _hasher.hash(password)
    user.session_token = new_session_token()  # every other session of this user ends


def end_sessions(user: User) -> None:
    """Sign-out: a new session token, so every copy of the old cookie stops working."""
    user.session_token = new_session_token()
    db.session.flush()


def register_trainee(
    email: str, legal_name: str, password: str, timezone: str, now: datetime
) -> None:
    """Start a trainee account; the caller's answer is the same whether or not the address
    was taken, so nobody learns from it who has an account.

    A new address gets an account that cannot sign in yet and a link to confirm it. A taken
    address gets no account: its owner is told that someone tried (or, if they never
    confirmed, gets a fresh confirmation link). Raises RuleError only for what the form says
    about itself (a weak password, an unknown time zone), never about the address.
    """
    email = normalise_email(email)
    check_new_password(password, email)
    timezone = _check_timezone(timezone)
    existing = find_by_email(email)
    if existing is not None:
        _tell_owner_of_registration(existing, now)
        return
    user = User(email=email, legal_name=legal_name.strip(), timezone=timezone)
    user.role_rows = [UserRole(role=role_rules.TRAINEE)]
    _set_password(user, password)
    db.session.add(user)
    db.session.flush()
    audit.record("account.registered", actor=user, subject=user)
    _send_confirmation(user, now)


def _send_confirmation(user: User, now: datetime) -> None:
    hours = current_app.config["ACCOUNT_SETUP_HOURS"]
    token = _issue_token(user, "confirm", hours, now)
    outbox.queue_mail(
        user.email,
        "Confirm your e-mail address for trainer",
        f"Hello {user.display_name},\n\nTo finish creating your trainer account, open this "
        f"link within {hours} hours and confirm your address:\n\n"
        f"{outbox.link('auth.confirm_email', token=token)}\n\n"
        "If you did not create an account, ignore this message; nothing happens without "
        "the link.\n",
        kind="account_confirm",
    )


def _tell_owner_of_registration(user: User, now: datetime) -> None:
    if user.email_verified_at is None and user.active:
        _send_confirmation(user, now)  # they registered before and lost the link
        audit.record("account.confirmation_resent", subject=user)
        return
    outbox.queue_mail(
        user.email,
        "Someone tried to register with your address",
        f"Hello {user.display_name},\n\nSomeone tried to create a new trainer account with "
        "this e-mail address, which already has an account. If it was you, sign in here "
        f"(or choose a new password from the same page): {outbox.link('auth.login')}\n\n"
        "If it was not you, you need not do anything: no account was created and your "
        "password is unchanged.\n",
        kind="account_exists",
    )
    audit.record("account.register_existing", subject=user)


def confirm_email(token: str, now: datetime) -> User:
    """Mark the address proven and return the account, or RuleError for a bad link."""
    row = token_user(token, now, purposes={"confirm"})
    if row is None:
        raise RuleError(None, "This link has expired or was already used.")
    row.used_at = now
    row.user.email_verified_at = row.user.email_verified_at or row.used_at
    audit.record("account.email_confirmed", actor=row.user, subject=row.user)
    return row.user


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with this e-mail and password, or None (never says which failed)."""
    user = find_by_email(email)
    try:
        _hasher.verify(user.password_hash if user and user.password_hash else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if user is None or not user.password_hash or not user.active:
        return None
    if user.email_verified_at is None:
        return None  # the same answer as a wrong password: see register_trainee
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def password_matches(user: User, password: str) -> bool:
    """Is ``password`` the person's current password? (Asked again before sensitive changes.)"""
    try:
        _hasher.verify(user.password_hash or _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return bool(user.password_hash)


def change_password(user: User, current: str, new: str) -> None:
    if not password_matches(user, current):
        raise RuleError("current_password", "That is not your current password.")
    check_new_password(new, user.email, field="new_password")
    _set_password(user, new)
    audit.record("account.password_changed", actor=user, subject=user)


def update_profile(user: User, legal_name: str, preferred_name: str | None, timezone: str) -> None:
    user.legal_name = legal_name.strip()
    user.preferred_name = (preferred_name or "").strip() or None
    user.timezone = _check_timezone(timezone)
    audit.record("account.profile_updated", actor=user, subject=user)


# -- password links ---------------------------------------------------------------------------


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _issue_token(user: User, purpose: str, hours: int, now: datetime) -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(
        PasswordToken(
            user_id=user.id,
            token_hash=_hash_token(token),
            purpose=purpose,
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
    )
    db.session.flush()
    return token


def _password_link(token: str) -> str:
    return outbox.link("auth.reset_password", token=token)


def request_password_reset(email: str, now: datetime) -> None:
    """E-mail a reset link if an active account has this address; say nothing either way."""
    user = find_by_email(email)
    if user is None or not user.active:
        return
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    token = _issue_token(user, "reset", hours, now)
    outbox.queue_mail(
        user.email,
        "Reset your trainer password",
        f"Hello {user.display_name},\n\nSomeone asked to reset the password of your trainer "
        f"account. To choose a new password, open this link within {hours} hours:\n\n"
        f"{_password_link(token)}\n\nThe link works once. If you did not ask for this, "
        "ignore this message; your password stays as it is.\n",
        kind="password_reset",
    )
    audit.record("account.reset_requested", actor=None, subject=user)


def token_user(
    token: str, now: datetime, purposes: frozenset[str] | set[str] = frozenset({"reset", "setup"})
) -> PasswordToken | None:
    """The unused, unexpired token row for ``token`` with one of ``purposes``, or None."""
    row = db.session.scalar(
        select(PasswordToken).where(PasswordToken.token_hash == _hash_token(token[:200]))
    )
    if row is None or row.used_at is not None or row.expires_at <= now or not row.user.active:
        return None
    return row if row.purpose in purposes else None


def reset_password(token: str, new_password: str, now: datetime) -> User:
    row = token_user(token, now)
    if row is None:
        raise RuleError(None, "This link has expired or was already used. Ask for a new one.")
    check_new_password(new_password, row.user.email)
    row.used_at = now
    row.user.email_verified_at = row.user.email_verified_at or row.used_at  # the link proves it
    _set_password(row.user, new_password)
    audit.record("account.password_reset", actor=row.user, subject=row.user, purpose=row.purpose)
    return row.user


# -- admin ------------------------------------------------------------------------------------


def _organisation(roles: set[str], organisation: str | None) -> str | None:
    """An employer's organisation, required for one (only employers keep one)."""
    name = " ".join((organisation or "").split()) or None
    if role_rules.EMPLOYER not in roles:
        return None
    if name is None:
        raise RuleError(
            "organisation", "An employer needs an organisation, e.g. Bluegrass Recovery Center."
        )
    if len(name) > 200:
        raise RuleError("organisation", "Shorten the organisation's name to 200 characters.")
    return name


def create_user(
    actor: User | None,
    email: str,
    legal_name: str,
    roles: set[str],
    jurisdiction: str | None = None,
    password: str | None = None,
    send_setup_link: bool = True,
    *,
    now: datetime,
    organisation: str | None = None,
) -> User:
    """Create an account with ``roles``. Without a password, mail a link to set one.
    An employer needs ``organisation`` (RuleError on that field)."""
    email = normalise_email(email)
    jurisdiction = role_rules.validate_assignment(set(roles), jurisdiction)
    organisation = _organisation(set(roles), organisation)
    if find_by_email(email) is not None:
        raise RuleError("email", "An account with this e-mail address already exists.")
    if password is not None:
        check_new_password(password, email)
    user = User(
        email=email,
        legal_name=legal_name.strip(),
        jurisdiction=jurisdiction,
        organisation=organisation,
    )
    if password is not None:
        user.email_verified_at = now  # an admin vouches for an address given a password
    user.role_rows = [UserRole(role=r) for r in sorted(roles)]
    if password is not None:
        _set_password(user, password)
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user.created", actor=actor, subject=user, roles=sorted(roles), jurisdiction=jurisdiction,
        organisation=organisation,
    )  # fmt: skip
    if password is None and send_setup_link:
        hours = current_app.config["ACCOUNT_SETUP_HOURS"]
        token = _issue_token(user, "setup", hours, now)
        outbox.queue_mail(
            user.email,
            "Your trainer account",
            f"Hello {user.legal_name},\n\nAn administrator created a trainer account for you "
            f"({', '.join(role_rules.ROLE_LABELS[r] for r in sorted(roles))}). Choose your "
            f"password within {hours} hours here:\n\n{_password_link(token)}\n",
            kind="account_setup",
        )
    return user


def update_user(
    actor: User,
    user: User,
    roles: set[str],
    jurisdiction: str | None,
    active: bool,
    organisation: str | None = None,
) -> None:
    """Change a person's roles, jurisdiction, organisation (employers; None: keep it) and
    whether they may sign in.

    Deactivating ends every session of the user at once. An admin cannot lock themself out
    (remove their own admin role or deactivate themself).
    """
    jurisdiction = role_rules.validate_assignment(set(roles), jurisdiction)
    organisation = _organisation(
        set(roles), user.organisation if organisation is None else organisation
    )
    if user.id == actor.id and (role_rules.ADMIN not in roles or not active):
        raise NotAllowed("You cannot remove your own administrator access.")
    before = {
        "roles": sorted(user.roles),
        "jurisdiction": user.jurisdiction,
        "organisation": user.organisation,
        "active": user.active,
    }
    existing = {r.role: r for r in user.role_rows}
    user.role_rows = [existing.get(r) or UserRole(role=r) for r in sorted(roles)]
    user.jurisdiction, user.organisation = jurisdiction, organisation
    if user.active and not active:
        user.session_token = new_session_token()
    user.active = active
    after = {
        "roles": sorted(roles),
        "jurisdiction": jurisdiction,
        "organisation": organisation,
        "active": active,
    }
    if before != after:
        audit.record("user.updated", actor=actor, subject=user, before=before, after=after)
