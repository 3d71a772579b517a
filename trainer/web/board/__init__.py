"""The board portal: the registry of certificates in the member's own jurisdiction.

Search, a certificate's record, PDF download, streamed exports (ZIP with manifest, roster
CSV), revocation, the board's own activity and API tokens. Reads go through
``services.registry`` (dataclasses scoped to the jurisdiction); every record view, download
and export is an audit event.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from wtforms import SelectChoice

from trainer.clock import utcnow
from trainer.domain import registry as rq
from trainer.domain.errors import NotFound
from trainer.domain.registry import bar_chart
from trainer.services import api_tokens, registry
from trainer.web.access import roles
from trainer.web.board.forms import RegistrySearchForm, TokenForm
from trainer.web.board.standing import render_record
from trainer.web.forms import act, revoke_from_form, save, writes_on_read


def _me() -> Any:
    return current_user._get_current_object()


bp = Blueprint("board", __name__, url_prefix="/board")
PER_PAGE = 25


def _jurisdiction() -> str:
    return str(current_user.jurisdiction)


@bp.get("/")
@roles("board")
def home():
    """Overview: counts by status, certificates issued per month, upcoming expiries."""
    now = utcnow()
    data = registry.overview(_jurisdiction(), now)
    bars, top = bar_chart(data.issued_per_month)
    until = (now + timedelta(days=data.expiring_days)).date().isoformat()
    return render_template(
        "board/home.html", overview=data, bars=bars, top=top, expiring_until=until
    )


def _parse(extra: tuple[str, ...] = ()) -> tuple[rq.Filters | None, dict[str, str], Any]:
    """The search form filled from the query string, with errors beside their fields."""
    programs = registry.programs(_jurisdiction())
    form = RegistrySearchForm(request.args)
    form.program.choices = [SelectChoice("", "Any program")] + [
        SelectChoice(k, v) for k, v in programs.items()
    ]
    try:
        filters, extras = rq.parse_filters(request.args.items(multi=True), programs, extra)
    except rq.QueryError as error:
        for key, message in error.errors.items():
            field: Any = getattr(form, key, None) if key in rq.FILTER_FIELDS else None
            if field is not None:
                field.errors = [message]
            else:
                form.form_errors.append(f"{key}: {message}")
        return None, {}, form
    return filters, extras, form


@bp.get("/registry")
@roles("board")
def registry_search():
    """Search the registry by name, number, status, program and dates."""
    filters, extras, form = _parse(extra=("page",))
    result = None
    if filters is not None:
        try:
            page = rq.parse_int(extras.get("page"), "page", 1, 1, 100_000)
        except rq.QueryError as error:
            form.form_errors.append(f"page: {error.errors['page']}")
        else:
            result = registry.search(_jurisdiction(), filters, utcnow(), page, PER_PAGE)
    status = 200 if filters is not None else 400
    return render_template(
        "board/registry.html",
        form=form,
        result=result,
        params=filters.as_params() if filters else {},
        export_max=registry.EXPORT_MAX,
    ), status


@bp.get("/registry/<number>")
@roles("board")
@writes_on_read
def record(number: str):
    """One certificate: facts, evidence snapshot, content release and history."""
    try:
        rec = registry.open_record(_me(), _jurisdiction(), number, utcnow())
    except NotFound:
        abort(404, description=f"No certificate of your jurisdiction has the number {number[:60]}.")
    return render_record(rec)


@bp.get("/registry/<number>/certificate.pdf")
@roles("board")
@writes_on_read
def pdf(number: str):
    try:
        stored = registry.download_pdf(_me(), _jurisdiction(), number)
    except NotFound:
        abort(404, description=f"No certificate of your jurisdiction has the number {number[:60]}.")
    response = Response(stored.data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{stored.filename}"'
    return response


def _search_url(params: list[tuple[str, str]]) -> str:
    """The registry search with these parameters (repeated ones kept)."""
    query = urlencode(params)
    return url_for("board.registry_search") + (f"?{query}" if query else "")


def _export(kind: str) -> Any:
    filters, _, _ = _parse()
    if filters is None:  # the search page shows what is wrong
        return redirect(_search_url(list(request.args.items(multi=True))))
    now = utcnow()
    total = registry.count(_jurisdiction(), filters, now)
    back = _search_url(list(filters.as_params().items()))
    if total == 0:
        flash("No certificates match this search; there is nothing to export.", "error")
        return redirect(back)
    if kind == "zip" and total > registry.EXPORT_MAX:
        flash(
            f"This search matches {total:,} certificates; a ZIP holds at most "
            f"{registry.EXPORT_MAX:,}. Narrow the search (e.g. by issue dates), or export "
            "the roster CSV, which has no limit.",
            "error",
        )
        return redirect(back)
    registry.record_export(_me(), kind, filters, total)
    stamp = now.strftime("%Y-%m-%d")
    if kind == "zip":
        archive = registry.export_zip(_jurisdiction(), filters, now)
        response = Response(stream_with_context(archive), mimetype="application/zip")
        name = f"certificates-{_jurisdiction()}-{stamp}.zip"
    else:
        roster = registry.roster_csv(_jurisdiction(), filters, now)
        response = Response(stream_with_context(roster), mimetype="text/csv")
        name = f"roster-{_jurisdiction()}-{stamp}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/exports/certificates.zip")
@roles("board")
@writes_on_read
def export_zip():
    """The current search as a ZIP of the stored PDFs plus manifest.csv (streamed)."""
    return _export("zip")


@bp.get("/exports/roster.csv")
@roles("board")
@writes_on_read
def export_csv():
    """The current search as a roster CSV (streamed)."""
    return _export("csv")


@bp.post("/revoke")
@roles("board")
def revoke():
    """Revoke a certificate of this board's jurisdiction, with a reason (audited)."""
    number = request.form.get("number", "").strip().upper()
    back = url_for("board.home")
    if number and registry.holds(_jurisdiction(), number):
        back = url_for("board.record", number=number)
    return revoke_from_form(back, "No certificate of your jurisdiction has the number")


