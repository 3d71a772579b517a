"""Forms of the board portal."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

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


class SuspendForm(FlaskForm):
    reason = TextAreaField(
        "Reason",
        validators=[
            DataRequired("Give the reason for the suspension."),
            Length(max=500, message="Shorten the reason to 500 characters."),
        ],
        description="Told to the holder and kept in the record; not shown to the public. "
        "If the public should read something, add a condition or notice below.",
    )
    until = DateField(
        "Suspended until (optional)",
        validators=[Optional()],
        description="The worker reinstates the certificate on this day. Leave it empty to "
        "suspend until you reinstate it.",
    )


class ConditionForm(FlaskForm):
    text = TextAreaField(
        "Condition or notice",
        validators=[
            DataRequired("Write the condition or notice."),
            Length(max=500, message="Shorten the condition to 500 characters."),
        ],
        description="Public: it shows on the verification page, in the registry and API. "
        "For example: Practice under supervision until 2027-06-30.",
    )
    until = DateField(
        "In force until (optional)",
        validators=[Optional()],
        description="It stops showing after this day. Leave it empty to keep it until lifted.",
    )
