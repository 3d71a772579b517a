"""stored files: uploads in the database, shared by every app server and worker

Revision ID: d20a0d1c4a04
Revises: c20a0d1c4a03
Create Date: 2026-12-06 23:30:00

Existing uploads move in: every file in ``<instance>/uploads/`` that a row names
(document_uploads, supervisor_qualifications, ce_audit_items) is copied into stored_files.
The files stay on disk (delete them once the upgrade is checked); a named file missing
from disk is reported in the log and skipped. The downgrade writes every stored file back
into ``<instance>/uploads/`` before dropping the table.
"""
import hashlib
import logging
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import op
from flask import current_app

# revision identifiers, used by Alembic.
revision = 'd20a0d1c4a04'
down_revision = 'c20a0d1c4a03'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

#: the tables whose rows name uploaded files: (table, its name column, its type column)
USERS_OF_FILES = (
    ("document_uploads", "stored_name", "content_type"),
    ("supervisor_qualifications", "stored_name", "content_type"),
    ("ce_audit_items", "stored_name", "content_type"),
)

stored_files = sa.table(
    "stored_files",
    sa.column("name", sa.String),
    sa.column("content_type", sa.String),
    sa.column("size", sa.Integer),
    sa.column("sha256", sa.String),
    sa.column("data", sa.LargeBinary),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


def _when(path: Path, dialect: str) -> datetime:
    made = datetime.fromtimestamp(path.stat().st_mtime, UTC)  # when it was uploaded
    return made.replace(tzinfo=None) if dialect == "sqlite" else made


def copy_uploads(conn: sa.engine.Connection, folder: Path) -> tuple[int, list[str]]:
    """Copy every file in ``folder`` that a row names into stored_files (once; a file
    already there is left alone). Returns (how many were copied, the names not on disk)."""
    copied, missing = 0, []
    present = set(conn.execute(sa.select(stored_files.c.name)).scalars())
    for table, name_col, type_col in USERS_OF_FILES:
        t = sa.table(table, sa.column(name_col, sa.String), sa.column(type_col, sa.String))
        rows = conn.execute(
            sa.select(t.c[name_col], t.c[type_col]).where(t.c[name_col].is_not(None))
        ).all()
        for name, kind in rows:
            if name in present:
                continue
            path = folder / name
            if not path.is_file():
                missing.append(name)
                continue
            data = path.read_bytes()
            conn.execute(
                stored_files.insert().values(
                    name=name,
                    content_type=kind or "application/octet-stream",
                    size=len(data),
                    sha256=hashlib.sha256(data).hexdigest(),
                    data=data,
                    created_at=_when(path, conn.dialect.name),
                )
            )
            present.add(name)
            copied += 1
    return copied, missing


def write_back(conn: sa.engine.Connection, folder: Path) -> int:
    """Write every stored file into ``folder`` (files already there are kept)."""
    written = 0
    for name in list(conn.execute(sa.select(stored_files.c.name)).scalars()):
        path = folder / name
        if path.exists():
            continue
        data = conn.execute(
            sa.select(stored_files.c.data).where(stored_files.c.name == name)
        ).scalar()
        if data is None:  # kept in an object store: nothing to write back
            continue
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f"{name}.part"
        partial.write_bytes(data)
        partial.replace(path)
        written += 1
    return written


def _folder() -> Path:
    return Path(current_app.instance_path) / "uploads"


def upgrade():
    op.create_table('stored_files',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_stored_files'))
    )
    copied, missing = copy_uploads(op.get_bind(), _folder())
    if copied or missing:
        log.info("copied %d uploads from %s into stored_files (the files stay on disk)",
                 copied, _folder())
    for name in missing:
        log.warning("upload %s is named by a row but is not in %s", name, _folder())


def downgrade():
    written = write_back(op.get_bind(), _folder())
    if written:
        log.info("wrote %d stored files back into %s", written, _folder())
    op.drop_table('stored_files')