@bp.get("/activity")
@roles("board")
def activity():
    """What members of this board did: views, downloads, exports, revocations, API calls."""
    try:
        page = rq.parse_int(request.args.get("page"), "page", 1, 1, 100_000)
    except rq.QueryError:
        page = 1
    events, has_next = registry.activity(_jurisdiction(), page)
    return render_template("board/activity.html", events=events, page=page, has_next=has_next)


def _tokens_page(form: TokenForm, secret: str | None = None, status: int = 200) -> Any:
    return render_template(
        "board/tokens.html",
        form=form,
        tokens=api_tokens.tokens_of(current_user, utcnow()),
        secret=secret,
        limit=api_tokens.MAX_ACTIVE,
    ), status


@bp.get("/tokens")
@roles("board")
def tokens():
    """API tokens for the board's own system to call /api/v1/registry."""
    return _tokens_page(TokenForm())


@bp.post("/tokens")
@roles("board")
def token_create():
    form = TokenForm()
    created = save(
        form,
        lambda: api_tokens.create(
            current_user._get_current_object(), form.name.data or "", int(form.days.data), utcnow()
        ),
    )
    if not created:
        return _tokens_page(form, status=400)
    _, secret = created.value
    # shown once, on this response only (signed-in pages are never cached)
    return _tokens_page(TokenForm(formdata=None), secret=secret)


@bp.post("/tokens/<int:token_id>/revoke")
@roles("board")
def token_revoke(token_id: int):
    return act(
        lambda: api_tokens.revoke(current_user._get_current_object(), token_id, utcnow()),
        url_for("board.tokens"),
        lambda token: f"The token {token.name} is revoked; calls with it now fail.",
    )
