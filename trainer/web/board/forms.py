"""Forms of the board portal."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length

from trainer.domain.registry import SORT_LABELS, STATUS_LABELS
from trainer.services.api_tokens import LIFETIMES


class RegistrySearchForm(FlaskForm):
    """Rendering and error display only: the rules are ``domain.registry.parse_filters``,
    shared with the API."""

    class Meta:
        csrf = False  # a read-only GET search

    q = StringField(
        "Name or certificate number",
        description="Part of the holder's name, or a whole certificate number.",
    )
    status = SelectField(
        "Status",
        choices=[SelectChoice("", "Any status")]
        + [SelectChoice(k, v) for k, v in STATUS_LABELS.items()],
        validate_choice=False,
    )
    program = SelectField("Program", choices=[], validate_choice=False)
    issued_from = DateField("Issued from")
    issued_to = DateField("Issued to")
    expires_from = DateField("Expires from")
    expires_to = DateField("Expires to")
    sort = SelectField(
        "Sort by",
        choices=[SelectChoice(k, v) for k, v in SORT_LABELS.items()],
        validate_choice=False,
    )


class TokenForm(FlaskForm):
    name = StringField(
        "Name",
        validators=[
            DataRequired("Name the token after the system that will use it."),
            Length(max=80),
        ],
        description="For example: State licensing database sync.",
    )
    days = SelectField(
        "Valid for",
        choices=[SelectChoice(str(d), f"{d} days") for d in LIFETIMES],
        default="90",
    )
