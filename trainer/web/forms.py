"""Form helpers shared by every blueprint."""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from flask_wtf import FlaskForm
from wtforms import SelectChoice

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


def timezone_choices() -> list[SelectChoice]:
    """US zones first, then every other IANA zone."""
    rest = sorted(available_timezones() - set(_COMMON))
    return [SelectChoice(z, z.replace("_", " ")) for z in _COMMON + rest]


def show_rule_error(form: FlaskForm, error: RuleError) -> None:
    """Put a domain error beside its field, or at the top of the form."""
    field: Any = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)
