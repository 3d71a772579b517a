"""Uploads never depend on one server's disk: with the instance folder unwritable an upload
still succeeds (the file goes into the shared storage); when the storage itself fails the
trainee gets a clear message and no database row points at a file that does not exist."""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.conftest import Auth
from tests.support.certificates import PNG
from tests.support.content import write_tree
from tests.support.exams import load
from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models import DocumentUpload
from trainer.models.storage import StoredFile
from trainer.services import learning, storage

UPLOAD = "/learn/programs/test-prog/documents/reference-letter"


def _signed_in_trainee(app: Any, tmp_path: Path, make_user: Any) -> Any:
    load(app, write_tree(tmp_path))
    trainee = make_user("trainee")
    with app.app_context():
        learning.enrol(db.session.get(type(trainee), trainee.id), "test-prog", utcnow())
        db.session.commit()
    client = app.test_client()
    Auth(client).login(trainee)
    return client


def _post(client: Any) -> Any:
    return client.post(
        UPLOAD,
        data={"file": (io.BytesIO(PNG), "letter.png")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_an_unwritable_instance_folder_does_not_matter(
    app: Any, tmp_path: Path, make_user: Any
) -> None:
    client = _signed_in_trainee(app, tmp_path, make_user)
    uploads = Path(app.instance_path) / "uploads"
    saved = tmp_path / "uploads-aside"
    if uploads.exists():
        shutil.move(uploads, saved)
    # A plain file where the old uploads folder was: writes there would fail even for root.
    uploads.write_text("not a folder")
    try:
        ok = _post(client)
    finally:
        uploads.unlink()
        if saved.exists():
            shutil.move(saved, uploads)
    assert "Uploaded. An administrator reviews it." in ok.text
    with app.app_context():
        row = db.session.scalar(select(DocumentUpload))
        assert storage.get(row.stored_name) == PNG
    assert client.get(f"/learn/documents/{row.id}").data == PNG


def test_a_failing_storage_saves_nothing(
    app: Any, tmp_path: Path, make_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = _signed_in_trainee(app, tmp_path, make_user)

    def broken(data: bytes, content_type: str, name: str | None = None) -> str:
        raise storage.StorageError("the object store does not answer")

    monkeypatch.setattr(storage, "put", broken)
    r = _post(client)
    assert r.status_code == 200
    assert "could not be stored just now, so nothing was saved" in r.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DocumentUpload)) == 0
        assert db.session.scalar(select(func.count()).select_from(StoredFile)) == 0

    monkeypatch.undo()
    assert "Uploaded. An administrator reviews it." in _post(client).text
