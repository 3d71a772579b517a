"""Backups taken while the app serves, and restores into an empty instance.

The database is copied in one consistent snapshot (SQLite's online backup API from a fresh
connection; ``pg_dump`` in its custom format, which reads one snapshot); it holds the
uploads too (services.storage keeps them in ``stored_files``). The instance files (secret
key, signing keys) are copied whole. A restore reads the whole archive into a private
temporary folder and checks every file's SHA-256 and the schema revision before it writes
anything. Files kept in an S3-compatible object store (``STORAGE_BACKEND=s3``) are fetched
into the archive as ``objects/<name>`` (checked against their rows' SHA-256); a restore puts
them into the restored instance's configured backend. Backups made before uploads moved into
the database carry them as ``instance/uploads/<name>``: a restore puts them into storage
(or, when the restored schema is older still, into ``instance/uploads``, where ``trainer db
upgrade`` moves them in).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from flask import current_app
from sqlalchemy import inspect, text

from trainer.domain.backup import (
    DATABASE_FILES,
    KEY_FILE,
    MANIFEST,
    OBJECT_FILE,
    SECRET_FILE,
    UPLOAD_FILE,
    BackupError,
    Entry,
    Manifest,
    allowed_name,
    check_file,
    check_schema,
    key_name,
    parse_manifest,
)
from trainer.extensions import db
from trainer.services import evidence, object_store, storage
from trainer.services.certificates.keys import key_file

CHUNK = 1024 * 1024
MANIFEST_LIMIT = 64 * 1024 * 1024


# -- where things live -----------------------------------------------------------------------


def _instance() -> Path:
    return Path(current_app.instance_path)


def _uploads() -> Path:
    """Where uploads were kept before they moved into the database (see services.storage)."""
    return _instance() / "uploads"


def _destination(name: str) -> Path:
    """Where an instance file of the archive (not an upload) goes in this instance."""
    if name == SECRET_FILE:
        return _instance() / "secret_key"
    key = KEY_FILE.match(name)
    assert key is not None  # names were checked against the format when read
    return key_file(int(key.group(1)))


def _instance_files() -> list[tuple[str, Path]]:
    """(archive name, path) of every instance file a backup keeps."""
    found = (
        [(SECRET_FILE, _instance() / "secret_key")]
        if (_instance() / "secret_key").is_file()
        else []
    )
    key_dir = key_file(2).parent
    numbers = {1} | {
        int(m.group(1))
        for p in (key_dir.iterdir() if key_dir.is_dir() else [])
        if (m := KEY_FILE.match(f"instance/keys/{p.name}"))
    }
    found += [(key_name(n), key_file(n)) for n in sorted(numbers) if key_file(n).is_file()]
    return found  # (uploads are in the database)


def _kind() -> str:
    return "postgresql" if db.engine.dialect.name == "postgresql" else "sqlite"


def _libpq() -> tuple[str, dict[str, str]]:
    """The database's address for pg_dump/pg_restore, and an environment with its password
    (kept off the command line, where other users could read it)."""
    url = db.engine.url
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return url.set(drivername="postgresql", password=None).render_as_string(False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            name,
            "not found: install the PostgreSQL client tools (Debian: postgresql-client), "
            "of at least the server's version",
        )
    return found


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603 (our own arguments, no shell)
    if done.returncode != 0:
        raise BackupError(Path(args[0]).name, done.stderr.strip() or f"exit {done.returncode}")


def schema_revisions() -> tuple[set[str], set[str]]:
    """(every revision this code knows, the heads it expects)."""
    from alembic.script import ScriptDirectory

    migrate = current_app.extensions["migrate"]
    script = ScriptDirectory.from_config(migrate.migrate.get_config(migrate.directory))
    return {r.revision for r in script.walk_revisions()}, set(script.get_heads())


# -- backup ----------------------------------------------------------------------------------


def _dump_database(folder: Path) -> tuple[Path, tuple[str, ...]]:
    """Copy the database into ``folder`` in one snapshot; returns the file and its schema."""
    if _kind() == "sqlite":
        source = Path(str(db.engine.url.database))
        if not source.is_file():
            raise BackupError(str(source), "no database here")
        copy = folder / "trainer.sqlite3"
        live = sqlite3.connect(source, timeout=30)
        snapshot = sqlite3.connect(copy)
        try:
            live.backup(snapshot)  # all pages in one step: one read transaction, one snapshot
            revisions = tuple(
                sorted(r[0] for r in snapshot.execute("SELECT version_num FROM alembic_version"))
            )
        except sqlite3.Error as error:
            raise BackupError(str(source), f"could not be copied: {error}") from None
        finally:
            snapshot.close()
            live.close()
        return copy, revisions
    revisions = tuple(sorted(db.session.scalars(text("SELECT version_num FROM alembic_version"))))
    db.session.rollback()
    copy = folder / "trainer.pgdump"
    address, env = _libpq()
    _run([_tool("pg_dump"), "--format=custom", f"--file={copy}", f"--dbname={address}"], env)
    return copy, revisions


def _hash_file(path: Path) -> Entry:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return Entry(digest.hexdigest(), size)


def _add(tar: tarfile.TarFile, name: str, data: bytes | Path, now: datetime) -> Entry:
    info = tarfile.TarInfo(name)
    info.mtime, info.mode = int(now.timestamp()), 0o600
    if isinstance(data, Path):
        entry = _hash_file(data)
        info.size = entry.size
        with data.open("rb") as fh:
            tar.addfile(info, fh)
        return entry
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))
    return Entry(hashlib.sha256(data).hexdigest(), len(data))


@dataclass(frozen=True)
class Made:
    manifest: Manifest
    sha256: str  # of the archive itself, for the operator's records


def create(out: Path, now: datetime) -> Made:
    """Write a backup to ``out`` (mode 0600: it holds the signing keys), whole or not at all.
    Raises BackupError."""
    partial = out.with_name(f".{out.name}.part")
    with tempfile.TemporaryDirectory(prefix="trainer-backup-") as tmp:
        database, revisions = _dump_database(Path(tmp))
        kind = _kind()
        try:
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
                files = {DATABASE_FILES[kind]: _add(tar, DATABASE_FILES[kind], database, now)}
                for name, path in _instance_files():
                    try:
                        data = path.read_bytes()
                    except FileNotFoundError:
                        continue  # removed since it was listed
                    files[name] = _add(tar, name, data, now)
                for name, sha256 in storage.in_object_store():
                    data = object_store.get(name, sha256)
                    files[f"objects/{name}"] = _add(tar, f"objects/{name}", data, now)
                manifest = Manifest(now, kind, revisions, files)
                _add(tar, MANIFEST, manifest.to_json().encode(), now)
            os.replace(partial, out)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise BackupError(
                str(out), f"could not be written: {error.strerror or error}"
            ) from None
        except storage.StorageError as error:
            partial.unlink(missing_ok=True)
            raise BackupError(str(out), f"not written: {error}") from None
    return Made(manifest, _hash_file(out).sha256)


# -- restore ---------------------------------------------------------------------------------


def _copy_member(source: IO[bytes], target: Path) -> Entry:
    digest, size = hashlib.sha256(), 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return Entry(digest.hexdigest(), size)


def _unpack(archive: Path, folder: Path) -> Manifest:
    """Read every member into ``folder`` and check it against the manifest."""
    seen: dict[str, Entry] = {}
    manifest_text: bytes | None = None
    try:
        with tarfile.open(archive, "r:*") as tar:
            for member in tar:
                source = tar.extractfile(member) if member.isreg() else None
                if member.name == MANIFEST and source is not None:
                    manifest_text = source.read(MANIFEST_LIMIT)
                elif source is None or not allowed_name(member.name) or member.name in seen:
                    raise BackupError(member.name, "is no part of a trainer backup")
                else:
                    seen[member.name] = _copy_member(source, folder / member.name)
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise BackupError(
            str(archive),
            f"cannot be read to its end ({error}): it is truncated, damaged or not a backup",
        ) from None
    if manifest_text is None:
        raise BackupError(MANIFEST, "missing: the archive is truncated or not a trainer backup")
    manifest = parse_manifest(manifest_text)
    for name, got in seen.items():
        if name not in manifest.files:
            raise BackupError(name, "is in the archive but not in its manifest")
        check_file(name, manifest.files[name], got.size, got.sha256)
    for name in manifest.files:
        if name not in seen:
            raise BackupError(name, "is in the manifest but missing from the archive")
    return manifest


def _contents() -> list[str]:
    """What this instance already holds (empty list: nothing)."""
    held = []
    tables = inspect(db.engine).get_table_names()
    if tables:
        held.append(f"the database has {len(tables)} tables")
    uploads = [p for p in _uploads().iterdir()] if _uploads().is_dir() else []
    if uploads:
        held.append(f"{len(uploads)} uploaded files")
    keys = [p for _, p in _instance_files() if p.suffix == ".pem"]
    if keys:
        held.append(f"{len(keys)} signing keys")
    return held


def _place(source: Path, target: Path, mode: int = 0o600) -> None:
    """Put a file in place whole: copy beside the target, then rename over it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.restoring")
    shutil.copyfile(source, partial)
    os.chmod(partial, mode)
    os.replace(partial, target)


