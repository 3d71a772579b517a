"""Signing-key rotation and retirement: after a rotation the new key signs and every earlier
credential still verifies (independent verifier, published DID document); a retired key is
no longer published, a signature it makes after retirement fails, and the verify page says
the key was retired."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.services.test_open_badges import _independent, _published
from tests.support.certificates import certified
from tests.support.content import write_tree
from tests.support.exams import load
from trainer.clock import utcnow
from trainer.domain import credential as vc
from trainer.extensions import db
from trainer.models import Certificate, User
from trainer.services import jobs
from trainer.services.certificates import keys


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, Any]:
    # a key folder per test (the instance folder, and key-1 in it, is the session's)
    return {"BASE_URL": "https://certify.example.org", "SIGNING_KEY_DIR": str(tmp_path / "keys")}


def _credential(app: Any, user_id: int) -> dict[str, Any]:
    with app.app_context():
        cert = db.session.scalar(select(Certificate).where(Certificate.user_id == user_id))
        return json.loads(cert.credential_json)


def _method(credential: dict[str, Any]) -> str:
    return str(credential["proof"][0]["verificationMethod"])


def test_rotation_signs_with_the_new_key_and_old_credentials_still_verify(
    app: Any, runner: Any, tmp_path: Path, make_user: Any
) -> None:
    load(app, write_tree(tmp_path))
    first, _, _ = certified(app, make_user, "Avery Before")
    rotated = runner.invoke(args=["keys", "rotate"])
    assert rotated.exit_code == 0, (rotated.output, rotated.exception)
    assert "key-2 signs from now on" in rotated.output
    second, _, _ = certified(app, make_user, "Blake After")
    old, new = _credential(app, first.id), _credential(app, second.id)
    assert _method(old).endswith("#key-1") and _method(new).endswith("#key-2")
    with app.app_context():
        jobs.run_due("test-worker", utcnow)  # the status list is signed again, by key-2
    documents = _published(app)
    did = documents["did:web:certify.example.org"]
    assert [m["id"].rsplit("#")[1] for m in did["verificationMethod"]] == ["key-1", "key-2"]
    for credential in (old, new):
        result = _independent(credential, documents, tmp_path)
        assert result["verified"] is True, result["error"]
    status = app.test_client().get("/credentials/status/revocation").json
    assert _method(status).endswith("#key-2")
    listed = runner.invoke(args=["keys", "list"])
    assert "key-2" in listed.output and "signs now" in listed.output


def test_a_retired_key_is_unpublished_and_what_it_signs_later_fails(
    app: Any, runner: Any, tmp_path: Path, make_user: Any
) -> None:
    load(app, write_tree(tmp_path))
    holder, _, _ = certified(app, make_user, "Casey Compromised")
    old = _credential(app, holder.id)
    refused = runner.invoke(args=["keys", "retire", "key-1", "--reason", "Leaked"])
    assert refused.exit_code != 0 and "rotate first" in refused.output
    assert runner.invoke(args=["keys", "rotate"]).exit_code == 0
    unknown = runner.invoke(args=["keys", "retire", "key-9", "--reason", "x"])
    assert unknown.exit_code != 0 and "no signing key key-9" in unknown.output
    retired = runner.invoke(args=["keys", "retire", "key-1", "--reason", "Leaked backup"])
    assert retired.exit_code == 0, retired.output
    again = runner.invoke(args=["keys", "retire", "key-1", "--reason", "x"])
    assert again.exit_code != 0 and "already retired" in again.output

    documents = _published(app)
    did = documents["did:web:certify.example.org"]
    assert [m["id"].rsplit("#")[1] for m in did["verificationMethod"]] == ["key-2"]
    result = _independent(old, documents, tmp_path)
    assert result["verified"] is False  # a standard verifier no longer finds the key
    assert app.test_client().get("/.well-known/trainer-issuer.json").status_code == 404

    with app.app_context():
        # signed before the retirement: this installation still vouches for it
        assert keys.check(old).key.id == "key-1"
        # a forgery made with the leaked key after the retirement does not count
        leaked = keys._load_or_make(keys.key_file(1))
        forged = vc.sign(
            {k: v for k, v in old.items() if k != "proof"},
            leaked,
            _method(old),
            utcnow() + timedelta(minutes=1),
        )
        with pytest.raises(vc.CredentialError, match="after the issuer retired that key"):
            keys.check(forged)
        number = db.session.scalar(
            select(Certificate.number).where(Certificate.user_id == holder.id)
        )
        assert db.session.get(User, holder.id) is not None
    page = app.test_client().get(f"/verify/{number}").text
    assert "The issuer retired the key that signed" in page and "Valid" in page
    api = app.test_client().get(f"/api/v1/certificates/{number}").json
    assert api["signing_key_retired_on"] == utcnow().date().isoformat()
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(forged))
    offline = runner.invoke(args=["certificate", "verify", str(path)])
    assert offline.exit_code == 1 and "after the issuer retired" in offline.output


def test_retiring_needs_a_reason(app: Any, runner: Any) -> None:
    result = runner.invoke(args=["keys", "retire", "key-1"])
    assert result.exit_code != 0 and "--reason" in result.output
