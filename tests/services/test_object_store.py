"""Uploads kept in an S3-compatible object store (TRAINER_STORAGE_BACKEND=s3), against a
real S3 server (moto's server mode, over HTTP): a person uploads and downloads as before;
a damaged object or a store that is down is said plainly and loses nothing; `trainer
storage move` carries the existing files over and back; backups hold the objects."""

from __future__ import annotations

import hashlib
import tarfile
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.conftest import Auth
from tests.reliability.test_restore_drill import fresh_target
from tests.support.certificates import PNG
from tests.support.content import write_tree
from tests.support.exams import load
from tests.support.object_store import PREFIX, ObjectStore, free_port, object_store
from trainer.extensions import db
from trainer.models import DocumentUpload
from trainer.models.storage import StoredFile
from trainer.services import evidence, storage

PDF = b"%PDF-1.4 kept in the object store"
UPLOAD = "/learn/programs/test-prog/documents/reference-letter"


@pytest.fixture
def store(app: Flask, monkeypatch: Any) -> Iterator[ObjectStore]:
    with object_store(monkeypatch) as running:
        app.config.update(running.settings())
        yield running


def _trainee_client(app: Flask, tmp_path: Path, make_user: Any) -> Any:
    load(app, write_tree(tmp_path))
    client = app.test_client()
    Auth(client).login(make_user("trainee"))
    client.post("/learn/programs/test-prog/enrol")
    return client


def _uploads(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(DocumentUpload)) or 0)


def test_a_trainee_uploads_into_the_store_and_reads_it_back(
    app: Flask, store: ObjectStore, tmp_path: Path, make_user: Any
) -> None:
    client = _trainee_client(app, tmp_path, make_user)
    r = client.post(UPLOAD, data={"file": (BytesIO(PNG), "letter.png")}, follow_redirects=True)
    assert "Uploaded. An administrator reviews it." in r.text
    with app.app_context():
        doc = db.session.scalars(select(DocumentUpload)).one()
        row = db.session.get(StoredFile, doc.stored_name)
        assert row is not None and row.data is None  # the bytes are not in the database
        assert row.sha256 == hashlib.sha256(PNG).hexdigest()
        doc_id, name = doc.id, doc.stored_name
    assert store.keys() == [PREFIX + name] and store.read(name) == PNG
    assert client.get(f"/learn/documents/{doc_id}").data == PNG
    admin = app.test_client()
    Auth(admin).login(make_user("admin"))
    assert admin.get(f"/learn/documents/{doc_id}").data == PNG
    with app.app_context():
        other = storage.put(PDF, "application/pdf")
        assert storage.get_many([name, other]) == {name: PNG, other: PDF}
    ready = app.test_client().get("/readyz").get_json()
    assert ready["checks"]["storage"] == {"ok": True, "backend": "s3"}


def test_a_damaged_object_is_refused_not_served(
    app: Flask, store: ObjectStore, tmp_path: Path, make_user: Any
) -> None:
    client = _trainee_client(app, tmp_path, make_user)
    client.post(UPLOAD, data={"file": (BytesIO(PNG), "letter.png")})
    with app.app_context():
        doc = db.session.scalars(select(DocumentUpload)).one()
        doc_id, name = doc.id, doc.stored_name
    store.write(name, PNG + b"tampered")
    r = client.get(f"/learn/documents/{doc_id}")
    assert r.status_code == 503 and "cannot be read just now" in r.text
    assert b"tampered" not in r.data and r.headers["Retry-After"] == "60"
    with app.app_context(), pytest.raises(storage.StorageError, match="SHA-256 does not match"):
        storage.get(name)


def test_a_store_that_is_down_loses_nothing_and_says_so(
    app: Flask, tmp_path: Path, make_user: Any, monkeypatch: Any
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    app.config.update(
        STORAGE_BACKEND="s3",
        S3_BUCKET="trainer-files",
        S3_ENDPOINT_URL=f"http://127.0.0.1:{free_port()}",  # nothing listens there
        S3_REGION="us-east-1",
    )
    client = _trainee_client(app, tmp_path, make_user)
    r = client.post(UPLOAD, data={"file": (BytesIO(PNG), "letter.png")}, follow_redirects=True)
    assert r.status_code == 200
    assert "could not be stored just now, so nothing was saved" in r.text
    assert _uploads(app) == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StoredFile)) == 0
    ready = app.test_client().get("/readyz").get_json()
    assert ready["checks"]["storage"] == {"ok": False, "backend": "s3"}
    assert ready["status"] == "degraded"  # uploads wait; the pages still serve


def test_settings_that_cannot_work_are_refused_with_what_to_set(app: Flask) -> None:
    app.config.update(STORAGE_BACKEND="s3", S3_BUCKET="")
    with app.app_context():
        with pytest.raises(storage.StorageError, match="set TRAINER_S3_BUCKET"):
            storage.put(PDF, "application/pdf")
        with pytest.raises(evidence.RuleError, match="could not be stored just now"):
            evidence.store_file(PDF)


