"""What a backup archive holds and the rules a restore checks before writing anything.

A backup is a tar (gzip) of ``manifest.json`` and the files it lists: the database
(``database/trainer.sqlite3``, or ``database/trainer.pgdump`` in pg_dump's custom format)
(uploaded files are in it, table ``stored_files``) and the instance files
(``instance/secret_key``, ``instance/keys/key-N.pem``). Backups made before uploads moved into
the database also carry ``instance/uploads/<name>``; a restore still reads them. The manifest
gives every file's SHA-256 and size, the database's kind and its schema revision(s).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_KINDS = ("sqlite", "postgresql")
DATABASE_FILES = {"sqlite": "database/trainer.sqlite3", "postgresql": "database/trainer.pgdump"}
SECRET_FILE = "instance/secret_key"  # noqa: S105 (a name in the archive, no secret)
KEY_FILE = re.compile(r"^instance/keys/key-([1-9][0-9]{0,5})\.pem$")
UPLOAD_FILE = re.compile(r"^instance/uploads/([A-Za-z0-9][A-Za-z0-9._-]{0,199})$")
#: a file whose bytes were in an S3-compatible object store (its row is in the database)
OBJECT_FILE = re.compile(r"^objects/([A-Za-z0-9][A-Za-z0-9._-]{0,199})$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class BackupError(Exception):
    """What is wrong with a backup (or with where it is going), naming the file concerned."""

    def __init__(self, file: str, message: str) -> None:
        super().__init__(f"{file}: {message}")
        self.file = file
        self.message = message


@dataclass(frozen=True)
class Entry:
    sha256: str
    size: int


@dataclass(frozen=True)
class Manifest:
    created_at: datetime
    database: str  # one of DATABASE_KINDS
    schema_revisions: tuple[str, ...]
    files: dict[str, Entry] = field(default_factory=dict)
    format: int = FORMAT

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": self.format,
                "created_at": self.created_at.isoformat(),
                "database": self.database,
                "schema_revisions": list(self.schema_revisions),
                "files": {
                    name: {"sha256": e.sha256, "size": e.size}
                    for name, e in sorted(self.files.items())
                },
            },
            indent=2,
        )


def key_name(number: int) -> str:
    """The archive name of signing key ``number``."""
    return f"instance/keys/key-{number}.pem"


def upload_name(stored: str) -> str:
    return f"instance/uploads/{stored}"


def allowed_name(name: str) -> bool:
    """Only names this format defines (never absolute, never ``..``, never a link)."""
    return (
        name in DATABASE_FILES.values()
        or name == SECRET_FILE
        or bool(KEY_FILE.match(name) or UPLOAD_FILE.match(name) or OBJECT_FILE.match(name))
    )


def parse_manifest(text: bytes) -> Manifest:
    """Read ``manifest.json``. Raises BackupError naming it when anything is off."""

    def bad(why: str) -> BackupError:
        return BackupError(MANIFEST, why)

    try:
        data: Any = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise bad("not valid JSON (the archive is damaged)") from None
    if not isinstance(data, dict):
        raise bad("not a trainer backup manifest")
    if data.get("format") != FORMAT:
        raise bad(f"format {data.get('format')!r}: this version of trainer reads format {FORMAT}")
    if data.get("database") not in DATABASE_KINDS:
        raise bad(f"unknown database kind {data.get('database')!r}")
    revisions = data.get("schema_revisions")
    if not isinstance(revisions, list) or not all(isinstance(r, str) for r in revisions):
        raise bad("no schema revision")
    try:
        created = datetime.fromisoformat(str(data.get("created_at")))
    except ValueError:
        raise bad("no valid created_at") from None
    files: dict[str, Entry] = {}
    listed = data.get("files")
    if not isinstance(listed, dict):
        raise bad("no file list")
    for name, entry in listed.items():
        if not allowed_name(name):
            raise bad(f"lists {name!r}, which is no part of a trainer backup")
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("sha256"), str)
            and _SHA256.match(entry["sha256"])
            and isinstance(entry.get("size"), int)
            and entry["size"] >= 0
        ):
            raise bad(f"the entry for {name} has no valid sha256 and size")
        files[name] = Entry(entry["sha256"], entry["size"])
    if DATABASE_FILES[data["database"]] not in files:
        raise bad("lists no database file")
    return Manifest(created, data["database"], tuple(revisions), files)


def check_schema(manifest: Manifest, known: set[str], heads: set[str]) -> str | None:
    """Refuse a backup from a newer schema (a revision this code does not know): raises
    BackupError. Returns a note when the backup is older than the code (upgrade after)."""
    unknown = sorted(set(manifest.schema_revisions) - known)
    if unknown:
        raise BackupError(
            MANIFEST,
            f"the backup's schema revision {', '.join(unknown)} is newer than this version of "
            "trainer knows: restore it with the version that made it (or a later one)",
        )
    if set(manifest.schema_revisions) != heads:
        return "the backup's schema is older than this code: run `trainer db upgrade` next"
    return None


def check_file(name: str, entry: Entry, size: int, sha256: str) -> None:
    """A file read from the archive must be the one the manifest describes."""
    if size != entry.size:
        raise BackupError(
            name, f"{size} bytes where the manifest says {entry.size}: the backup is damaged"
        )
    if sha256 != entry.sha256:
        raise BackupError(
            name, "its SHA-256 does not match the manifest: the backup is damaged or altered"
        )
