"""The restore drill: seed certificates (signed by two keys), uploads, hours and exam
attempts; take a backup while a thread keeps writing; restore it into a fresh instance and a
fresh database; then every certificate PDF is byte-identical, every credential verifies,
every upload opens, the counts are those of the backup's snapshot, and the restored app
serves the verify page. On SQLite, and on PostgreSQL when the suite runs there (restored
into a second database made for the test)."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, inspect, select, text

from tests.conftest import make_config
from tests.support.certificates import certified
from tests.support.content import write_tree
from tests.support.databases import new_postgres_database
from tests.support.exams import load
from trainer import create_app
from trainer.extensions import db
from trainer.models import Certificate, DocumentUpload
from trainer.services import audit, outbox, release, storage
from trainer.services.certificates import keys

#: the tables the writer thread adds to during the backup
WRITTEN = {"audit_events", "outbox_messages"}


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, Any]:
    # the drill rotates keys: its later keys go to a folder of its own, not the session's
    return {"SIGNING_KEY_DIR": str(tmp_path / "source-keys")}


@contextmanager
def fresh_target(tmp_path: Path, database_url: str) -> Iterator[Flask]:
    """An app on an empty instance folder and an empty database of the suite's kind (on
    PostgreSQL a database made for this test on the same server, dropped afterwards)."""
    folder = tmp_path / "restored"
    folder.mkdir()
    if not database_url.startswith("postgresql"):
        target = create_app(make_config(folder, f"sqlite:///{folder / 'trainer.sqlite3'}"))
        yield target
        with target.app_context():
            db.engine.dispose()
        return
    with new_postgres_database(database_url, "test_restore") as url:
        target = create_app(make_config(folder, url))
        try:
            yield target
        finally:
            with target.app_context():
                db.session.remove()
                db.engine.dispose()


def table_counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        names = inspect(db.engine).get_table_names()
        counts = {
            n: db.session.scalar(text(f'SELECT count(*) FROM "{n}"'))  # noqa: S608 (table names)
            for n in names
        }
        db.session.rollback()
        return counts


def _keep_writing(app: Flask, stop: threading.Event, written: list[int]) -> Callable[[], None]:
    def run() -> None:
        with app.app_context():
            while not stop.is_set():
                n = len(written)
                audit.record("drill.written", subject_type="Drill", subject_id=n)
                outbox.queue_mail(f"drill{n}@example.org", "Drill", "written during the backup")
                db.session.commit()
                written.append(n)

    return run


def _source_facts(app: Flask) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """(certificate number: PDF, stored upload name: bytes) of the source."""
    with app.app_context():
        pdfs = {
            c.number: c.pdf for c in db.session.scalars(select(Certificate)) if c.number and c.pdf
        }
        stored = list(db.session.scalars(select(DocumentUpload.stored_name)))
        return pdfs, {s: storage.get(s) for s in stored}


def test_restore_drill(
    app: Any, runner: Any, tmp_path: Path, make_user: Any, database_url: str
) -> None:
    load(app, write_tree(tmp_path))
    certified(app, make_user, "Avery Before")
    assert runner.invoke(args=["keys", "rotate"]).exit_code == 0
    certified(app, make_user, "Blake After")
    pdfs, uploads = _source_facts(app)
    assert len(pdfs) == 2 and uploads

    before = table_counts(app)
    stop, written = threading.Event(), []
    writer = threading.Thread(target=_keep_writing(app, stop, written))
    writer.start()
    try:
        while len(written) < 3:  # the writer is going before the backup starts
            threading.Event().wait(0.01)
        archive = tmp_path / "backup.tar.gz"
        made = runner.invoke(args=["backup", "-o", str(archive)])
        during = len(written)
    finally:
        stop.set()
        writer.join()
    assert made.exit_code == 0, (made.output, made.exception)
    assert during > 3, "the writer kept writing while the backup ran"
    after = table_counts(app)
    assert archive.stat().st_mode & 0o077 == 0  # it holds the signing keys

    with fresh_target(tmp_path, database_url) as target:
        done = target.test_cli_runner().invoke(args=["restore", str(archive)])
        assert done.exit_code == 0, (done.output, done.exception)
        release.clear()  # what this process kept about the source database
        restored = table_counts(target)
        assert set(restored) == set(before)
        for name, count in restored.items():
            if name in WRITTEN:
                assert before[name] <= count <= after[name], name
            else:
                assert before[name] == count == after[name], name
        with target.app_context():
            certs = list(db.session.scalars(select(Certificate)))
            assert {c.number for c in certs} == set(pdfs)
            for cert in certs:
                assert cert.pdf == pdfs[cert.number]
                assert hashlib.sha256(cert.pdf).hexdigest() == cert.pdf_sha256
                checked = keys.check(json.loads(cert.credential_json))
                assert checked.key.id in {"key-1", "key-2"}
            assert {k.id for k in keys.all_keys()} == {"key-1", "key-2"}
            assert keys.signing_key()  # key-2's file is in place and holds key-2
            for doc in db.session.scalars(select(DocumentUpload)):
                data = storage.get(doc.stored_name)  # in the database, not the instance
                assert data == uploads[doc.stored_name]
                assert hashlib.sha256(data).hexdigest() == doc.sha256
            exams = db.session.scalar(text("SELECT count(*) FROM exam_attempts"))
            assert exams == before["exam_attempts"] >= 2
            assert db.session.scalar(select(func.count()).select_from(Certificate)) == 2
        client = target.test_client()
        for number in pdfs:
            page = client.get(f"/verify/{number}")
            assert page.status_code == 200
            assert number in page.text
        again = target.test_cli_runner().invoke(args=["restore", str(archive)])
        assert again.exit_code == 1 and "not empty" in again.output
        forced = target.test_cli_runner().invoke(args=["restore", "--force", str(archive)])
        assert forced.exit_code == 0, (forced.output, forced.exception)
        assert table_counts(target) == restored
