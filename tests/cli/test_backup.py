"""``trainer backup`` and ``trainer restore``: what a restore refuses, before it writes
anything. (The full drill, with a writer during the backup, is
tests/reliability/test_restore_drill.py.)"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import inspect

from tests.reliability.test_restore_drill import fresh_target, table_counts
from tests.support.certificates import PNG
from trainer.clock import utcnow
from trainer.domain.backup import BackupError, Entry, Manifest, check_schema, parse_manifest
from trainer.extensions import db
from trainer.services import evidence, storage
from trainer.services.certificates import keys

STORED: dict[str, str] = {}  # the name the archive's upload was stored under


@pytest.fixture
def archive(app: Any, runner: Any, make_user: Any, tmp_path: Path) -> Path:
    make_user("admin")
    with app.app_context():
        STORED["name"], _ = evidence.store_file(PNG)
        keys.signing_key()  # key-1 is made on first use
        db.session.commit()
    out = tmp_path / "backup.tar.gz"
    made = runner.invoke(args=["backup", "-o", str(out)])
    assert made.exit_code == 0, (made.output, made.exception)
    assert made.output.startswith(f"wrote {out}: ") and "SHA-256 " in made.output
    return out


def _members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar}  # type: ignore[union-attr]


def _rewrite(archive: Path, change: Callable[[dict[str, bytes]], None]) -> Path:
    """A copy of the archive with its members changed by ``change``."""
    members = _members(archive)
    change(members)
    out = archive.with_name("changed.tar.gz")
    with tarfile.open(out, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out


def _nothing_written(target: Flask) -> None:
    """The target has no database tables and no files but the secret key its app made."""
    folder = Path(target.instance_path)
    files = {p.relative_to(folder).as_posix() for p in folder.rglob("*")}
    assert files <= {"secret_key", "trainer.sqlite3"}, files
    with target.app_context():
        assert inspect(db.engine).get_table_names() == []


def _restore(target: Flask, *args: str) -> Any:
    return target.test_cli_runner().invoke(args=["restore", *args])


def test_the_manifest_lists_every_file_with_its_hash(archive: Path) -> None:
    members = _members(archive)
    manifest = json.loads(members.pop("manifest.json"))
    assert manifest["format"] == 1 and manifest["schema_revisions"]
    assert manifest["database"] in ("sqlite", "postgresql")
    assert set(manifest["files"]) == set(members)
    # uploads travel inside the database (services.storage), not as instance files
    assert not any(n.startswith("instance/uploads/") for n in members)
    # the tests' secret key is configured, not a file in the instance folder
    assert "instance/keys/key-1.pem" in members


def test_an_altered_file_is_refused_naming_it(
    archive: Path, tmp_path: Path, database_url: str
) -> None:
    key = "instance/keys/key-1.pem"

    def flip(members: dict[str, bytes]) -> None:
        data = bytearray(members[key])
        data[-1] ^= 0x01
        members[key] = bytes(data)

    altered = _rewrite(archive, flip)
    with fresh_target(tmp_path, database_url) as target:
        result = _restore(target, str(altered))
        assert result.exit_code == 1
        assert f"{altered}: {key}: its SHA-256 does not match" in result.output
        _nothing_written(target)


def test_uploads_in_an_older_backup_go_into_storage(
    archive: Path, tmp_path: Path, database_url: str
) -> None:
    """Backups made before uploads moved into the database carry them as instance files:
    a restore puts them into storage, not into the instance folder."""
    old = "0123456789abcdef0123456789abcdef"
    data = b"%PDF-1.4 an upload from an older backup"

    def with_upload(members: dict[str, bytes]) -> None:
        manifest = json.loads(members["manifest.json"])
        manifest["files"][f"instance/uploads/{old}"] = {
            "sha256": hashlib.sha256(data).hexdigest(),
            "size": len(data),
        }
        members["manifest.json"] = json.dumps(manifest).encode()
        members[f"instance/uploads/{old}"] = data

    with fresh_target(tmp_path, database_url) as target:
        result = _restore(target, str(_rewrite(archive, with_upload)))
        assert result.exit_code == 0, (result.output, result.exception)
        with target.app_context():
            assert storage.get(old) == data
            assert storage.get(STORED["name"]) == PNG  # the one the database carried
            db.session.rollback()
        assert not (Path(target.instance_path) / "uploads").exists()


def test_a_truncated_backup_is_refused(archive: Path, tmp_path: Path, database_url: str) -> None:
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with fresh_target(tmp_path, database_url) as target:
        result = _restore(target, str(cut))
        assert result.exit_code == 1
        assert f"{cut}: cannot be read to its end" in result.output
        assert "it is truncated, damaged or not a backup" in result.output
        _nothing_written(target)


def test_a_damaged_archive_is_refused(archive: Path, tmp_path: Path, database_url: str) -> None:
    data = bytearray(archive.read_bytes())
    for at in range(len(data) // 3, len(data) // 3 + 64):
        data[at] ^= 0xFF  # the compressed stream itself, not one member's bytes
    damaged = tmp_path / "damaged.tar.gz"
    damaged.write_bytes(bytes(data))
    with fresh_target(tmp_path, database_url) as target:
        result = _restore(target, str(damaged))
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
        assert result.output.startswith(f"{damaged}: "), result.output
        _nothing_written(target)


def test_a_backup_from_a_newer_schema_is_refused(
    archive: Path, tmp_path: Path, database_url: str
) -> None:
    def newer(members: dict[str, bytes]) -> None:
        manifest = json.loads(members["manifest.json"])
        manifest["schema_revisions"] = ["ffffffffffff"]
        members["manifest.json"] = json.dumps(manifest).encode()

    with fresh_target(tmp_path, database_url) as target:
        result = _restore(target, str(_rewrite(archive, newer)))
        assert result.exit_code == 1
        assert "manifest.json: the backup's schema revision ffffffffffff is newer" in result.output
        _nothing_written(target)


def test_a_file_outside_the_format_is_refused(
    archive: Path, tmp_path: Path, database_url: str
) -> None:
    def smuggle(members: dict[str, bytes]) -> None:
        members["../outside"] = b"x"

    with fresh_target(tmp_path, database_url) as target:
        result = _restore(target, str(_rewrite(archive, smuggle)))
        assert (
            result.exit_code == 1 and "../outside: is no part of a trainer backup" in result.output
        )
        _nothing_written(target)
    assert not (tmp_path / "outside").exists()


def test_a_non_empty_instance_is_refused_without_force(
    app: Any, archive: Path, make_user: Any
) -> None:
    make_user("trainee")  # written after the backup: a refusal leaves it in place
    counts = table_counts(app)
    result = app.test_cli_runner().invoke(args=["restore", str(archive)])
    assert result.exit_code == 1
    assert "not empty (the database has" in result.output and "--force" in result.output
    assert table_counts(app) == counts


def test_a_missing_file_and_an_unwritable_output_are_reported(runner: Any, tmp_path: Path) -> None:
    missing = runner.invoke(args=["restore", str(tmp_path / "none.tar.gz")])
    assert missing.exit_code == 1 and "none.tar.gz: no such file" in missing.output
    nowhere = runner.invoke(args=["backup", "-o", str(tmp_path / "no" / "dir" / "b.tar.gz")])
    assert nowhere.exit_code == 1 and "could not be written" in nowhere.output
    assert not list((tmp_path).glob("**/*.part"))


def test_schema_rules() -> None:
    made = Manifest(utcnow(), "sqlite", ("b",), {})
    assert check_schema(made, {"a", "b"}, {"b"}) is None
    assert "trainer db upgrade" in (check_schema(made, {"a", "b"}, {"c"}) or "")
    with pytest.raises(BackupError, match="schema revision b is newer"):
        check_schema(made, {"a"}, {"a"})


def test_manifest_rules() -> None:
    good = Manifest(utcnow(), "sqlite", ("b",), {"database/trainer.sqlite3": Entry("0" * 64, 1)})
    assert parse_manifest(good.to_json().encode()) == good
    for broken, why in [
        (b"{", "not valid JSON"),
        (good.to_json().replace('"format": 1', '"format": 9').encode(), "format 9"),
        (good.to_json().replace("database/", "../").encode(), "no part of a trainer backup"),
        (good.to_json().replace('"size": 1', '"size": -1').encode(), "no valid sha256 and size"),
    ]:
        with pytest.raises(BackupError, match=why):
            parse_manifest(broken)
