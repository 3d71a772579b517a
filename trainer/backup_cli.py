"""``trainer backup`` and ``trainer restore``: the whole installation in one file and back."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext


@click.command()
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The backup file to write (a .tar.gz); replaced whole when done.",
)
@with_appcontext
def backup(output: Path) -> None:
    """Back up the database (one consistent snapshot, uploaded files included), the signing
    keys and the secret key, with a manifest of every file's SHA-256 and the schema revision.
    Safe while the app serves. The file holds the signing keys: keep it private (encrypt it)."""
    from trainer.clock import utcnow
    from trainer.domain.backup import BackupError
    from trainer.services import backup as backups

    try:
        made = backups.create(output, utcnow())
    except BackupError as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    files = made.manifest.files
    keys = sum(1 for name in files if name.startswith("instance/keys/"))
    objects = sum(1 for name in files if name.startswith("objects/"))
    where = f"{objects} uploaded file(s) from the object store" if objects else "no object store"
    click.echo(
        f"wrote {output}: {made.manifest.database} database (with the uploaded files it "
        f"holds; {where}) at schema {', '.join(made.manifest.schema_revisions)}, {keys} "
        "signing key file(s)"
    )
    click.echo(f"SHA-256 {made.sha256}")


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace what a non-empty instance holds.")
@with_appcontext
def restore(file: Path, force: bool) -> None:
    """Restore a backup made by `trainer backup` into an empty instance and database (stop
    the app and worker first). Every file's hash and the schema revision are checked before
    anything is written; a backup from a newer version of trainer is refused."""
    from trainer.domain.backup import BackupError
    from trainer.services import backup as backups

    try:
        done = backups.restore(file, force)
    except BackupError as error:
        click.echo(f"{file}: {error}" if error.file != str(file) else str(error), err=True)
        sys.exit(1)
    manifest = done.manifest
    click.echo(
        f"restored {file} (made {manifest.created_at:%Y-%m-%d %H:%M} UTC): "
        f"{len(manifest.files)} files, schema {', '.join(manifest.schema_revisions)}"
    )
    if done.note:
        click.echo(done.note)
