"""The signed digital credential: an Open Badges 3.0 ``OpenBadgeCredential`` (a W3C Verifiable
Credential 2.0) secured with a Data Integrity proof of the ``eddsa-rdfc-2022`` cryptosuite.

How it is signed follows W3C "Data Integrity EdDSA Cryptosuites v1.0", section 3.2
(https://www.w3.org/TR/vc-di-eddsa/#eddsa-rdfc-2022): the proof options (with the document's
``@context``) and the document are each canonicalised with RDFC-1.0 and hashed with SHA-256;
the Ed25519 signature over the two hashes (options first) is the ``proofValue``, multibase
base58btc (``z…``). The verification method is a Multikey (W3C Controlled Identifiers 1.0):
``publicKeyMultibase`` is ``z`` + base58btc(0xed 0x01 + the 32-byte key).

Credentials signed before (a single ``proof`` object with cryptosuite ``eddsa-jcs-2022``, an
Ed25519 signature over RFC 8785 JSON, base64url) still verify here: see ``_verify_legacy``.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import base58
import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from trainer.domain import jsonld

CONTEXT = [jsonld.VC_V2, jsonld.OB_V3]
CRYPTOSUITE = "eddsa-rdfc-2022"
LEGACY_CRYPTOSUITE = "eddsa-jcs-2022"
#: the multicodec prefix of an Ed25519 public key (0xed, as an unsigned varint)
_ED25519_PUB = b"\xed\x01"


@dataclass(frozen=True)
class Issuer:
    """Who signs: this deployment, named by configuration, identified by ``did:web``."""

    did: str
    name: str
    url: str


@dataclass(frozen=True)
class StatusEntry:
    """Where the credential's revocation bit is published (a Bitstring Status List)."""

    list_url: str
    index: int
    purpose: str = "revocation"


@dataclass(frozen=True)
class CertificateFacts:
    """What a certificate states: the public facts, never recovery history or scores."""

    number: str
    holder_name: str
    credential_name: str
    abbreviation: str
    program_id: str
    program_title: str
    issuing_authority: str  # the regulator or board the credential relates to (not the signer)
    jurisdiction: str
    issued_at: datetime
    expires_at: datetime
    verify_url: str
    issuer: Issuer
    holder_identity: str | None = None  # identity_hash() of the holder's e-mail address
    identity_salt: str | None = None
    status: StatusEntry | None = None


class CredentialError(ValueError):
    """The credential is malformed or its signature does not verify."""


def did_web(base_url: str) -> str:
    """The ``did:web`` identifier of a deployment's base URL (did:web method, section 3.1):
    the host (its port's colon percent-encoded), then each path segment after a colon."""
    rest = base_url.split("://", 1)[-1].rstrip("/")
    host, _, path = rest.partition("/")
    parts = [host.replace(":", "%3A"), *(p for p in path.split("/") if p)]
    return "did:web:" + ":".join(parts)


def identity_hash(email: str, salt: str) -> str:
    """Open Badges 3.0 IdentityHash of an e-mail address: ``sha256$`` and the hex SHA-256 of
    the address (trimmed, lower case: our choice, so a holder can reproduce it) and salt."""
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()