def _restore_database(manifest: Manifest, staged: Path, clean: bool) -> None:
    db.session.remove()
    db.engine.dispose()  # no connection of ours holds the old database open
    if manifest.database == "sqlite":
        path = Path(str(db.engine.url.database))
        for stale in (Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
            stale.unlink(missing_ok=True)  # the old database's log must not replay into the new
        _place(staged, path)
        return
    address, env = _libpq()
    args = [_tool("pg_restore"), "--no-owner", "--no-privileges", "--single-transaction"]
    args += ["--exit-on-error", f"--dbname={address}"]
    if clean:
        args += ["--clean", "--if-exists"]
    _run([*args, str(staged)], env)


@dataclass(frozen=True)
class Restored:
    manifest: Manifest
    note: str | None  # e.g. the schema is older than the code: upgrade next


@contextmanager
def _staging() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="trainer-restore-") as tmp:
        os.chmod(tmp, 0o700)
        yield Path(tmp)


def restore(archive: Path, force: bool) -> Restored:
    """Restore ``archive`` into this instance and its database. Everything is checked first
    (every hash, the schema revision, the database kind, an empty target unless ``force``);
    then the database, then the instance files. Raises BackupError."""
    if not archive.is_file():
        raise BackupError(str(archive), "no such file")
    with _staging() as folder:
        manifest = _unpack(archive, folder)
        note = check_schema(manifest, *schema_revisions())
        if manifest.database != _kind():
            raise BackupError(
                str(archive),
                f"a backup of a {manifest.database} database cannot be restored into this "
                f"instance's {_kind()} database",
            )
        held = _contents()
        if held and not force:
            raise BackupError(
                current_app.instance_path,
                f"not empty ({', '.join(held)}): restore into an empty instance and database, "
                "or use --force to replace what is there",
            )
        if any(OBJECT_FILE.match(name) for name in manifest.files):
            _check_store()
        _restore_database(manifest, folder / DATABASE_FILES[manifest.database], bool(held))
        uploads: dict[str, Path] = {}
        objects: dict[str, Path] = {}
        for name in sorted(manifest.files):
            upload, kept = UPLOAD_FILE.match(name), OBJECT_FILE.match(name)
            if upload:
                uploads[upload.group(1)] = folder / name
            elif kept:
                objects[kept.group(1)] = folder / name
            elif name != DATABASE_FILES[manifest.database]:
                _place(folder / name, _destination(name))
        if uploads and not _adopt_uploads(uploads):
            note = f"{note}; its uploads" if note else "its uploads"
            note += " wait in instance/uploads: `trainer db upgrade` moves them into the database"
        _adopt_objects(objects)
    return Restored(manifest, note)


