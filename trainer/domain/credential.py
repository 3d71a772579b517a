"""The signed digital credential: JSON shaped after the W3C Verifiable Credentials data model
and Open Badges 3.0 ``OpenBadgeCredential``, with an Ed25519 proof over its RFC 8785
canonical form (an ``eddsa-jcs-2022``-style DataIntegrityProof).
"""

from __future__ import annotations

import base64
import copy
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]


@dataclass(frozen=True)
class CertificateFacts:
    """What a certificate states: the public facts, never recovery history or scores."""

    number: str
    holder_name: str
    credential_name: str
    abbreviation: str
    program_title: str
    issuing_authority: str
    jurisdiction: str
    issued_at: datetime
    expires_at: datetime
    verify_url: str
    issuer_url: str
    key_url: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def build(facts: CertificateFacts) -> dict[str, Any]:
    """The unsigned credential."""
    return {
        "@context": CONTEXT,
        "id": facts.verify_url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": facts.issuer_url, "type": ["Profile"], "name": facts.issuing_authority},
        "validFrom": facts.issued_at.isoformat(),
        "validUntil": facts.expires_at.isoformat(),
        "name": facts.credential_name,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": facts.holder_name,
            "achievement": {
                "id": f"{facts.issuer_url}#{facts.abbreviation}",
                "type": ["Achievement"],
                "name": f"{facts.credential_name} ({facts.abbreviation})",
                "description": f"{facts.program_title}, {facts.jurisdiction}",
                "criteria": {
                    "narrative": "Completed the required training, passed the "
                    "certification exam and met the supervised-work and "
                    "other requirements of the program."
                },
            },
        },
        "credentialStatus": {"id": facts.verify_url, "type": "TrainerVerifyPage"},
        "certificateNumber": facts.number,
    }


def sign(
    credential: dict[str, Any], key: Ed25519PrivateKey, key_url: str, created: datetime
) -> dict[str, Any]:
    """Return a copy carrying ``proof``: an Ed25519 signature over the canonical JSON."""
    signed = copy.deepcopy(credential)
    signed.pop("proof", None)
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-jcs-2022",
        "created": created.isoformat(),
        "verificationMethod": key_url,
        "proofPurpose": "assertionMethod",
    }
    payload = _signing_input(signed, proof)
    signed["proof"] = {**proof, "proofValue": _b64(key.sign(payload))}
    return signed


def _signing_input(document: dict[str, Any], proof: dict[str, Any]) -> bytes:
    # As eddsa-jcs-2022: hash of the canonical proof options, then of the canonical document.
    return (
        hashlib.sha256(rfc8785.dumps(proof)).digest()
        + hashlib.sha256(rfc8785.dumps(document)).digest()
    )


class CredentialError(ValueError):
    """The credential is malformed or its signature does not verify."""


def verify(signed: dict[str, Any], public_key: Ed25519PublicKey) -> dict[str, Any]:
    """Check the proof; return the credential without it. Raises CredentialError."""
    if not isinstance(signed, dict) or not isinstance(signed.get("proof"), dict):
        raise CredentialError("no proof in the credential")
    document = copy.deepcopy(signed)
    proof = document.pop("proof")
    value = proof.pop("proofValue", None)
    if not isinstance(value, str):
        raise CredentialError("the proof has no signature")
    try:
        public_key.verify(_unb64(value), _signing_input(document, proof))
    except (InvalidSignature, ValueError) as error:
        raise CredentialError(
            "the signature does not match: the credential was altered or signed by another key"
        ) from error
    return document


def public_key_jwk(public_key: Ed25519PublicKey) -> dict[str, str]:
    from cryptography.hazmat.primitives import serialization

    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "x": _b64(raw)}


def public_key_from_jwk(jwk: dict[str, str]) -> Ed25519PublicKey:
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519" or "x" not in jwk:
        raise CredentialError("not an Ed25519 public key")
    return Ed25519PublicKey.from_public_bytes(_unb64(jwk["x"]))
