"""Form helpers shared by every blueprint."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, Generic, TypeVar
from zoneinfo import available_timezones

from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import Field, SelectChoice, SelectMultipleField, widgets
from wtforms.widgets import html_params

from trainer.domain.errors import RuleError

_COMMON = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "UTC",
]


@cache
def _zones() -> tuple[SelectChoice, ...]:
    rest = sorted(available_timezones() - set(_COMMON))
    return tuple(SelectChoice(z, z.replace("_", " ")) for z in _COMMON + rest)


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes (the field macro renders it as a fieldset)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def timezone_choices() -> list[SelectChoice]:
    """US zones first, then every other IANA zone (listed once per process)."""
    return list(_zones())


@cache
def _zone_options() -> str:
    return "".join(
        f'<option value="{escape(c.value)}">{escape(c.label)}</option>' for c in _zones()
    )


class TimezoneSelect:
    """The time-zone select, as WTForms' Select draws it, but its ~600 options are drawn once
    per process; only the chosen one is marked per request (they cost 20 ms a page)."""

    def __call__(self, field: Field, **kwargs: Any) -> Markup:
        kwargs.setdefault("id", field.id)
        options = _zone_options()
        if field.data:
            value = escape(field.data)
            options = options.replace(
                f'<option value="{value}">', f'<option selected value="{value}">', 1
            )
        attributes = html_params(name=field.name, **kwargs)  # escapes every value
        # the options were escaped as they were drawn (escape() above), the attributes too
        return Markup(f"<select {attributes}>{options}</select>")  # noqa: S704


def show_rule_error(form: FlaskForm, error: RuleError) -> None:
    """Put a domain error beside its field, or at the top of the form (each of several,
    for RuleErrors)."""
    for problem in getattr(error, "problems", (error,)):
        field: Any = getattr(form, problem.field, None) if problem.field else None
        if field is not None:
            field.errors = [*field.errors, problem.message]
        else:
            form.form_errors.append(problem.message)


T = TypeVar("T")


@dataclass(frozen=True)
class Saved(Generic[T]):
    """A form's change was made and committed; ``value`` is what the service returned."""

    value: T


def save(form: FlaskForm, action: Callable[[], T]) -> Saved[T] | None:
    """The one way a view turns a submitted form into a change.

    If the form was submitted and is valid, run ``action`` (the service call) and commit.
    A RuleError it raises is rolled back (nothing half-written) and shown beside its field,
    or at the top of the form. ``None`` means: render the form again, errors and all.
    """
    from trainer.extensions import db

    if not form.validate_on_submit():
        return None
    try:
        value = action()
    except RuleError as error:
        db.session.rollback()
        show_rule_error(form, error)
        return None
    db.session.commit()
    return Saved(value)


def writes_on_read(view: Callable[..., Any]) -> Callable[..., Any]:
    """Declares a page (GET) whose service calls record something as it is read: a section
    marked read, a board member's access to a record, an exam attempt scored because its
    deadline passed. A GET runs in read mode (trainer.transactions), so each such write
    happens in a short transaction of its own (services.db_util.writing) and is committed
    there; the commit here ends the page's read. No other GET view commits
    (tests/test_architecture.py holds that)."""
    from functools import wraps

    from trainer.extensions import db

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        response = view(*args, **kwargs)
        db.session.commit()
        return response

    return wrapper


def act(action: Any, back: str, success: Any) -> Any:
    """Run a service call for a POST button and go back to ``back``.

    ``action()`` does the work; NotFound answers 404; a RuleError is flashed after a
    rollback (nothing half-written); otherwise the change is committed and ``success`` is
    flashed (a string, or a function of what ``action`` returned).
    """
    from flask import abort, flash, redirect

    from trainer.domain.errors import NotFound
    from trainer.extensions import db

    try:
        result = action()
    except NotFound:
        db.session.rollback()
        abort(404)
    except RuleError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(back)
    db.session.commit()
    flash(success(result) if callable(success) else success, "success")
    return redirect(back)


def revoke_from_form(back: str, not_found: str) -> Any:
    """Revoke the certificate a staff form names (number, reason) and go back to ``back``.

    The service decides who may: admins anywhere, board members in their jurisdiction.
    """
    from flask import flash, redirect, request
    from flask_login import current_user

    from trainer.clock import utcnow
    from trainer.domain.errors import NotFound
    from trainer.extensions import db
    from trainer.services import certificates

    number = request.form.get("number", "").strip()
    try:
        cert = certificates.revoke(
            current_user._get_current_object(), number, request.form.get("reason", ""), utcnow()
        )
    except NotFound:
        flash(f"{not_found} {number[:60]}.", "error")
        return redirect(back)
    except RuleError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(back)
    db.session.commit()
    flash(f"Certificate {cert.number} is revoked.", "success")
    return redirect(back)