def _check_store() -> None:
    """Before anything is written: the backend the backup's object-store files go to works."""
    try:
        why = object_store.reachable() if storage.backend() == "s3" else None
    except storage.StorageError as error:
        why = str(error)
    if why:
        raise BackupError("objects/", f"cannot be put back: {why}; nothing was restored")


def _adopt_objects(files: dict[str, Path]) -> None:
    """Put the files that were in an object store into this instance's configured backend
    (those a restored row names; the backup may hold a few written after the snapshot)."""
    try:
        for stored, path in files.items():
            if storage.exists(stored):
                data = path.read_bytes()
                kind = evidence.content_type_of(data) or "application/octet-stream"
                storage.adopt(stored, data, kind)
        db.session.commit()
    except storage.StorageError as error:
        db.session.rollback()
        raise BackupError(
            "objects/",
            f"the database is restored, but the files could not be: {error}; "
            "fix the store and run the restore again with --force",
        ) from None


def _adopt_uploads(files: dict[str, Path]) -> bool:
    """Put the uploads of a backup from before they were kept in the database into storage
    (True); when the restored schema has no storage yet, into ``instance/uploads``, where
    the migration that adds it finds them (False)."""
    if "stored_files" not in inspect(db.engine).get_table_names():
        for stored, path in files.items():
            _place(path, _uploads() / stored)
        return False
    for stored, path in files.items():
        if not storage.exists(stored):
            data = path.read_bytes()
            kind = evidence.content_type_of(data) or "application/octet-stream"
            storage.put(data, kind, name=stored)
    db.session.commit()  # the restore is its own unit of work, like the database it replaced
    return True
