"""Two-factor sign-in (TOTP secrets, one-time recovery codes) and signed-in devices."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from trainer.clock import utcnow
from trainer.models.base import Base, UTCDateTime


class TwoFactor(Base):
    """A person's authenticator: the TOTP secret, encrypted with a key derived from the
    app's SECRET_KEY. ``enabled_at`` is None while the person is still enrolling (the secret
    is shown, no code confirmed yet); sign-in asks for a code only once it is set."""

    __tablename__ = "two_factor"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    secret_encrypted: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # the 30-second time step of the last accepted code: a code is accepted once (replay)
    last_step: Mapped[int | None] = mapped_column(BigInteger())


class RecoveryCode(Base):
    """One of the ten one-time codes for when the authenticator is lost (SHA-256 of a
    64-bit random code: the code itself is shown once, at enrolment)."""

    __tablename__ = "two_factor_recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SignInSession(Base):
    """One sign-in on one device (a browser): listed on the account page; ending it signs
    that device out. The browser's session holds a random key; only its SHA-256 is here."""

    __tablename__ = "sign_in_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # the account's session token when signed in: a new token (signing out, a password
    # reset, deactivation) signs every such device out, and the list leaves them out
    session_token: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    user_agent: Mapped[str] = mapped_column(String(120), default="")
    ip: Mapped[str] = mapped_column(String(45), default="")
