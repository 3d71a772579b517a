"""Blueprints, error pages, template helpers and the access policy hook."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Flask,
    abort,
    g,
    jsonify,
    make_response,
    render_template,
    request,
    session,
)
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug import exceptions as werkzeug_exceptions
from werkzeug.exceptions import HTTPException, InternalServerError

from trainer.domain import errors, statuses
from trainer.domain.roles import ROLE_LABELS, home_role
from trainer.web import access
from trainer.web.access import declared as access_declared


def register(app: Flask) -> None:
    from trainer.web.inputs import IdConverter

    # before any route exists: every <int:...> is a bounded ASCII id (404 otherwise)
    app.url_map.converters["int"] = IdConverter
    from trainer.web.admin import bp as admin_bp
    from trainer.web.api import bp as api_bp
    from trainer.web.audits import bp as audits_bp
    from trainer.web.auth import bp as auth_bp
    from trainer.web.board import bp as board_bp
    from trainer.web.board.standing import bp as standing_bp
    from trainer.web.employer import bp as employer_bp
    from trainer.web.exam import bp as exam_bp
    from trainer.web.health import bp as health_bp
    from trainer.web.hours import bp as hours_bp
    from trainer.web.learn import bp as learn_bp
    from trainer.web.main import bp as main_bp
    from trainer.web.supervise import bp as supervise_bp
    from trainer.web.verify import bp as verify_bp
    from trainer.web.webhooks import bp as webhooks_bp

    for bp in (
        main_bp,
        auth_bp,
        learn_bp,
        exam_bp,
        hours_bp,
        supervise_bp,
        board_bp,
        standing_bp,
        audits_bp,
        employer_bp,
        admin_bp,
        verify_bp,
        api_bp,
        health_bp,
        webhooks_bp,
    ):
        app.register_blueprint(bp)

    setattr(app.view_functions["static"], "access", access.PUBLIC)  # noqa: B010 (a Flask view)
    app.before_request(_transaction_mode)
    app.teardown_request(_end_transaction_mode)
    app.before_request(_state_origin)
    app.before_request(_refuse_nul_bytes)
    app.teardown_request(_forget_origin)
    app.before_request(access.enforce)
    _register_error_handlers(app)
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.filters["localdate"] = localdate
    app.jinja_env.filters["program_title"] = program_title
    app.jinja_env.filters["has_evaluations"] = has_evaluations
    app.jinja_env.filters["duration"] = duration
    app.jinja_env.globals["ROLE_LABELS"] = ROLE_LABELS
    # templates compare stored states with the members, as the services do
    app.jinja_env.globals.update(
        {
            enum.__name__: enum
            for enum in (
                statuses.AttemptStatus,
                statuses.CertificateStatus,
                statuses.EntryKind,
                statuses.EntryStatus,
                statuses.LinkStatus,
                statuses.MessageStatus,
                statuses.ReviewStatus,
            )
        }
    )
    app.jinja_env.globals["home_role"] = home_role
    app.after_request(_no_store_for_signed_in)


def _register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(CSRFError, _csrf_error)
    # a service's NotFound / NotAllowed is the 404 / 403 page: views need not translate them
    app.register_error_handler(errors.NotFound, _domain_not_found)
    app.register_error_handler(errors.NotAllowed, _domain_not_allowed)
    # a broken rule no form shows (web.forms.save puts the others beside their field)
    app.register_error_handler(errors.RuleError, _domain_rule_error)
    app.register_error_handler(errors.StorageError, _storage_unavailable)
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(InterfaceError, _database_unavailable)
    app.register_error_handler(Exception, _unexpected_error)


def _user_zone() -> ZoneInfo:
    tz = getattr(current_user, "timezone", None) if current_user else None
    try:
        return ZoneInfo(tz or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def localtime(value: datetime | None, fmt: str = "%-d %b %Y, %H:%M %Z") -> str:
    """Format an aware datetime in the signed-in user's time zone."""
    if value is None:
        return ""
    return value.astimezone(_user_zone()).strftime(fmt)


def duration(value: timedelta) -> str:
    """'5 minutes', 'hour', '2 days': an interval in words."""
    seconds = int(value.total_seconds())
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds % size == 0:
            n = seconds // size
            return unit if n == 1 else f"{n} {unit}s"
    return f"{seconds} seconds"


def has_evaluations(program_id: str) -> bool:
    """Whether the program defines competency evaluation forms (from the cached release)."""
    from trainer.services import evaluations

    return evaluations.spec_for(program_id) is not None


def program_title(program_id: str) -> str:
    """A program's title, from the release data each process keeps (no statement)."""
    from trainer.services import release

    return release.program_title(program_id)


def localdate(value: datetime | None) -> str:
    return localtime(value, "%-d %b %Y")


def _transaction_mode() -> None:
    """A GET or HEAD only reads: on SQLite its transactions do not take the write lock
    (trainer.transactions); what such a page records goes through db_util.writing()."""
    from trainer import transactions

    read = request.method in ("GET", "HEAD", "OPTIONS")
    g.transaction_token = transactions.set_mode(transactions.READ if read else transactions.WRITE)


def _end_transaction_mode(error: BaseException | None) -> None:
    from trainer import transactions

    token = g.pop("transaction_token", None)
    if token is not None:
        transactions.reset(token)


def _state_origin() -> None:
    """Services record where a change came from (audit events, signatures, hour decisions)
    without reading the request: the address is stated here, once per request."""
    from trainer.services import audit

    g.origin_token = audit.set_origin(request.remote_addr)


