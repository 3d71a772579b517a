"""The employer's roster: the certificates of its staff, their standing, and what changes.

An employer adds certificate numbers one at a time or from a CSV file (all or nothing) and
sees for each exactly what the public verify page shows. E-mails about changes come from
the worker (``services.employers``). Every read and change goes through that service.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField
from wtforms.validators import InputRequired, Length, Optional

from trainer.clock import utcnow
from trainer.domain import rosters as rules
from trainer.domain.errors import RuleError
from trainer.extensions import limiter
from trainer.services import employers
from trainer.web.access import roles
from trainer.web.forms import act, save
from trainer.web.inputs import parse_page

bp = Blueprint("employer", __name__, url_prefix="/employer")

#: Adding numbers tells whether an issued certificate has them, as the public verify page
#: does: no faster than it.
ADD_LIMIT = "60 per minute"
UPLOAD_LIMIT = "30 per hour"
TEMPLATE_CSV = "Certificate number,Name\nKY-APSS-2026-000123-7,Jordan Example\n"


class NumberForm(FlaskForm):
    number = StringField(
        "Certificate number",
        validators=[
            InputRequired("Enter a certificate number."),
            Length(max=60, message=rules.NO_SUCH),
        ],
        description="As printed on the certificate, for example KY-APSS-2026-000123-7.",
    )
    label = StringField(
        "Name or note (optional)",
        validators=[Optional(), Length(max=rules.MAX_LABEL)],
        description="For your own records: the staff member's name or employee number.",
    )


class UploadForm(FlaskForm):
    file = FileField(
        "Roster file (CSV)",
        description=f"One certificate number per row, optionally a name beside it; a header "
        f"row is fine. At most {rules.MAX_ROWS:,} rows and {rules.MAX_FILE // 1024} KB.",
    )


def _me() -> Any:
    return current_user._get_current_object()


def _page(
    number_form: NumberForm | None = None,
    upload_form: UploadForm | None = None,
    status: int = 200,
) -> Any:
    attention_only = request.args.get("show") == "attention"
    roster = employers.roster(_me(), utcnow(), attention_only, parse_page(request.args.get("page")))
    return render_template(
        "employer/home.html",
        roster=roster,
        form=number_form or NumberForm(formdata=None),
        upload=upload_form or UploadForm(formdata=None),
        expiring_days=employers.EXPIRING.days,
    ), status


@bp.get("/")
@roles("employer")
def home():
    """The roster with each certificate's standing; ``?show=attention`` for those that
    need attention (suspended, revoked, expired, expiring soon, under conditions)."""
    return _page()


@bp.post("/numbers")
@roles("employer")
@limiter.limit(ADD_LIMIT)
def add():
    form = NumberForm()
    saved = save(
        form,
        lambda: employers.add_number(_me(), form.number.data or "", form.label.data, utcnow()),
    )
    if saved is None:
        return _page(number_form=form, status=400)
    flash(f"{saved.value.number} is on your roster.", "success")
    return redirect(url_for("employer.home"))


def _import(data: bytes | None) -> employers.Imported:
    if data is None:
        raise RuleError("file", "Choose a CSV file to upload.")
    return employers.import_csv(_me(), data, utcnow())


@bp.post("/upload")
@roles("employer")
@limiter.limit(UPLOAD_LIMIT)
def upload():
    """A roster file: every number is added, or none (the problems listed by row)."""
    form = UploadForm()
    chosen = request.files.get(form.file.name)
    # one byte past the limit is enough to know it is too large
    data = chosen.read(rules.MAX_FILE + 1) if chosen and chosen.filename else None
    saved = save(form, lambda: _import(data))
    if saved is None:
        return _page(upload_form=form, status=400)
    added, already = saved.value.added, saved.value.already
    message = f"Added {added:,} number{'s' if added != 1 else ''} to your roster."
    if already:
        message += f" {already:,} {'were' if already != 1 else 'was'} on it already."
    flash(message, "success")
    return redirect(url_for("employer.home"))


@bp.post("/numbers/<int:entry_id>/remove")
@roles("employer")
def remove(entry_id: int):
    return act(
        lambda: employers.remove(_me(), entry_id, utcnow()),
        url_for("employer.home"),
        lambda number: f"{number} is off your roster; you will hear no more about it.",
    )


@bp.get("/roster-template.csv")
@roles("employer")
def template_csv():
    """An example roster file to fill in."""
    response = Response(TEMPLATE_CSV, mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="roster-template.csv"'
    return response
