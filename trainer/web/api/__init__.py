"""The JSON API under /api/v1/. Errors are JSON: {"error": {"status", "code", "message"}}."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify

from trainer.domain.errors import NotFound
from trainer.extensions import csrf, limiter
from trainer.models.base import utcnow
from trainer.services import certificates
from trainer.web.access import public
from trainer.web.verify import VERIFY_LIMIT

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


@bp.get("/certificates/<number>")
@public
@limiter.limit(VERIFY_LIMIT)
def certificate(number: str):
    """Public verification as JSON: the same facts as /verify/<number>."""
    try:
        cert = certificates.public(number, utcnow())
    except NotFound:
        abort(404, description=f"No certificate has the number {number[:60]}.")
    return jsonify(cert.as_json())
