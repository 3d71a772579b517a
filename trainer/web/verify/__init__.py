"""Public, read-only verification: anyone checks a certificate by its number or QR code."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for

from trainer.clock import utcnow
from trainer.domain import credential as vc
from trainer.domain.errors import NotFound
from trainer.extensions import limiter
from trainer.services import certificates
from trainer.web.access import public
from trainer.web.forms import writes_on_read

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


@bp.get("/.well-known/did.json")
@bp.get("/did.json")  # did:web of a BASE_URL with a path resolves to <path>/did.json
@public
@writes_on_read  # the first request of a new installation registers its first key
def did_document():
    """The issuer's DID document (did:web): every signing key not retired, as Multikeys."""
    doc = vc.did_document(certificates.issuer(), certificates.published_keys())
    response = jsonify(doc)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/credentials/status/<purpose>")
@public
@writes_on_read  # the first request signs and stores the list
def status_list(purpose: str):
    """The signed Bitstring Status List credential (cached: the worker re-signs it after a
    status changes)."""
    try:
        body = certificates.status_list.published(purpose, utcnow())
    except KeyError:
        return jsonify(error={"status": 404, "code": "not_found", "message": "No such list"}), 404
    response = current_app.response_class(body, mimetype="application/json")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/.well-known/trainer-issuer.json")
@public
@writes_on_read  # the first request of a new installation registers its first key
def issuer():
    """The older issuer profile (its key as a JWK): credentials signed before did:web name
    it as their verification method. The first key, ``key-1``."""
    first = certificates.keys.by_method(certificates.legacy_key_url())
    if first is None or first.retired_at is not None:  # a retired key is not published
        return jsonify(error={"status": 404, "code": "not_found", "message": "Key retired"}), 404
    jwk = {
        **vc.public_key_jwk(vc.public_key_from_multikey(first.public_multibase)),
        "kid": certificates.legacy_key_url(),
        "use": "sig",
        "alg": "EdDSA",
    }
    return jsonify(
        {
            "id": request.base_url,
            "type": ["Profile"],
            "name": certificates.issuer().name,
            "verificationMethod": [
                {
                    "id": certificates.legacy_key_url(),
                    "type": "JsonWebKey",
                    "controller": request.base_url,
                    "publicKeyJwk": jwk,
                }
            ],
        }
    )