def test_move_into_the_store_and_back(
    app: Flask, runner: Any, monkeypatch: Any, make_user: Any
) -> None:
    with app.app_context():
        names = [storage.put(PDF + bytes([n]), "application/pdf") for n in range(5)]
        db.session.commit()
    with object_store(monkeypatch) as store:
        app.config.update(store.settings())
        moved = runner.invoke(args=["storage", "move", "--batch", "2"])
        assert moved.exit_code == 0, moved.output
        assert moved.output.startswith("5 files (") and "into the object store" in moved.output
        assert store.keys() == sorted(PREFIX + n for n in names)
        with app.app_context():
            assert db.session.scalar(select(func.count()).where(StoredFile.data.is_not(None))) == 0
            assert storage.get(names[3]) == PDF + bytes([3])
        again = runner.invoke(args=["storage", "move"])
        assert again.output.startswith("0 files")  # nothing left to move: safe to re-run

        checked = runner.invoke(args=["storage", "check"])
        assert checked.exit_code == 0 and "All 5 stored files read back whole" in checked.output
        store.write(names[1], b"other bytes")
        store.write("left-by-a-failed-request", b"x")
        broken = runner.invoke(args=["storage", "check"])
        assert broken.exit_code == 1
        assert f"BAD: {names[1]}: the object store holds different bytes" in broken.output
        assert "1 objects in the store are named by no record" in broken.output
        store.write(names[1], PDF + bytes([1]))

        app.config["STORAGE_BACKEND"] = "database"
        back = runner.invoke(args=["storage", "move"])
        assert back.exit_code == 0 and "5 files" in back.output and "database" in back.output
        assert store.keys() == [PREFIX + "left-by-a-failed-request"]  # the moved ones went
    with app.app_context():  # the store is gone: everything reads from the database
        assert storage.get_many(names) == {n: PDF + bytes([i]) for i, n in enumerate(names)}


def test_backup_holds_the_objects_and_restore_puts_them_back(
    app: Flask, store: ObjectStore, runner: Any, tmp_path: Path, database_url: str
) -> None:
    with app.app_context():
        name = storage.put(PNG, "image/png")
        db.session.commit()
    out = tmp_path / "backup.tar.gz"
    made = runner.invoke(args=["backup", "-o", str(out)])
    assert made.exit_code == 0, made.output
    with tarfile.open(out) as tar:
        member = tar.extractfile(f"objects/{name}")
        assert member is not None and member.read() == PNG

    with fresh_target(tmp_path, database_url) as target:
        target.config.update(store.settings(), S3_PREFIX="restored/")
        restored = target.test_cli_runner().invoke(args=["restore", str(out)])
        assert restored.exit_code == 0, restored.output
        assert store.read(name) == PNG  # under the old prefix, as before
        key = store.client.get_object(Bucket="trainer-files", Key=f"restored/{name}")
        assert key["Body"].read() == PNG  # and into the restored instance's own place
        with target.app_context():
            assert storage.get(name) == PNG

    (tmp_path / "into-db").mkdir()
    with fresh_target(tmp_path / "into-db", database_url) as target:
        restored = target.test_cli_runner().invoke(args=["restore", str(out)])
        assert restored.exit_code == 0, restored.output
        with target.app_context():  # a restore with the database backend keeps them there
            row = db.session.get(StoredFile, name)
            assert row is not None and row.data == PNG


def test_a_restore_into_a_store_that_is_down_writes_nothing(
    app: Flask, store: ObjectStore, runner: Any, tmp_path: Path, database_url: str
) -> None:
    with app.app_context():
        storage.put(PNG, "image/png")
        db.session.commit()
    out = tmp_path / "backup.tar.gz"
    assert runner.invoke(args=["backup", "-o", str(out)]).exit_code == 0
    with fresh_target(tmp_path, database_url) as target:
        target.config.update(store.settings(), S3_ENDPOINT_URL=f"http://127.0.0.1:{free_port()}")
        refused = target.test_cli_runner().invoke(args=["restore", str(out)])
        assert refused.exit_code != 0
        assert "objects/: cannot be put back" in refused.output
        assert "nothing was restored" in refused.output
        with target.app_context():
            from sqlalchemy import inspect

            assert inspect(db.engine).get_table_names() == []


def test_move_into_a_store_that_does_not_answer_moves_nothing(
    app: Flask, runner: Any, monkeypatch: Any
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with app.app_context():
        name = storage.put(PDF, "application/pdf")
        db.session.commit()
    app.config.update(
        STORAGE_BACKEND="s3",
        S3_BUCKET="trainer-files",
        S3_ENDPOINT_URL=f"http://127.0.0.1:{free_port()}",
        S3_REGION="us-east-1",
    )
    refused = runner.invoke(args=["storage", "move"])
    assert refused.exit_code == 1
    assert "does not answer" in refused.output and "nothing was moved" in refused.output
    app.config["S3_BUCKET"] = ""
    unset = runner.invoke(args=["storage", "move"])
    assert "set TRAINER_S3_BUCKET" in unset.output and "nothing was moved" in unset.output
    with app.app_context():
        row = db.session.get(StoredFile, name)
        assert row is not None and row.data == PDF  # still in the database
