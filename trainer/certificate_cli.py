"""``trainer certificate``: list, export, revoke and verify certificates."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from flask.cli import with_appcontext


@click.group()
def certificate() -> None:
    """List, export, revoke and verify certificates."""


@certificate.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_appcontext
def list_(as_json: bool) -> None:
    """Every issued certificate with its current status."""
    from sqlalchemy import select

    from trainer.clock import utcnow
    from trainer.extensions import db
    from trainer.models import Certificate

    now = utcnow()
    rows = db.session.scalars(
        select(Certificate).where(Certificate.number.is_not(None)).order_by(Certificate.id)
    ).all()
    data = [
        {
            "number": c.number,
            "holder": c.holder_name,
            "program": c.program_id,
            "jurisdiction": c.jurisdiction,
            "status": c.public_status(now),
            "issued": c.issued_at.date().isoformat() if c.issued_at else None,
            "expires": c.expires_at.date().isoformat() if c.expires_at else None,
            "sha256": c.pdf_sha256,
        }
        for c in rows
    ]
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    for d in data:
        click.echo(
            f"{d['number']:<24} {d['status']:<10} {d['issued']}  {d['expires']}  "
            f"{d['holder']} ({d['program']})"
        )
    click.echo(f"{len(data)} certificate(s)")


@certificate.command("pdf")
@click.argument("number")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
@with_appcontext
def pdf(number: str, output: str) -> None:
    """Write the stored PDF of certificate NUMBER to a file (the bytes issued, unchanged)."""
    from trainer.services import certificates

    cert = certificates.by_number(number)
    if cert is None or cert.pdf is None:
        raise click.ClickException(f"no issued certificate numbered {number}")
    Path(output).write_bytes(cert.pdf)
    click.echo(f"wrote {output} (sha256 {cert.pdf_sha256})")


@certificate.command("revoke")
@click.argument("number")
@click.option("--reason", required=True, help="Why; kept in the audit log.")
@with_appcontext
def revoke(number: str, reason: str) -> None:
    """Revoke certificate NUMBER. The document stays as it was; its status changes."""
    from trainer.clock import utcnow
    from trainer.domain.errors import NotFound, RuleError
    from trainer.extensions import db
    from trainer.services import certificates

    try:
        cert = certificates.revoke(None, number, reason, utcnow())
    except NotFound:
        raise click.ClickException(f"no certificate numbered {number}") from None
    except RuleError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"revoked {cert.number}")


def _credential_from(path: Path) -> dict:
    data = path.read_bytes()
    if data.startswith(b"%PDF"):
        from io import BytesIO

        from pypdf import PdfReader

        reader = PdfReader(BytesIO(data))
        attached = reader.attachments.get("credential.json")
        if not attached:
            raise click.ClickException(f"{path}: the PDF carries no credential.json")
        data = attached[0]
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise click.ClickException(f"{path}: not a JSON credential ({error})") from None


def _verify_with(signed: dict[str, Any], key_file: Path) -> dict[str, Any]:
    """Verify with the key a published document (DID document, issuer profile) holds for
    the method the proof names."""
    from trainer.domain import credential as vc

    proof = signed.get("proof")
    first = proof[0] if isinstance(proof, list) and proof else proof
    method = str(first.get("verificationMethod", "")) if isinstance(first, dict) else ""
    try:
        document = json.loads(key_file.read_text())
        public_key = vc.public_key_from_document(document, method or None)
    except (ValueError, AttributeError) as error:  # JSON, CredentialError, not an object
        raise click.ClickException(f"{key_file}: no issuer key in it ({error})") from None
    return vc.verify(signed, public_key)


@certificate.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--key",
    "key_file",
    type=click.Path(exists=True, dir_okay=False),
    help="The issuer's DID document (from /.well-known/did.json), or for credentials signed"
    " before did:web the older /.well-known/trainer-issuer.json. Default: this installation's"
    " key.",
)
def verify(file: str, key_file: str | None) -> None:
    """Check a signed credential (.json, or the .pdf carrying it) offline; print its claims.

    Exits 1 when the signature does not match.
    """
    from trainer.domain import credential as vc

    signed = _credential_from(Path(file))
    try:
        if key_file:
            claims = _verify_with(signed, Path(key_file))
        else:
            from flask.cli import ScriptInfo

            from trainer.services import certificates

            app = click.get_current_context().ensure_object(ScriptInfo).load_app()
            with app.app_context():
                checked = certificates.keys.check(signed)
                claims = checked.claims
                click.echo(f"key:        {checked.key.id}")
    except vc.CredentialError as error:
        click.echo(f"INVALID: {error}", err=True)
        sys.exit(1)
    subject = claims["credentialSubject"]
    click.echo("VALID signature")
    achievement = subject["achievement"]
    number = claims.get("certificateNumber") or str(claims["id"]).rsplit("/", 1)[-1]
    click.echo(f"number:     {number}")
    click.echo(f"holder:     {subject.get('name')}")
    click.echo(f"credential: {achievement['name']}")
    click.echo(f"issuer:     {claims['issuer']['name']}")
    if "creator" in achievement:
        click.echo(f"authority:  {achievement['creator']['name']}")
    click.echo(f"valid:      {claims['validFrom']} to {claims['validUntil']}")
    click.echo(f"status at:  {claims['id']}")
    status = claims.get("credentialStatus")
    if isinstance(status, dict) and "statusListCredential" in status:
        click.echo(
            f"revocation: bit {status['statusListIndex']} of {status['statusListCredential']}"
        )
