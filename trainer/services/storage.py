"""Where the app keeps the files it writes (uploaded documents, supervisors' credentials,
audit evidence): never on one node's disk, so any app server or worker can read what
another wrote.

``STORAGE_BACKEND`` (``TRAINER_STORAGE_BACKEND``) chooses where new files go:

* ``database`` (the default): in ``stored_files``, written in the same transaction as the
  row that names the file, so the two appear together or not at all, and a database backup
  holds every file.
* ``s3``: an S3-compatible object store (services.object_store: ``S3_BUCKET``,
  ``S3_ENDPOINT_URL``, credentials from boto3's usual ``AWS_*`` chain). The object is
  written before the row that names it; if the request then fails, the object stays,
  named by no row (``trainer storage check`` counts such objects; they are never served).

Either way a ``stored_files`` row records the file's name, type, size and SHA-256; with an
object store its ``data`` stays empty. Reading follows the row, whatever the backend is
now, so files written before a switch still open; ``trainer storage move`` (``move``)
carries the existing files over to the configured backend.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select, update

from trainer.domain.errors import NotFound
from trainer.domain.errors import StorageError as StorageError
from trainer.extensions import db
from trainer.models.storage import StoredFile
from trainer.services import object_store

BACKENDS = ("database", "s3")


def backend() -> str:
    """The configured backend, checked. Raises StorageError when it cannot be used."""
    name = str(current_app.config.get("STORAGE_BACKEND") or "database").strip().lower()
    if name not in BACKENDS:
        raise StorageError(f"STORAGE_BACKEND {name!r} is unknown: use one of {', '.join(BACKENDS)}")
    return name


def new_name() -> str:
    """A fresh name for a file: random, so it reveals nothing and cannot be guessed."""
    return secrets.token_hex(16)


def put(data: bytes, content_type: str, name: str | None = None) -> str:
    """Keep ``data`` and return its name (``name`` if given: a restore keeps the names the
    rows use). Flushes; the caller commits with the rows that name the file. Raises
    StorageError."""
    in_store = backend() == "s3"
    stored = name or new_name()
    digest = hashlib.sha256(data).hexdigest()
    if in_store:
        object_store.put(stored, data, content_type, digest)
    db.session.add(
        StoredFile(
            name=stored,
            content_type=content_type,
            size=len(data),
            sha256=digest,
            data=None if in_store else data,
        )
    )
    db.session.flush()
    return stored


def _bytes(name: str, data: bytes | None, sha256: str) -> bytes:
    return object_store.get(name, sha256) if data is None else data


def get(name: str) -> bytes:
    """The file's bytes. NotFound when no file has that name; StorageError when its store
    cannot be read or holds other bytes than were stored."""
    found = db.session.execute(
        select(StoredFile.data, StoredFile.sha256).where(StoredFile.name == name)
    ).first()
    if found is None:
        raise NotFound(name)
    return _bytes(name, found[0], found[1])


def get_many(names: Iterable[str]) -> dict[str, bytes]:
    """Several files in one statement: {name: bytes} (NotFound if any is missing)."""
    wanted = set(names)
    if not wanted:
        return {}
    rows = db.session.execute(
        select(StoredFile.name, StoredFile.data, StoredFile.sha256).where(
            StoredFile.name.in_(wanted)
        )
    ).all()
    found = {name: _bytes(name, data, sha256) for name, data, sha256 in rows}
    missing = wanted - set(found)
    if missing:
        raise NotFound(sorted(missing)[0])
    return found


def exists(name: str) -> bool:
    return db.session.scalar(select(StoredFile.name).where(StoredFile.name == name)) is not None


def in_object_store() -> list[tuple[str, str]]:
    """(name, sha256) of every file whose bytes are in the object store (for backups)."""
    rows = db.session.execute(
        select(StoredFile.name, StoredFile.sha256)
        .where(StoredFile.data.is_(None))
        .order_by(StoredFile.name)
    ).all()
    return [(name, sha256) for name, sha256 in rows]


def adopt(name: str, data: bytes, content_type: str) -> bool:
    """Make a backup's copy of a file readable again (restore): a file no row names is put
    anew; a row whose bytes were in an object store gets them back in the configured
    backend. The bytes must be the ones the row recorded. Returns whether anything was
    written. Flushes."""
    row = db.session.get(StoredFile, name)
    if row is None:
        put(data, content_type, name=name)
        return True
    if row.data is not None:
        return False
    if hashlib.sha256(data).hexdigest() != row.sha256:
        raise StorageError(f"{name}: the backup's copy is not the file its row recorded")
    if backend() == "s3":
        object_store.put(name, data, row.content_type, row.sha256)
    else:
        row.data = data
        db.session.flush()
    return True


@dataclass(frozen=True)
class Moved:
    files: int
    size: int
    to: str


def move(batch: int = 50) -> Moved:
    """Carry every file kept elsewhere over to the configured backend, ``batch`` files per
    transaction, so an interrupted move loses nothing and can be run again: into the
    object store (each object written and read back before its row lets go of the bytes),
    or back into the database (objects deleted only after the rows holding their bytes are
    committed). Raises StorageError at the first file that cannot be moved."""
    to = backend()
    in_store = db.session.scalar(select(StoredFile.name).where(StoredFile.data.is_(None)).limit(1))
    if to == "s3" or in_store is not None:  # the store takes part: it must answer first
        why = object_store.reachable()
        if why:
            raise StorageError(f"{why}; nothing was moved")
    files = size = 0
    try:
        while moved := _move_batch(to, batch):
            files += len(moved)
            size += sum(n for _, n in moved)
    except StorageError as error:
        db.session.rollback()
        raise StorageError(
            f"{error} ({files} files moved before it stay moved; run it again once fixed)"
        ) from None
    return Moved(files, size, to)


def _move_batch(to: str, batch: int) -> list[tuple[str, int]]:
    """Move up to ``batch`` files and commit; (name, size) of each moved."""
    elsewhere = StoredFile.data.is_not(None) if to == "s3" else StoredFile.data.is_(None)
    rows = db.session.execute(
        select(StoredFile.name, StoredFile.content_type, StoredFile.sha256, StoredFile.size)
        .where(elsewhere)
        .order_by(StoredFile.name)
        .limit(batch)
    ).all()
    for name, kind, sha256, _ in rows:
        if to == "s3":
            object_store.put(name, get(name), kind, sha256)
            object_store.get(name, sha256)  # arrived whole, before the row lets go of it
            data = None
        else:
            data = object_store.get(name, sha256)
        db.session.execute(update(StoredFile).where(StoredFile.name == name).values(data=data))
    db.session.commit()
    if to == "database":
        for name, *_ in rows:
            # a failure is logged and leaves an object no row reads (storage check counts it)
            with suppress(StorageError):
                object_store.delete(name)
    return [(name, size) for name, _, _, size in rows]


@dataclass(frozen=True)
class Checked:
    files: int
    problems: list[str]  # one line per file that cannot be read whole
    unnamed: int  # objects in the store that no row names (left by failed requests)


def check() -> Checked:
    """Read every stored file back and compare it with its recorded SHA-256; with an
    object store configured, also count the objects no row names."""
    names = list(db.session.scalars(select(StoredFile.name).order_by(StoredFile.name)))
    problems = []
    for name in names:
        try:
            found = db.session.execute(
                select(StoredFile.data, StoredFile.sha256).where(StoredFile.name == name)
            ).one()
            data = _bytes(name, found[0], found[1])
            if hashlib.sha256(data).hexdigest() != found[1]:
                problems.append(f"{name}: the database holds other bytes than were stored")
        except StorageError as error:
            problems.append(str(error))
        db.session.expire_all()  # one file in memory at a time
    unnamed = 0
    if backend() == "s3":
        known = set(names)
        unnamed = sum(1 for name in object_store.names() if name not in known)
    return Checked(len(names), problems, unnamed)
