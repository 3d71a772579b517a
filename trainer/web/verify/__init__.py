"""Public, read-only verification: anyone checks a certificate by its number or QR code."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, request, url_for

from trainer.clock import utcnow
from trainer.domain import credential as vc
from trainer.domain.errors import NotFound
from trainer.extensions import limiter
from trainer.services import certificates
from trainer.web.access import public

bp = Blueprint("verify", __name__)
VERIFY_LIMIT = "60 per minute"


@bp.get("/verify")
@public
@limiter.limit(VERIFY_LIMIT)
def form():
    number = request.args.get("number", "").strip()
    if number:
        return redirect(url_for("verify.certificate", number=number.upper()[:60]))
    return render_template("verify/form.html")


@bp.get("/verify/<number>")
@public
@limiter.limit(VERIFY_LIMIT)
def certificate(number: str):
    try:
        cert = certificates.public(number, utcnow())
    except NotFound:
        return render_template("verify/not_found.html", number=number[:60]), 404
    return render_template("verify/certificate.html", c=cert)


@bp.get("/.well-known/trainer-issuer.json")
@public
def issuer():
    """The issuer profile with its public key, at a stable address."""
    jwk = {
        **vc.public_key_jwk(certificates.public_key()),
        "kid": certificates.key_url(),
        "use": "sig",
        "alg": "EdDSA",
    }
    return jsonify(
        {
            "id": request.base_url,
            "type": ["Profile"],
            "name": "trainer issuer",
            "verificationMethod": [
                {
                    "id": certificates.key_url(),
                    "type": "JsonWebKey",
                    "controller": request.base_url,
                    "publicKeyJwk": jwk,
                }
            ],
        }
    )
