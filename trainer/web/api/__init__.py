"""The JSON API under /api/v1/. Errors are JSON: {"error": {"status", "code", "message"}},
plus "fields" (parameter -> message) when query parameters are wrong.

Public: certificate verification. Registry (a board's own system): bearer API tokens of
board members, scoped to the member's jurisdiction, rate-limited per token, every call an
audit event. The OpenAPI 3 document at /api/v1/openapi.json describes all of it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, g, jsonify, request

from trainer.clock import utcnow
from trainer.domain import registry as rq
from trainer.domain.errors import NotFound
from trainer.extensions import csrf, db, limiter
from trainer.services import api_tokens, audit, certificates, registry
from trainer.web.access import api_user, public, token
from trainer.web.api.openapi import document
from trainer.web.forms import writes_on_read
from trainer.web.verify import VERIFY_LIMIT

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


def _token_key() -> str:
    """Rate limits count per API token (per address when no token was sent)."""
    key = api_tokens.token_id_for(request.headers.get("Authorization"))
    return f"token:{key}" if key else f"addr:{request.remote_addr}"


registry_limit = limiter.shared_limit(
    lambda: current_app.config["API_RATE_LIMIT"], scope="registry-api", key_func=_token_key
)


def _bad_query(error: rq.QueryError) -> tuple[Response, int]:
    return jsonify(
        error={
            "status": 400,
            "code": "bad_request",
            "message": "Some query parameters are not valid: "
            + "; ".join(f"{k}: {v}" for k, v in error.errors.items()),
            "fields": error.errors,
        }
    ), 400


@bp.get("/openapi.json")
@public
def openapi() -> Response:
    """The OpenAPI 3.1 description of this API."""
    return jsonify(document(current_app.config["BASE_URL"]))


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


def _limit(extras: dict[str, str]) -> int:
    return rq.parse_int(extras.get("limit"), "limit", rq.DEFAULT_LIMIT, 1, rq.MAX_LIMIT)


def _audit(action: str, **details: Any) -> None:
    """Record a board system's read; the view is @writes_on_read, which commits it."""
    audit.record(action, actor=api_user(), via="api", **details)
    g.api_audited = True


@bp.after_request
def _audit_refusals(response: Response) -> Response:
    """A token-authenticated call that ended in an error is recorded too (a board system
    probing numbers of another jurisdiction shows in the activity)."""
    user = g.get("api_user")
    if user is not None and not g.get("api_audited") and response.status_code >= 400:
        db.session.rollback()
        audit.record(
            "api.refused",
            actor=user,
            via="api",
            status=response.status_code,
            path=request.path[:200],
        )
        db.session.commit()
    return response


@bp.get("/registry/certificates")
@token("board")
@registry_limit
@writes_on_read
def registry_search():
    """Search the certificates of the token holder's jurisdiction."""
    user = api_user()
    try:
        filters, extras = rq.parse_filters(
            request.args.items(multi=True),
            registry.programs(user.jurisdiction),
            extra=("limit", "cursor"),
            strict=True,
        )
        page = registry.search_after(
            user.jurisdiction, filters, utcnow(), _limit(extras), extras.get("cursor") or None
        )
    except rq.QueryError as error:
        db.session.rollback()
        return _bad_query(error)
    _audit("api.search", filters=filters.as_params(), count=len(page.rows))
    return jsonify(items=[r.as_json() for r in page.rows], next_cursor=page.next_cursor)


def _record_or_404(number: str) -> registry.CertificateRecord:
    try:
        return registry.record(api_user().jurisdiction, number, utcnow())
    except NotFound:
        abort(404, description=f"No certificate of your jurisdiction has the number {number[:60]}.")


@bp.get("/registry/certificates/<number>")
@token("board")
@registry_limit
@writes_on_read
def registry_certificate(number: str):
    """One certificate's record: facts, evidence snapshot and history."""
    if request.args:
        return _bad_query(rq.QueryError({k[:40]: "Unknown parameter." for k in request.args}))
    rec = _record_or_404(number)
    _audit("api.certificate", number=rec.row.number)
    return jsonify(rec.as_json())


@bp.get("/registry/certificates/<number>/pdf")
@token("board")
@registry_limit
@writes_on_read
def registry_pdf(number: str):
    """The certificate's stored PDF, byte for byte as issued."""
    if request.args:
        return _bad_query(rq.QueryError({k[:40]: "Unknown parameter." for k in request.args}))
    try:
        stored = registry.pdf(api_user().jurisdiction, number)
    except NotFound:
        abort(404, description=f"No certificate of your jurisdiction has the number {number[:60]}.")
    _audit("api.pdf", number=stored.filename.removesuffix(".pdf"), sha256=stored.sha256)
    response = Response(stored.data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{stored.filename}"'
    response.headers["Digest"] = f"sha-256={stored.sha256}"
    return response


@bp.get("/registry/changes")
@token("board")
@registry_limit
@writes_on_read
def registry_changes():
    """Certificates changed at or after ``since``, oldest change first."""
    user = api_user()
    now = utcnow()
    try:
        seen: dict[str, str] = {}
        for key, value in request.args.items(multi=True):
            if key not in ("since", "limit", "cursor"):
                raise rq.QueryError({key[:40]: "Unknown parameter. Use since, limit, cursor."})
            if key in seen:
                raise rq.QueryError({key: "Give this parameter once."})
            if not value.strip():
                raise rq.QueryError({key: "Give a value, or leave the parameter out."})
            seen[key] = value
        since = rq.parse_timestamp(seen.get("since"), "since")
        page = registry.changes(
            user.jurisdiction, since, now, _limit(seen), seen.get("cursor") or None
        )
    except rq.QueryError as error:
        db.session.rollback()
        return _bad_query(error)
    _audit("api.changes", since=since.isoformat(), count=len(page.rows))
    return jsonify(
        items=[r.as_json() for r in page.rows],
        next_cursor=page.next_cursor,
        as_of=now.isoformat().replace("+00:00", "Z"),
    )
