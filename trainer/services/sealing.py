"""Secrets the app must read back (TOTP secrets, webhook signing secrets) are stored sealed:
Fernet (AES-128-CBC with HMAC-SHA256, from ``cryptography``) under a key derived from the
app's SECRET_KEY by HKDF, one key per purpose. A copy of the database alone (a dump, a
replica) then reveals none of them; SECRET_KEY comes from the environment or the instance
folder, not the database. Changing SECRET_KEY makes them unreadable: ``unseal`` says so with
None, and the owners set them up again (a new authenticator, a new webhook secret)."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

#: the HKDF ``info`` of each purpose (never change one: what it sealed would not open)
TWO_FACTOR = b"trainer two-factor secrets"
WEBHOOKS = b"trainer webhook secrets"


def _fernet(purpose: bytes, secret_key: str | None = None) -> Fernet:
    material = secret_key if secret_key is not None else str(current_app.config["SECRET_KEY"])
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        material.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def seal(text: str, purpose: bytes, secret_key: str | None = None) -> str:
    """``text`` encrypted for ``purpose`` (``secret_key``: a migration's, else the app's)."""
    return _fernet(purpose, secret_key).encrypt(text.encode()).decode()


def unseal(token: str, purpose: bytes, secret_key: str | None = None) -> str | None:
    """What ``seal`` sealed, or None if it cannot be opened (SECRET_KEY changed since)."""
    try:
        return _fernet(purpose, secret_key).decrypt(token.encode()).decode()
    except InvalidToken:
        return None
