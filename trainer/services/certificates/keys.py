"""The issuer: its identity (``did:web`` of the deployment, name and URL from configuration)
and its Ed25519 signing keys, published as Multikeys in the DID document.

Keys are numbered (``key-1``, ``key-2``, ...). The newest key that is not retired signs;
every key not retired is published, so what an older key signed keeps verifying after a
rotation. A retired key (compromised, say) is no longer published, and a signature it made
after its retirement does not count. The private keys are PEM files (mode 0600) in the key
folder, ``SIGNING_KEY_DIR`` (default ``instance/keys``); the first key stays where it always
was, ``SIGNING_KEY_PATH`` (default ``instance/issuer-ed25519.pem``). Every app server and
worker must see the same folder (shared storage or the same secret mounted on each).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app
from sqlalchemy import func, select

from trainer.domain import credential as vc
from trainer.domain.errors import NotFound, RuleError
from trainer.extensions import db
from trainer.models import SigningKey
from trainer.services import audit, db_util


def _key_path() -> Path:
    configured = current_app.config.get("SIGNING_KEY_PATH")
    return (
        Path(configured) if configured else Path(current_app.instance_path) / "issuer-ed25519.pem"
    )


def _key_dir() -> Path:
    configured = current_app.config.get("SIGNING_KEY_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "keys"


def key_file(number: int) -> Path:
    """Where key N is kept: key-1 at SIGNING_KEY_PATH, later keys in SIGNING_KEY_DIR."""
    return _key_path() if number == 1 else _key_dir() / f"key-{number}.pem"


def _load_or_make(path: Path) -> Ed25519PrivateKey:
    """The key in ``path``; made there first if there is none (two processes racing: the
    loser reads the winner's)."""
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
    except FileExistsError:
        return _load_or_make(path)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    return key


def all_keys() -> list[SigningKey]:
    """Every key, oldest first. The first call on a new installation registers ``key-1``
    (the key file made on first use, or the one an earlier version made)."""
    rows = list(db.session.scalars(select(SigningKey).order_by(SigningKey.number)))
    if rows:
        return rows
    first = _load_or_make(key_file(1))
    made = datetime.fromtimestamp(key_file(1).stat().st_mtime, UTC)  # when the key was made
    with db_util.writing():
        db_util.insert_or_ignore(
            SigningKey,
            id="key-1",
            number=1,
            public_multibase=vc.multikey(first.public_key()),
            created_at=made,
        )
    return list(db.session.scalars(select(SigningKey).order_by(SigningKey.number)))


def current() -> SigningKey:
    """The key that signs now: the newest one not retired."""
    live = [k for k in all_keys() if k.retired_at is None]
    if not live:
        raise RuntimeError("every signing key is retired: run `trainer keys rotate`")
    return live[-1]


def signing_key() -> Ed25519PrivateKey:
    """The private key that signs now (its file must hold the key registered for it)."""
    row = current()
    key = _load_or_make(key_file(row.number))
    if vc.multikey(key.public_key()) != row.public_multibase:
        raise RuntimeError(f"the key file {key_file(row.number)} does not hold {row.id}")
    return key


def public_key() -> Ed25519PublicKey:
    """The public half of the key that signs now."""
    return vc.public_key_from_multikey(current().public_multibase)


def base_url() -> str:
    return str(current_app.config["BASE_URL"])


def issuer() -> vc.Issuer:
    """Who signs: this deployment (``did:web`` of BASE_URL; ISSUER_NAME, ISSUER_URL)."""
    config = current_app.config
    return vc.Issuer(vc.did_web(base_url()), str(config["ISSUER_NAME"]), str(config["ISSUER_URL"]))


def key_url() -> str:
    """The verification method of the credentials signed now."""
    return f"{issuer().did}#{current().id}"


def legacy_key_url() -> str:
    """The verification method named by credentials signed before did:web (``key-1``,
    published as a JWK in the older issuer profile)."""
    return base_url() + "/.well-known/trainer-issuer.json#key-1"


def published() -> list[tuple[str, Ed25519PublicKey]]:
    """(verification method id, public key) of every key not retired, oldest first."""
    did = issuer().did
    return [
        (f"{did}#{k.id}", vc.public_key_from_multikey(k.public_multibase))
        for k in all_keys()
        if k.retired_at is None
    ]


def by_method(verification_method: str) -> SigningKey | None:
    """The key a proof names (``<did>#key-N``, or the older issuer profile's ``#key-1``)."""
    if verification_method == legacy_key_url():
        key_id = "key-1"
    else:
        did, _, key_id = verification_method.partition("#")
        if did != issuer().did:
            return None
    return next((k for k in all_keys() if k.id == key_id), None)


@dataclass(frozen=True)
class Checked:
    claims: dict[str, object]
    key: SigningKey


def check(signed: dict[str, object]) -> Checked:
    """Verify a credential this installation signed, with the key its proof names. A key
    retired before the proof was made does not count. Raises vc.CredentialError."""
    proof = signed.get("proof")
    first = proof[0] if isinstance(proof, list) and proof else proof
    if not isinstance(first, dict):
        raise vc.CredentialError("the credential carries no proof")
    key = by_method(str(first.get("verificationMethod", "")))
    if key is None:
        raise vc.CredentialError("the proof names a key this issuer never had")
    claims = vc.verify(signed, vc.public_key_from_multikey(key.public_multibase))
    created = datetime.fromisoformat(str(first.get("created", "")).replace("Z", "+00:00"))
    if key.retired_at is not None and created >= key.retired_at:
        raise vc.CredentialError(
            f"signed with {key.id} after the issuer retired that key on "
            f"{key.retired_at:%Y-%m-%d} ({key.retire_reason})"
        )
    return Checked(claims, key)


def rotate(now: datetime) -> SigningKey:
    """Make the next key; it signs from now on. The caller marks the status lists stale so
    they are signed again with it."""
    number = (db.session.scalar(select(func.max(SigningKey.number))) or len(all_keys())) + 1
    path = key_file(number)
    if path.exists():
        raise RuleError(None, f"{path} already exists: move it away or restore its key row")
    key = _load_or_make(path)
    row = SigningKey(
        id=f"key-{number}",
        number=number,
        public_multibase=vc.multikey(key.public_key()),
        created_at=now,
    )
    db.session.add(row)
    db.session.flush()
    audit.record("signing_key.created", subject=row, subject_id=row.id)
    return row


def retire(key_id: str, reason: str, now: datetime) -> SigningKey:
    """Stop publishing a key (compromised, say). The key that signs now can be retired only
    once a newer one exists. Raises NotFound, RuleError."""
    row = db.session.get(SigningKey, key_id)
    if row is None:
        raise NotFound(key_id)
    if not reason.strip():
        raise RuleError("reason", "Give the reason for retiring the key.")
    if row.retired_at is not None:
        raise RuleError(None, f"{key_id} was already retired on {row.retired_at:%Y-%m-%d}.")
    if row.id == current().id:
        raise RuleError(None, f"{key_id} signs now: rotate first (`trainer keys rotate`).")
    row.retired_at, row.retire_reason = now, reason.strip()
    db.session.flush()
    audit.record("signing_key.retired", subject=row, subject_id=row.id, reason=row.retire_reason)
    return row
