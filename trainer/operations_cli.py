"""``trainer keys`` (signing-key rotation), ``trainer audit`` (the audit log's hash chain)
and ``trainer storage`` (where uploaded files live): commands for the people who run an
installation over years."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext


@click.group()
def keys() -> None:
    """List, rotate and retire the issuer's signing keys."""


@keys.command("list")
@with_appcontext
def keys_list() -> None:
    """Every signing key: which signs now, which are published, which are retired."""
    from trainer.services.certificates import keys as signing

    now_signing = signing.current().id
    for k in signing.all_keys():
        if k.retired_at:
            state = f"retired {k.retired_at:%Y-%m-%d}: {k.retire_reason}"
        else:
            state = "signs now" if k.id == now_signing else "published (verifies what it signed)"
        click.echo(f"{k.id:<8} made {k.created_at:%Y-%m-%d}  {k.public_multibase}  {state}")


@keys.command("rotate")
@with_appcontext
def rotate() -> None:
    """Make a new signing key: it signs from now on; older keys stay published, so every
    certificate issued before still verifies. The status lists are signed again with it."""
    from trainer.clock import utcnow
    from trainer.domain.errors import RuleError
    from trainer.extensions import db
    from trainer.services.certificates import keys as signing
    from trainer.services.certificates import status_list

    try:
        row = signing.rotate(utcnow())
    except RuleError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    status_list.mark_stale()
    db.session.commit()
    click.echo(f"{row.id} signs from now on ({row.public_multibase}). Back up the key folder.")


@keys.command("retire")
@click.argument("key_id")
@click.option("--reason", required=True, help="Why (e.g. compromised); kept in the audit log.")
@with_appcontext
def retire(key_id: str, reason: str) -> None:
    """Retire KEY_ID: it is no longer published, and anything it signs from now on fails
    verification. The key that signs now can be retired only after a rotation."""
    from trainer.clock import utcnow
    from trainer.domain.errors import NotFound, RuleError
    from trainer.extensions import db
    from trainer.services.certificates import keys as signing

    try:
        row = signing.retire(key_id, reason, utcnow())
    except NotFound:
        db.session.rollback()
        raise click.ClickException(f"no signing key {key_id} (see `trainer keys list`)") from None
    except RuleError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"{row.id} is retired ({row.retire_reason}).")


@click.group()
def audit() -> None:
    """The audit log's hash chain."""


@audit.command("verify")
@with_appcontext
def audit_verify() -> None:
    """Seal what is waiting, then check the whole chain. Prints the head hash (keep it
    somewhere outside this database as an anchor); exits 1 at the first event altered,
    removed or reordered."""
    from trainer.clock import utcnow
    from trainer.extensions import db
    from trainer.services import audit_chain

    now = utcnow()
    sealed = audit_chain.seal(now)
    check = audit_chain.verify(now)
    db.session.commit()
    if check.problem:
        click.echo(f"BROKEN: {check.problem}", err=True)
        sys.exit(1)
    click.echo(f"The chain holds: {check.events} events ({sealed} sealed just now).")
    if check.head_seq:
        click.echo(f"Head: place {check.head_seq}, hash {check.head_hash}")


@click.group()
def storage() -> None:
    """The uploaded files: move them to the configured backend, check them."""


@storage.command("move")
@click.option("--batch", default=50, show_default=True, help="Files per transaction.")
@with_appcontext
def storage_move(batch: int) -> None:
    """Carry every file over to the backend TRAINER_STORAGE_BACKEND names: from the
    database into the object store after switching to s3, or back. Safe to interrupt and
    run again; files stay readable throughout."""
    from trainer.extensions import db
    from trainer.services import storage as files

    try:
        moved = files.move(batch)
    except files.StorageError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    where = "the object store" if moved.to == "s3" else "the database"
    click.echo(f"{moved.files} files ({moved.size:,} bytes) moved into {where}.")


@storage.command("check")
@with_appcontext
def storage_check() -> None:
    """Read every stored file back and compare it with its SHA-256; exits 1 if any cannot
    be read whole. Counts objects in the store that no record names."""
    from trainer.extensions import db
    from trainer.services import storage as files

    try:
        checked = files.check()
    except files.StorageError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.rollback()
    for problem in checked.problems:
        click.echo(f"BAD: {problem}", err=True)
    if checked.unnamed:
        click.echo(
            f"{checked.unnamed} objects in the store are named by no record (left by requests "
            "that failed after storing); they are never served."
        )
    if checked.problems:
        sys.exit(1)
    click.echo(f"All {checked.files} stored files read back whole.")
