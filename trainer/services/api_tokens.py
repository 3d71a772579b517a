"""Personal API tokens for the registry API: created and revoked by their owner.

A token is 32 random bytes (``secrets``), shown once and stored as its SHA-256: a token has
far more entropy than a password, so a fast hash is the standard choice (it is looked up on
every call). It carries its owner's role and jurisdiction as they are at the time of use.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from trainer.domain.errors import NotFound, RuleError
from trainer.extensions import db
from trainer.models import ApiToken, User
from trainer.services import audit, db_util

PREFIX = "trn_"
LIFETIMES = (30, 90, 365)  # days a token may live
MAX_ACTIVE = 10
API_ROLES = ("board",)


@dataclass(frozen=True)
class TokenView:
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    state: str  # active | expired | revoked


class TokenRefused(Exception):
    """The bearer token cannot be used: ``status`` is 401 (who are you?) or 403 (not this)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def _state(token: ApiToken, now: datetime) -> str:
    if token.revoked_at is not None:
        return "revoked"
    return "expired" if now >= token.expires_at else "active"


def tokens_of(user: User, now: datetime) -> list[TokenView]:
    rows = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    ).all()
    return [
        TokenView(
            t.id,
            t.name,
            t.prefix,
            t.created_at,
            t.expires_at,
            t.last_used_at,
            t.revoked_at,
            _state(t, now),
        )
        for t in rows
    ]


def create(user: User, name: str, days: int, now: datetime) -> tuple[TokenView, str]:
    """Make a token for ``user``; returns it and the secret, which is never shown again."""
    if not user.has_role(*API_ROLES):
        raise RuleError(None, "Only board members can create API tokens.")
    name = " ".join(name.split())
    if not name:
        raise RuleError("name", "Name the token after the system that will use it.")
    if len(name) > 80:
        raise RuleError("name", "Use at most 80 characters.")
    if days not in LIFETIMES:
        raise RuleError("days", "Choose one of the offered lifetimes.")
    active = db.session.scalar(
        select(func.count())
        .select_from(ApiToken)
        .where(
            ApiToken.user_id == user.id,
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > now,
        )
    )
    if (active or 0) >= MAX_ACTIVE:
        raise RuleError(None, f"You have {MAX_ACTIVE} active tokens; revoke one first.")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name,
        prefix=secret[:12],
        token_sha256=digest(secret),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(token)
    db.session.flush()
    audit.record("api_token.created", actor=user, subject=token, name=name, days=days)
    return tokens_of(user, now)[0], secret


def revoke(user: User, token_id: int, now: datetime) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(token_id)
    if token.revoked_at is not None:
        raise RuleError(None, f"The token {token.name} is already revoked.")
    token.revoked_at = now
    db.session.flush()
    audit.record("api_token.revoked", actor=user, subject=token, name=token.name)
    return token


def authenticate(header: str | None, roles: frozenset[str], now: datetime) -> User:
    """The user a ``Authorization: Bearer <token>`` header stands for, or TokenRefused."""
    if not header:
        raise TokenRefused(401, "Send an API token: Authorization: Bearer <token>.")
    scheme, _, secret = header.partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        raise TokenRefused(401, "Use the Bearer scheme: Authorization: Bearer <token>.")
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_sha256 == digest(secret[:200])))
    if token is None:
        raise TokenRefused(401, "This API token is not known.")
    user = token.user
    if token.revoked_at is not None:
        raise TokenRefused(401, "This API token was revoked. Create a new one.")
    if now >= token.expires_at:
        raise TokenRefused(401, "This API token has expired. Create a new one.")
    if not user.active:
        raise TokenRefused(401, "The account this token belongs to is deactivated.")
    if not user.has_role(*roles) or not user.jurisdiction:
        raise TokenRefused(403, "This token's account does not have access to this endpoint.")
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        with db_util.writing():  # at most once a minute: not a write per call
            token.last_used_at = now
    return user


def token_id_for(header: str | None) -> str | None:
    """A stable, non-secret key for rate limiting: the digest of the presented token."""
    if not header or " " not in header:
        return None
    return digest(header.partition(" ")[2].strip()[:200])[:32]
