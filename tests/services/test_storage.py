"""services.storage: the files the app writes live in the database (or an object store),
never on one node's disk; the migration moves the uploads already on disk into it."""

from __future__ import annotations

import hashlib
import importlib.util
import secrets
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import text

from tests.conftest import make_config
from tests.support.certificates import PNG
from tests.support.databases import empty_database as make_empty_database
from trainer import create_app
from trainer.clock import utcnow
from trainer.domain.errors import NotFound, RuleError
from trainer.extensions import db
from trainer.models import SupervisorQualification
from trainer.models.storage import StoredFile
from trainer.services import accounts, evidence, storage

MIGRATION = Path(__file__).parents[2] / "trainer/migrations/versions/d20a0d1c4a04_stored_files.py"
PDF = b"%PDF-1.4 a stored document"


def _migration() -> ModuleType:
    spec = importlib.util.spec_from_file_location("stored_files_migration", MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_put_get_exists(app: Any, count_queries: Any) -> None:
    with app.app_context():
        name = storage.put(PDF, "application/pdf")
        db.session.commit()
        assert len(name) == 32 and storage.exists(name)
        row = db.session.get(StoredFile, name)
        assert row is not None
        assert (row.size, row.sha256) == (len(PDF), hashlib.sha256(PDF).hexdigest())
        assert row.content_type == "application/pdf"
        db.session.expunge_all()
        assert storage.get(name) == PDF
        other = storage.put(PNG, "image/png")
        with count_queries() as counted:
            assert storage.get_many([name, other]) == {name: PDF, other: PNG}
        assert counted.count == 1
        with pytest.raises(NotFound):
            storage.get("0" * 32)
        with pytest.raises(NotFound):
            storage.get_many([name, "0" * 32])
        assert not storage.exists("0" * 32)


def test_an_upload_is_stored_with_its_row(app: Any, make_user: Any) -> None:
    with app.app_context():
        stored, kind = evidence.store_file(PNG)
        db.session.rollback()  # the request failed after storing: the file goes with it
        assert kind == "image/png" and not storage.exists(stored)


@pytest.mark.parametrize(
    ("backend", "says"), [("s3", "set TRAINER_S3_BUCKET"), ("disk", "is unknown")]
)
def test_a_backend_that_cannot_be_used_is_refused(app: Any, backend: str, says: str) -> None:
    app.config["STORAGE_BACKEND"] = backend
    with app.app_context():
        with pytest.raises(storage.StorageError, match=says):
            storage.put(PDF, "application/pdf")
        with pytest.raises(RuleError, match="could not be stored just now"):
            evidence.store_file(PDF)  # the person is told; the log has the reason


def test_the_migration_copies_the_uploads_a_row_names(
    app: Any, make_user: Any, tmp_path: Path
) -> None:
    """The function the upgrade runs, on files an earlier version left on disk."""
    folder = tmp_path / "uploads"
    folder.mkdir()
    trainee = make_user("trainee")
    with app.app_context():
        on_disk, missing = secrets.token_hex(16), secrets.token_hex(16)
        (folder / on_disk).write_bytes(PNG)
        (folder / "not-named-by-any-row").write_bytes(b"stray")
        for n, name in enumerate((on_disk, missing)):
            db.session.add(_qualification(trainee.id, name, f"Q{n}"))
        db.session.commit()
        copied, absent = _migration().copy_uploads(db.session.connection(), folder)
        assert (copied, absent) == (1, [missing])
        assert storage.get(on_disk) == PNG
        assert not storage.exists("not-named-by-any-row")
        again = _migration().copy_uploads(db.session.connection(), folder)
        assert again == (0, [missing])  # once only
        db.session.commit()
    assert (folder / on_disk).read_bytes() == PNG  # the files stay on disk


def _qualification(user_id: int, stored: str, number: str) -> SupervisorQualification:
    return SupervisorQualification(
        user_id=user_id,
        credential="cadc",
        number=number,
        issuer="KY",
        issued_on=date(2024, 1, 1),
        stored_name=stored,
        original_name="licence.png",
        content_type="image/png",
        sha256=hashlib.sha256(PNG).hexdigest(),
        size=len(PNG),
        created_at=utcnow(),
    )


@pytest.fixture
def empty_database(tmp_path: Path, database_url: str) -> Iterator[str]:
    with make_empty_database(tmp_path, database_url, "trainer_storage") as url:
        yield url


def test_upgrade_and_downgrade_move_the_files(empty_database: str, tmp_path: Path) -> None:
    """Down: every stored file is written back to instance/uploads; up: every file a row
    names comes (back) into the database."""
    from flask_migrate import downgrade, upgrade

    instance = tmp_path / "instance"
    app = create_app(make_config(instance, empty_database))
    with app.app_context():
        upgrade()
        user = accounts.create_user(
            None,
            "sup@example.org",
            "Sam Sup",
            {"supervisor"},
            None,
            password="x" * 12,
            now=utcnow(),
        )
        kept = storage.put(PDF, "application/pdf")
        db.session.add(_qualification(user.id, kept, "Q1"))
        db.session.commit()
        downgrade(revision="c20a0d1c4a03")
        assert (instance / "uploads" / kept).read_bytes() == PDF
        older = secrets.token_hex(16)  # uploaded before the upgrade, on disk only
        (instance / "uploads" / older).write_bytes(PNG)
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO supervisor_qualifications (user_id, credential, number, "
                    "issuer, issued_on, supervision_training, stored_name, original_name, "
                    "content_type, sha256, size, created_at, status) VALUES (:u, 'cadc', "
                    "'Q2', 'KY', '2024-01-01', false, :n, 'l.png', 'image/png', :h, :s, "
                    "'2024-01-02 00:00:00', 'pending')"
                ),
                {"u": user.id, "n": older, "h": hashlib.sha256(PNG).hexdigest(), "s": len(PNG)},
            )
        upgrade()
        assert storage.get(kept) == PDF and storage.get(older) == PNG
        assert db.session.get(StoredFile, older).content_type == "image/png"  # type: ignore[union-attr]
        db.session.remove()
        db.engine.dispose()
