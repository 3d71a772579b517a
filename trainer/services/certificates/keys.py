"""The issuer: its identity (``did:web`` of the deployment, name and URL from configuration)
and its Ed25519 signing key, made once in the instance folder and published as a Multikey
in the DID document."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app

from trainer.domain import credential as vc


def _key_path() -> Path:
    configured = current_app.config.get("SIGNING_KEY_PATH")
    return (
        Path(configured) if configured else Path(current_app.instance_path) / "issuer-ed25519.pem"
    )


def signing_key() -> Ed25519PrivateKey:
    """The issuer key: generated on first use into the instance folder (mode 0600)."""
    path = _key_path()
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        assert isinstance(key, Ed25519PrivateKey)
        return key
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker made it first
        return signing_key()
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    return key


def public_key() -> Ed25519PublicKey:
    return signing_key().public_key()


def base_url() -> str:
    return str(current_app.config["BASE_URL"])


def issuer() -> vc.Issuer:
    """Who signs: this deployment (``did:web`` of BASE_URL; ISSUER_NAME, ISSUER_URL)."""
    config = current_app.config
    return vc.Issuer(vc.did_web(base_url()), str(config["ISSUER_NAME"]), str(config["ISSUER_URL"]))


def key_url() -> str:
    """The verification method of the credentials signed now."""
    return issuer().key_id


def legacy_key_url() -> str:
    """The verification method named by credentials signed before did:web (the same key,
    published as a JWK in the older issuer profile)."""
    return base_url() + "/.well-known/trainer-issuer.json#key-1"