def _forget_origin(error: BaseException | None) -> None:
    from trainer.services import audit

    token = g.pop("origin_token", None)
    if token is not None:
        audit.reset_origin(token)


def _refuse_nul_bytes() -> None:
    """No text a person types contains NUL; PostgreSQL cannot store it. Refuse it up front."""
    for values in (request.args, request.form):
        if any("\x00" in k or "\x00" in v for k, v in values.items(multi=True)):
            abort(
                400,
                description="The input contained a character that is not allowed (NUL). "
                "Nothing was saved.",
            )


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _error_response(status: int, title: str, message: str, bare: bool = False) -> Any:
    if _wants_json():
        return jsonify(
            error={"status": status, "code": title.lower().replace(" ", "_"), "message": message}
        ), status
    if bare:
        # No context processors: Flask-Login's would look up the signed-in account, which
        # needs the database this page is about.
        from flask import current_app

        template = current_app.jinja_env.get_template("errors/error.html")
        return template.render(status=status, title=title, message=message, bare=True), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


_MESSAGES = {
    400: "The request could not be understood. Go back and try again.",
    401: "Please sign in first.",
    403: "Your account does not have access to this page.",
    404: "There is no page at this address. Check the link, or start again from the home page.",
    405: "This page cannot be used that way.",
    413: "That file is too large.",
    429: "Too many attempts in a short time. Please wait a minute and try again.",
}


def _http_error(error: HTTPException) -> Any:
    status = error.code or 500
    if status >= 500:
        return _unexpected_error(error)
    message = _MESSAGES.get(status, error.description or "")
    custom = error.description and error.description != type(error).description
    if custom and (status in (400, 404, 409, 422) or _wants_json()):
        message = str(error.description)
    response = make_response(_error_response(status, error.name, message))
    if status == 401 and _wants_json():
        response.headers["WWW-Authenticate"] = 'Bearer realm="trainer registry API"'

    if status == 405 and getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(getattr(error, "valid_methods", None) or [])
    return response


def _csrf_error(error: CSRFError) -> Any:
    return _error_response(
        400,
        "Bad Request",
        "This form has expired or did not come from this site. Go back, reload the page and "
        "try again; nothing was saved.",
    )


def _domain_not_found(error: errors.NotFound) -> Any:
    from trainer.extensions import db

    db.session.rollback()
    return _http_error(werkzeug_exceptions.NotFound())


def _domain_not_allowed(error: errors.NotAllowed) -> Any:
    from trainer.extensions import db

    db.session.rollback()
    return _http_error(werkzeug_exceptions.Forbidden())


def _domain_rule_error(error: errors.RuleError) -> Any:
    from trainer.extensions import db

    db.session.rollback()
    return _error_response(422, "Unprocessable Content", f"{error.message} Nothing was saved.")


def _database_unavailable(error: Exception) -> Any:
    """The database cannot be reached (restarting, locked past the wait, disk gone): say so
    plainly with 503, and let the next request try again on a fresh connection."""
    from flask import current_app

    from trainer.extensions import db

    current_app.logger.error("database unavailable: %s", error)
    g.database_unavailable = True  # nothing after this may look up the signed-in account
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 (the connection is gone; the pool replaces it)
        current_app.logger.debug("rollback after a database outage failed", exc_info=True)
    response = make_response(
        _error_response(
            503,
            "Service Unavailable",
            "The service is briefly unavailable. Nothing was saved; please try again in a minute.",
            bare=True,
        )
    )
    response.headers["Retry-After"] = "30"
    return response


def _storage_unavailable(error: errors.StorageError) -> Any:
    """A stored file cannot be read (the object store is down, or holds other bytes than
    were stored): 503 with a plain message; the log has the reason."""
    from flask import current_app

    from trainer.extensions import db

    current_app.logger.error("file storage unavailable: %s", error)
    db.session.rollback()
    response = make_response(
        _error_response(
            503,
            "Service Unavailable",
            "This file cannot be read just now. Nothing was lost; please try again later, and "
            "tell the program's administrator if it keeps happening.",
        )
    )
    response.headers["Retry-After"] = "60"
    return response


def _unexpected_error(error: Exception) -> Any:
    if isinstance(error, HTTPException) and not isinstance(error, InternalServerError):
        return _http_error(error)
    if isinstance(error, OperationalError | InterfaceError):
        return _database_unavailable(error)
    from flask import current_app

    from trainer.extensions import db

    current_app.logger.exception("unexpected error")
    db.session.rollback()
    return _error_response(
        500, "Something went wrong", "An unexpected error stopped this page. Nothing was saved."
    )


def _no_store_for_signed_in(response: Any) -> Any:
    """Pages shown to a signed-in person may hold health information: never cache them.

    The session cookie decides (no database lookup), so this also holds for answers given
    while the database is unavailable, and for a cookie whose account no longer signs in.
    """
    if session.get("_user_id") or g.get("database_unavailable") or _private_api():
        response.headers["Cache-Control"] = "no-store"
    return response


def _private_api() -> bool:
    """An API answer other than the public ones (certificate check, OpenAPI document):
    registry data, its PDFs and its errors are personal data and never cached."""
    if not request.path.startswith("/api/"):
        return False
    from flask import current_app

    access = access_declared(current_app, request.endpoint) if request.endpoint else None
    return access is None or access.kind != "public"
