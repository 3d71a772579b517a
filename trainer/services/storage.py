"""Where the app keeps the files it writes (uploaded documents, supervisors' credentials,
audit evidence): never on one node's disk, so any app server or worker can read what
another wrote.

``STORAGE_BACKEND`` (``TRAINER_STORAGE_BACKEND``) chooses where the bytes go:

* ``database`` (the default): in ``stored_files``, written in the same transaction as the
  row that names the file, so the two appear together or not at all, and a database backup
  holds every file.
* ``s3``: an S3-compatible object store (``S3_BUCKET``, ``S3_ENDPOINT_URL``, credentials
  from the standard ``AWS_*`` variables). It needs boto3, which this version does not
  install: choosing it is refused with a message saying so (StorageError), never silently
  replaced by the database.

Either way a ``stored_files`` row records the file's name, type, size and SHA-256; with an
object store its ``data`` stays empty.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

from flask import current_app
from sqlalchemy import delete as sql_delete
from sqlalchemy import select

from trainer.domain.errors import NotFound
from trainer.extensions import db
from trainer.models.storage import StoredFile

BACKENDS = ("database", "s3")


class StorageError(Exception):
    """A file could not be stored or read: the backend is misconfigured or unavailable."""


def backend() -> str:
    """The configured backend, checked. Raises StorageError when it cannot be used."""
    name = str(current_app.config.get("STORAGE_BACKEND") or "database").strip().lower()
    if name == "database":
        return name
    if name == "s3":
        raise StorageError(
            "STORAGE_BACKEND is 's3', which needs boto3: install boto3 and restart, or set "
            "TRAINER_STORAGE_BACKEND=database"
        )
    raise StorageError(f"STORAGE_BACKEND {name!r} is unknown: use one of {', '.join(BACKENDS)}")


def new_name() -> str:
    """A fresh name for a file: random, so it reveals nothing and cannot be guessed."""
    return secrets.token_hex(16)


def put(data: bytes, content_type: str, name: str | None = None) -> str:
    """Keep ``data`` and return its name (``name`` if given: a restore keeps the names the
    rows use). Flushes; the caller commits with the rows that name the file. Raises
    StorageError."""
    backend()
    stored = name or new_name()
    db.session.add(
        StoredFile(
            name=stored,
            content_type=content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            data=data,
        )
    )
    db.session.flush()
    return stored


def _bytes(name: str, data: bytes | None) -> bytes:
    if data is None:  # kept in an object store
        backend()
        raise StorageError(f"{name}: kept in the object store, which this version cannot read")
    return data


def get(name: str) -> bytes:
    """The file's bytes. NotFound when no file has that name; StorageError when its store
    cannot be read."""
    found = db.session.execute(select(StoredFile.data).where(StoredFile.name == name)).first()
    if found is None:
        raise NotFound(name)
    return _bytes(name, found[0])


def get_many(names: Iterable[str]) -> dict[str, bytes]:
    """Several files in one statement: {name: bytes} (NotFound if any is missing)."""
    wanted = set(names)
    if not wanted:
        return {}
    rows = db.session.execute(
        select(StoredFile.name, StoredFile.data).where(StoredFile.name.in_(wanted))
    ).all()
    found = {name: _bytes(name, data) for name, data in rows}
    missing = wanted - set(found)
    if missing:
        raise NotFound(sorted(missing)[0])
    return found


def exists(name: str) -> bool:
    return db.session.scalar(select(StoredFile.name).where(StoredFile.name == name)) is not None


def delete(name: str) -> None:
    """Forget a file (nothing happens if there is none). Flushes."""
    db.session.execute(sql_delete(StoredFile).where(StoredFile.name == name))
    db.session.flush()
