"""The signed credential as other systems read it: Open Badges 3.0 schema, an independent
verifier (Digital Bazaar's VC, Data Integrity eddsa-rdfc-2022, Multikey and Bitstring
Status List libraries, run with node, offline), the published status list, and credentials
signed before all this still verifying.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import rfc8785

from tests.support.certificates import certified
from tests.support.content import write_tree
from tests.support.exams import load
from trainer.clock import utcnow
from trainer.domain import credential as vc
from trainer.domain import statuslist
from trainer.extensions import db
from trainer.models import Certificate, User
from trainer.services import certificates, jobs

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "tests/data/standards/openbadges-3.0/achievementcredential.schema.json"
VERIFIER = ROOT / "tests/verifier/verify.mjs"


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {
        "BASE_URL": "https://certify.example.org",
        "ISSUER_NAME": "Example Training Collaborative",
        "ISSUER_URL": "https://www.example.org",
    }


@pytest.fixture
def issued(app: Any, tmp_path: Path, make_user: Any) -> dict[str, Any]:
    """A certificate earned through the real services, with its holder."""
    load(app, write_tree(tmp_path))
    trainee, _, _ = certified(app, make_user, "Casey Candidate")
    with app.app_context():
        cert = db.session.query(Certificate).one()
        return {
            "number": cert.number,
            "credential": json.loads(cert.credential_json),
            "email": trainee.email,
        }


def _published(app: Any) -> dict[str, Any]:
    """What a verifier fetches: the DID document and the status list, by their ids."""
    client = app.test_client()
    did = client.get("/.well-known/did.json")
    status = client.get("/credentials/status/revocation")
    assert did.status_code == 200 and status.status_code == 200
    return {did.json["id"]: did.json, status.json["id"]: status.json}


def _independent(credential: dict[str, Any], documents: dict[str, Any], tmp: Path) -> Any:
    node = shutil.which("node")
    assert node, "node is needed for the independent verifier (npm ci installs its packages)"
    case = tmp / "case.json"
    case.write_text(json.dumps({"credential": credential, "documents": documents}))
    run = subprocess.run(
        [node, str(VERIFIER), str(case)], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_issued_credential_meets_the_open_badges_schema(issued: dict[str, Any]) -> None:
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft201909Validator(schema).validate(issued["credential"])
    credential = issued["credential"]
    assert isinstance(credential["proof"], list)
    proof = credential["proof"][0]
    assert proof["cryptosuite"] == "eddsa-rdfc-2022" and proof["proofValue"].startswith("z")


def test_the_deployment_signs_and_the_authority_is_named_as_such(
    issued: dict[str, Any],
) -> None:
    credential = issued["credential"]
    assert credential["issuer"] == {
        "id": "did:web:certify.example.org",
        "type": ["Profile"],
        "name": "Example Training Collaborative",
        "url": "https://www.example.org",
    }
    assert credential["proof"][0]["verificationMethod"] == "did:web:certify.example.org#key-1"
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["creator"]["name"] == "Testland Board"  # the rules' owner, not signer


def test_holder_can_prove_the_credential_is_theirs(issued: dict[str, Any]) -> None:
    identifiers = issued["credential"]["credentialSubject"]["identifier"]
    by_type = {i["identityType"]: i for i in identifiers}
    email = by_type["emailAddress"]
    assert email["hashed"] is True and issued["email"] not in json.dumps(issued["credential"])
    expected = hashlib.sha256((issued["email"].lower() + email["salt"]).encode()).hexdigest()
    assert email["identityHash"] == f"sha256${expected}"
    assert by_type["name"]["identityHash"] == "Casey Candidate"


def test_identity_hash_matches_the_open_badges_example() -> None:
    # OB 3.0, IdentityHash: "a@example.com" salted with "Kosher"
    assert vc.identity_hash("a@example.com", "Kosher") == (
        "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"
    )


def test_an_independent_verifier_accepts_it_and_refuses_a_changed_name(
    app: Any, issued: dict[str, Any], tmp_path: Path
) -> None:
    documents = _published(app)
    fresh = _independent(issued["credential"], documents, tmp_path)
    assert fresh["verified"] is True, fresh["error"]
    assert fresh["status"] and fresh["status"][0]["set"] is False  # not revoked
    altered = copy.deepcopy(issued["credential"])
    altered["credentialSubject"]["name"] = "Someone Else"
    result = _independent(altered, documents, tmp_path)
    assert result["verified"] is False and "Invalid signature" in result["error"]


def test_a_revoked_credential_shows_revoked_once_the_worker_signs_the_list(
    app: Any, issued: dict[str, Any], tmp_path: Path, make_user: Any
) -> None:
    before = _published(app)  # the first request signs and keeps the list
    admin = make_user("admin")
    with app.app_context():
        certificates.revoke(db.session.get(User, admin.id), issued["number"], "Fraud", utcnow())
        db.session.commit()
    cached = _published(app)
    assert cached == before  # served as kept until the worker signs it again
    with app.app_context():
        done = jobs.run_due("test-worker", utcnow)
    assert done["certificates.status_lists"] == "1 status lists signed"
    result = _independent(issued["credential"], _published(app), tmp_path)
    assert result["status"] and result["status"][0]["set"] is True, result
    entry = issued["credential"]["credentialStatus"]
    served = app.test_client().get("/credentials/status/revocation")
    assert served.headers["Cache-Control"] == "public, max-age=300"
    bits = statuslist.decode(served.json["credentialSubject"]["encodedList"])
    assert len(bits) * 8 == statuslist.SIZE
    assert statuslist.is_set(bits, int(entry["statusListIndex"]))
    assert sum(bin(b).count("1") for b in bits) == 1


def test_status_list_encoding_reads_the_specifications_example() -> None:
    # Bitstring Status List v1.0, example 2: an empty list of 131,072 entries
    example = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"
    assert statuslist.decode(example) == bytes(statuslist.SIZE // 8)
    ours = statuslist.decode(statuslist.encode([0, 9, statuslist.SIZE - 1]))
    assert ours[0] == 0x80 and ours[1] == 0x40 and ours[-1] == 0x01  # left-most bit first
    with pytest.raises(ValueError, match="outside"):
        statuslist.encode([statuslist.SIZE])


def test_unknown_status_list_is_a_json_404(app: Any) -> None:
    r = app.test_client().get("/credentials/status/parking")
    assert r.status_code == 404 and r.json["error"]["status"] == 404


def test_did_document_publishes_the_signing_key(app: Any) -> None:
    doc = app.test_client().get("/.well-known/did.json").json
    assert doc["id"] == "did:web:certify.example.org"
    assert doc["assertionMethod"] == ["did:web:certify.example.org#key-1"]
    with app.app_context():
        assert doc["verificationMethod"][0]["publicKeyMultibase"] == vc.multikey(
            certificates.public_key()
        )


@pytest.mark.parametrize(
    ("base", "did"),
    [
        ("https://certify.example.org", "did:web:certify.example.org"),
        ("http://127.0.0.1:5000", "did:web:127.0.0.1%3A5000"),
        ("https://example.org/boards/ky/", "did:web:example.org:boards:ky"),
    ],
)
def test_did_web_follows_the_method(base: str, did: str) -> None:
    assert vc.did_web(base) == did


def _legacy_sign(credential: dict[str, Any], key: Any, method: str) -> dict[str, Any]:
    """How credentials were signed before eddsa-rdfc-2022 (kept here as the reference)."""
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-jcs-2022",
        "created": "2026-03-01T12:00:00+00:00",
        "verificationMethod": method,
        "proofPurpose": "assertionMethod",
    }
    payload = (
        hashlib.sha256(rfc8785.dumps(proof)).digest()
        + hashlib.sha256(rfc8785.dumps(credential)).digest()
    )
    value = base64.urlsafe_b64encode(key.sign(payload)).rstrip(b"=").decode()
    return {**credential, "proof": {**proof, "proofValue": value}}


def test_credentials_signed_before_still_verify(app: Any, runner: Any, tmp_path: Path) -> None:
    old = {
        "@context": list(vc.CONTEXT),
        "id": "https://certify.example.org/verify/TS-TPS-2026-000001-1",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": "https://certify.example.org/.well-known/trainer-issuer.json",
            "type": ["Profile"],
            "name": "Testland Board",
        },
        "validFrom": "2026-03-01T12:00:00+00:00",
        "validUntil": "2028-03-01T12:00:00+00:00",
        "name": "Test Peer Specialist",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": "Old Holder",
            "achievement": {
                "id": "https://certify.example.org/.well-known/trainer-issuer.json#TPS",
                "type": ["Achievement"],
                "name": "Test Peer Specialist (TPS)",
                "description": "Test Program, Testland",
                "criteria": {"narrative": "Completed the required training."},
            },
        },
        "credentialStatus": {
            "id": "https://certify.example.org/verify/TS-TPS-2026-000001-1",
            "type": "TrainerVerifyPage",
        },
        "certificateNumber": "TS-TPS-2026-000001-1",
    }
    with app.app_context():
        signed = _legacy_sign(old, certificates.signing_key(), certificates.legacy_key_url())
        assert vc.verify(signed, certificates.public_key())["certificateNumber"]
        tampered = {**signed, "certificateNumber": "TS-TPS-2026-000002-1"}
        with pytest.raises(vc.CredentialError):
            vc.verify(tampered, certificates.public_key())
    path = tmp_path / "old.json"
    path.write_text(json.dumps(signed))
    profile = tmp_path / "profile.json"
    profile.write_text(app.test_client().get("/.well-known/trainer-issuer.json").text)
    result = runner.invoke(args=["certificate", "verify", str(path), "--key", str(profile)])
    assert result.exit_code == 0 and "VALID signature" in result.output, result.output
    assert "number:     TS-TPS-2026-000001-1" in result.output


def test_cli_verifies_offline_with_the_published_did_document(
    app: Any, runner: Any, issued: dict[str, Any], tmp_path: Path
) -> None:
    did = tmp_path / "did.json"
    did.write_text(app.test_client().get("/.well-known/did.json").text)
    credential = tmp_path / "credential.json"
    credential.write_text(json.dumps(issued["credential"]))
    result = runner.invoke(args=["certificate", "verify", str(credential), "--key", str(did)])
    assert result.exit_code == 0, result.output
    assert f"number:     {issued['number']}" in result.output
    assert "issuer:     Example Training Collaborative" in result.output
    assert "authority:  Testland Board" in result.output
    assert "revocation: bit " in result.output
    altered = copy.deepcopy(issued["credential"])
    altered["validUntil"] = "2099-01-01T00:00:00Z"
    credential.write_text(json.dumps(altered))
    result = runner.invoke(args=["certificate", "verify", str(credential), "--key", str(did)])
    assert result.exit_code == 1 and "INVALID" in result.output
    bad_key = tmp_path / "nokey.json"
    bad_key.write_text('{"hello": "world"}')
    result = runner.invoke(args=["certificate", "verify", str(credential), "--key", str(bad_key)])
    assert result.exit_code == 1 and f"{bad_key}: no issuer key in it" in result.output
