"""A person downloads everything held about them from the account page: one ZIP with
data.json and their files; secrets and the secure item bank stay out; the download is
audited; another person's data never appears."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from typing import Any

from sqlalchemy import select

from tests.conftest import Auth
from tests.support.certificates import certified
from trainer.extensions import db
from trainer.models import AuditEvent, Certificate, ExamItem, ItemRevision


def _download(app: Any, user: Any) -> tuple[Any, zipfile.ZipFile]:
    client = app.test_client()
    Auth(client).login(user)
    assert "Download my data" in client.get("/account").text
    response = client.post("/account/my-data")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="my-data-')
    return response, zipfile.ZipFile(io.BytesIO(response.data))


def test_a_certified_trainee_takes_everything_with_them(loaded: Any, make_user: Any) -> None:
    holder, sup, _ = certified(loaded, make_user, "Riley Recovery")
    other, _, _ = certified(loaded, make_user, "Someone Else")
    response, archive = _download(loaded, holder)
    data = json.loads(archive.read("data.json"))
    assert data["format"] == "trainer-my-data/1"
    assert data["profile"]["legal_name"] == "Riley Recovery" and data["profile"]["roles"] == [
        "trainee"
    ]
    for secret in ("password_hash", "session_token"):
        assert secret not in data["profile"]
    assert data["signed_in_devices"] and all("key_hash" not in d for d in data["signed_in_devices"])
    assert len(data["enrolments"]) == 1 and data["sections_read"]
    assert sum(h["minutes"] for h in data["hour_entries"]) == 10 * 60
    assert all(h["trainee_id"] == holder.id for h in data["hour_entries"])
    assert data["supervision_links"][0]["supervisor_id"] == sup.id
    assert len(data["attestations"]) >= 1

    # exam answers once scored, never the item bank (option order, keys, question text)
    (attempt,) = data["exam_attempts"]
    assert attempt["passed"] is True and attempt["answers"]
    assert all("option_order" not in a and "chosen" in a for a in attempt["answers"])
    with loaded.app_context():
        stems = [
            c.get("stem", "")
            for c in db.session.scalars(
                select(ItemRevision.content).join(
                    ExamItem, ExamItem.item_id == ItemRevision.item_id
                )
            )
        ]
    body = archive.read("data.json").decode()
    assert stems and all(stems) and not any(stem in body for stem in stems)

    # the files: documents and the certificate's PDF and credential, byte for byte
    (doc,) = data["documents"][:1]
    assert archive.read(doc["file"]).startswith(b"\x89PNG")
    (cert,) = data["certificates"]
    with loaded.app_context():
        stored = db.session.scalar(select(Certificate).where(Certificate.user_id == holder.id))
        assert archive.read(cert["file"]) == stored.pdf
        assert json.loads(archive.read(cert["credential"]))["type"][-1] == "OpenBadgeCredential"
    assert "Someone Else" not in body and other.email not in body
    assert "README.txt" in archive.namelist()

    with loaded.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "account.data_exported")
        )
    assert event is not None and event.actor_id == holder.id
    assert event.details["sha256"] == hashlib.sha256(response.data).hexdigest()


def test_a_supervisor_gets_their_own_data_not_their_trainees(loaded: Any, make_user: Any) -> None:
    holder, sup, _ = certified(loaded, make_user, "Riley Recovery")
    _, archive = _download(loaded, sup)
    data = json.loads(archive.read("data.json"))
    assert data["profile"]["roles"] == ["supervisor"]
    assert data["hour_entries"] == [] and data["certificates"] == []
    body = archive.read("data.json").decode()
    assert holder.email not in body


def test_the_download_needs_a_signed_in_person_and_a_post(loaded: Any) -> None:
    client = loaded.test_client()
    assert client.post("/account/my-data").status_code == 302  # to sign in
    assert client.get("/account/my-data").status_code == 405
