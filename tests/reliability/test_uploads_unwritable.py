"""The uploads folder cannot be written: the trainee gets a clear message and no database
row points at a file that does not exist."""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from tests.conftest import Auth
from tests.support.certificates import PNG
from tests.support.content import write_tree
from tests.support.exams import load
from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models import DocumentUpload
from trainer.services import learning


def test_upload_into_an_unwritable_folder(app: Any, tmp_path: Path, make_user: Any) -> None:
    load(app, write_tree(tmp_path))
    trainee = make_user("trainee")
    with app.app_context():
        learning.enrol(db.session.get(type(trainee), trainee.id), "test-prog", utcnow())
        db.session.commit()
    client = app.test_client()
    Auth(client).login(trainee)
    uploads = Path(app.instance_path) / "uploads"
    saved = tmp_path / "uploads-aside"
    if uploads.exists():
        shutil.move(uploads, saved)
    # A plain file where the folder should be: writes fail even for root (which file
    # permissions would not stop).
    uploads.write_text("not a folder")
    try:
        r = client.post(
            "/learn/programs/test-prog/documents/reference-letter",
            data={"file": (io.BytesIO(PNG), "letter.png")},
            content_type="multipart/form-data",
            follow_redirects=True,
        )
    finally:
        uploads.unlink()
        if saved.exists():
            shutil.move(saved, uploads)
    assert r.status_code == 200
    assert "could not be stored just now, so nothing was saved" in r.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DocumentUpload)) == 0

    ok = client.post(
        "/learn/programs/test-prog/documents/reference-letter",
        data={"file": (io.BytesIO(PNG), "letter.png")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Uploaded. An administrator reviews it." in ok.text
    with app.app_context():
        row = db.session.scalar(select(DocumentUpload))
        assert (Path(app.instance_path) / "uploads" / row.stored_name).read_bytes() == PNG
