"""A board member changes a certificate's standing from its record page: suspend,
reinstate, add or lift a public condition. The rules are ``services.certificates.standing``;
a refused form comes back on the record page with the error beside its field."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from trainer.clock import utcnow
from trainer.domain.errors import NotFound
from trainer.services import registry
from trainer.services.certificates import standing
from trainer.web.access import roles
from trainer.web.board.forms import ConditionForm, SuspendForm
from trainer.web.forms import act, save

bp = Blueprint("standing", __name__, url_prefix="/board/registry")


def _me() -> Any:
    return current_user._get_current_object()


def _not_found(number: str) -> Any:
    abort(404, description=f"No certificate of your jurisdiction has the number {number[:60]}.")


def render_record(
    rec: registry.CertificateRecord,
    suspend_form: SuspendForm | None = None,
    condition_form: ConditionForm | None = None,
    status: int = 200,
) -> Any:
    """The record page, with the standing forms (fresh, or as submitted with errors)."""
    return render_template(
        "board/record.html",
        rec=rec,
        suspend_form=suspend_form or SuspendForm(formdata=None, prefix="suspend"),
        condition_form=condition_form or ConditionForm(formdata=None, prefix="condition"),
    ), status


def _again(number: str, **forms: Any) -> Any:
    """The record page again with the refused form (nothing was written). A refusal about
    the certificate itself (already suspended, revoked meanwhile) is told at the top of the
    record as it now stands, where that form may no longer be offered."""
    form = next(iter(forms.values()))
    if form.form_errors and not any(f.errors for f in form):
        for message in form.form_errors:
            flash(message, "error")
        return redirect(url_for("board.record", number=number.strip().upper()[:60]))
    try:
        rec = registry.record(str(current_user.jurisdiction), number, utcnow())
    except NotFound:
        _not_found(number)
    return render_record(rec, status=400, **forms)


def _submit(number: str, form: Any, key: str, change: Any, done_text: str) -> Any:
    """Run a standing form's change; the record again on success (told ``done_text``), or
    with the refused form (``key``: which form it is on the page)."""
    try:
        done = save(form, change)
    except NotFound:
        _not_found(number)
    if not done:
        return _again(number, **{key: form})
    flash(done_text, "success")
    return redirect(url_for("board.record", number=number.strip().upper()[:60]))


@bp.post("/<number>/suspend")
@roles("board")
def suspend(number: str):
    """Suspend: not valid until reinstated or until the date given (audited, told)."""
    form = SuspendForm(prefix="suspend")
    return _submit(
        number,
        form,
        "suspend_form",
        lambda: standing.suspend(_me(), number, form.reason.data or "", form.until.data, utcnow()),
        f"Certificate {number.strip().upper()[:60]} is suspended.",
    )


@bp.post("/<number>/reinstate")
@roles("board")
def reinstate(number: str):
    back = url_for("board.record", number=number.strip().upper()[:60])
    return act(
        lambda: standing.reinstate(_me(), number, utcnow(), request.form.get("note", "")),
        back,
        lambda cert: f"Certificate {cert.number} is reinstated; it is valid again.",
    )


@bp.post("/<number>/conditions")
@roles("board")
def add_condition(number: str):
    """Attach a public condition or notice (audited, told to the holder and watchers)."""
    form = ConditionForm(prefix="condition")
    return _submit(
        number,
        form,
        "condition_form",
        lambda: standing.add_condition(
            _me(), number, form.text.data or "", form.until.data, utcnow()
        ),
        "The condition is added; it shows wherever the certificate is checked.",
    )


@bp.post("/<number>/conditions/<int:condition_id>/lift")
@roles("board")
def lift_condition(number: str, condition_id: int):
    back = url_for("board.record", number=number.strip().upper()[:60])
    return act(
        lambda: standing.lift_condition(_me(), number, condition_id, utcnow()),
        back,
        lambda _: "The condition is lifted; it no longer shows.",
    )
