from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Email, InputRequired, Length

from trainer.domain.hours import KINDS, MAX_DESCRIPTION
from trainer.domain.statuses import EntryKind
from trainer.web.inputs import DateRange


class HourEntryForm(FlaskForm):
    work_date = DateField(
        "Date of the work",
        validators=[InputRequired(message="Enter the date, e.g. 2026-03-14."), DateRange()],
    )
    hours = StringField(
        "Hours",
        validators=[InputRequired(message="Enter the hours, e.g. 1.5."), Length(max=8)],
        description="In quarter hours: 0.25, 0.5, 0.75, 1, 1.25 ...",
    )
    category = SelectField("Category", choices=[])
    setting = SelectField("Setting", choices=[])
    kind = RadioField(
        "Kind of work",
        choices=[SelectChoice(k, v) for k, v in KINDS.items()],
        default=EntryKind.DIRECT,
    )
    supervisor = SelectField("Supervisor", choices=[], coerce=int)
    description = TextAreaField(
        "What you did",
        validators=[
            InputRequired(message="Describe the work briefly."),
            Length(max=MAX_DESCRIPTION),
        ],
        description="A short description of the work. Do not write names or anything else "
        "that could identify the people you support.",
    )


class InviteForm(FlaskForm):
    email = EmailField(
        "Supervisor's e-mail address",
        validators=[InputRequired(), Email(check_deliverability=False), Length(max=254)],
    )