def stamp(moment: datetime) -> str:
    """An XSD dateTimeStamp in UTC, to the second."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _urn(*parts: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, "/".join(parts)).urn


def _subject(facts: CertificateFacts) -> dict[str, Any]:
    identifiers: list[dict[str, Any]] = [
        {
            "type": "IdentityObject",
            "identityType": "name",
            "hashed": False,
            "identityHash": facts.holder_name,
        }
    ]
    if facts.holder_identity:
        identifiers.append(
            {
                "type": "IdentityObject",
                "identityType": "emailAddress",
                "hashed": True,
                "identityHash": facts.holder_identity,
                "salt": facts.identity_salt or "",
            }
        )
    authority = {
        "id": _urn(facts.issuer.did, "authority", facts.issuing_authority),
        "type": ["Profile"],
        "name": facts.issuing_authority,
    }
    return {
        "type": ["AchievementSubject"],
        "name": facts.holder_name,
        "identifier": identifiers,
        "achievement": {
            "id": _urn(facts.issuer.did, "achievement", facts.program_id),
            "type": ["Achievement"],
            "achievementType": "Certification",
            "name": facts.credential_name,
            "humanCode": facts.abbreviation,
            "description": f"{facts.program_title} ({facts.jurisdiction}). The credential "
            f"relates to the rules of {facts.issuing_authority}.",
            "criteria": {
                "narrative": "Completed the program's required training and passed its "
                "certification exam, with every other requirement the program sets met."
            },
            "creator": authority,
        },
    }


def build(facts: CertificateFacts) -> dict[str, Any]:
    """The unsigned credential."""
    credential: dict[str, Any] = {
        "@context": list(CONTEXT),
        "id": facts.verify_url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": facts.issuer.did,
            "type": ["Profile"],
            "name": facts.issuer.name,
            "url": facts.issuer.url,
        },
        "validFrom": stamp(facts.issued_at),
        "validUntil": stamp(facts.expires_at),
        "name": f"{facts.credential_name} ({facts.abbreviation})",
        "description": f"Certificate {facts.number}, issued by {facts.issuer.name}. Check "
        f"it at {facts.verify_url}",
        "credentialSubject": _subject(facts),
    }
    if facts.status is not None:
        credential["credentialStatus"] = status_entry(facts.status)
    return credential


def status_entry(entry: StatusEntry) -> dict[str, Any]:
    return {
        "id": f"{entry.list_url}#{entry.index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": entry.purpose,
        "statusListIndex": str(entry.index),
        "statusListCredential": entry.list_url,
    }


def _hash_data(document: Mapping[str, Any], options: Mapping[str, Any]) -> bytes:
    config = {"@context": document["@context"], **options}
    return (
        hashlib.sha256(jsonld.canonical(config)).digest()
        + hashlib.sha256(jsonld.canonical(dict(document))).digest()
    )


def sign(
    credential: Mapping[str, Any],
    key: Ed25519PrivateKey,
    verification_method: str,
    created: datetime,
) -> dict[str, Any]:
    """Return a copy carrying ``proof``: one ``eddsa-rdfc-2022`` DataIntegrityProof."""
    document = copy.deepcopy(dict(credential))
    document.pop("proof", None)
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": stamp(created),
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }
    signature = key.sign(_hash_data(document, options))
    document["proof"] = [{**options, "proofValue": "z" + base58.b58encode(signature).decode()}]
    return document


def _one_proof(signed: Mapping[str, Any]) -> dict[str, Any]:
    proof = signed.get("proof")
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    if not isinstance(proof, dict):
        raise CredentialError("the credential carries no proof (or more than one)")
    return dict(proof)


def verify(signed: Mapping[str, Any], public_key: Ed25519PublicKey) -> dict[str, Any]:
    """Check the proof; return the credential without it. Raises CredentialError."""
    if not isinstance(signed, Mapping):
        raise CredentialError("not a credential")
    proof = _one_proof(signed)
    document = {k: copy.deepcopy(v) for k, v in signed.items() if k != "proof"}
    value = proof.pop("proofValue", None)
    if not isinstance(value, str):
        raise CredentialError("the proof has no signature")
    if proof.get("cryptosuite") == LEGACY_CRYPTOSUITE:
        return _verify_legacy(document, proof, value, public_key)
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != CRYPTOSUITE:
        raise CredentialError("the proof is not an eddsa-rdfc-2022 Data Integrity proof")
    if not value.startswith("z"):
        raise CredentialError("the proof value is not multibase base58btc")
    try:
        public_key.verify(base58.b58decode(value[1:]), _hash_data(document, proof))
    except (InvalidSignature, ValueError) as error:
        raise _altered() from error
    return document


def _altered() -> CredentialError:
    return CredentialError(
        "the signature does not match: the credential was altered or signed by another key"
    )


def _verify_legacy(
    document: dict[str, Any], proof: dict[str, Any], value: str, key: Ed25519PublicKey
) -> dict[str, Any]:
    """Credentials issued before eddsa-rdfc-2022: SHA-256 of the RFC 8785 form of the proof
    options, then of the document; the signature base64url without padding."""
    payload = (
        hashlib.sha256(rfc8785.dumps(proof)).digest()
        + hashlib.sha256(rfc8785.dumps(document)).digest()
    )
    try:
        key.verify(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)), payload)
    except (InvalidSignature, ValueError) as error:
        raise _altered() from error
    return document


def _raw(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def multikey(public_key: Ed25519PublicKey) -> str:
    """The key's ``publicKeyMultibase``."""
    return "z" + base58.b58encode(_ED25519_PUB + _raw(public_key)).decode()


def public_key_from_multikey(value: str) -> Ed25519PublicKey:
    try:
        raw = base58.b58decode(value[1:]) if value.startswith("z") else b""
    except ValueError:
        raw = b""
    if len(raw) != 34 or not raw.startswith(_ED25519_PUB):
        raise CredentialError("not a multibase Ed25519 public key")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def did_document(issuer: Issuer, keys: Sequence[tuple[str, Ed25519PublicKey]]) -> dict[str, Any]:
    """The issuer's DID document: its Multikeys (``(method id, key)``, each one in use),
    each authorised to make assertions."""
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": issuer.did,
        "verificationMethod": [
            {
                "id": method,
                "type": "Multikey",
                "controller": issuer.did,
                "publicKeyMultibase": multikey(key),
            }
            for method, key in keys
        ],
        "assertionMethod": [method for method, _ in keys],
        "service": [
            {"id": f"{issuer.did}#site", "type": "LinkedDomains", "serviceEndpoint": issuer.url}
        ],
    }


def public_key_jwk(public_key: Ed25519PublicKey) -> dict[str, str]:
    x = base64.urlsafe_b64encode(_raw(public_key)).rstrip(b"=").decode()
    return {"kty": "OKP", "crv": "Ed25519", "x": x}


def public_key_from_document(
    doc: Mapping[str, Any], method_id: str | None = None
) -> Ed25519PublicKey:
    """The Ed25519 key in a DID document (Multikey), the older issuer profile (JWK), or a
    bare JWK; with ``method_id``, the key of that verification method (a document lists one
    key per method after a rotation; a document of one key serves whatever the proof names
    it). Raises CredentialError."""
    methods = [m for m in doc.get("verificationMethod", [doc]) if isinstance(m, Mapping)]
    named = [m for m in methods if method_id and m.get("id") == method_id]
    if method_id and (named or len(methods) > 1):
        methods = named
    for method in methods:
        if "publicKeyMultibase" in method:
            return public_key_from_multikey(str(method["publicKeyMultibase"]))
        jwk = method.get("publicKeyJwk", method)
        if jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519" and "x" in jwk:
            x = str(jwk["x"])
            return Ed25519PublicKey.from_public_bytes(
                base64.urlsafe_b64decode(x + "=" * (-len(x) % 4))
            )
    raise CredentialError("no Ed25519 public key in the document")
