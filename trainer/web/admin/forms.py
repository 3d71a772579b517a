from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional

from trainer.domain.roles import ROLE_LABELS, ROLES
from trainer.web.forms import CheckboxesField
from trainer.web.inputs import DateRange, IdField, PlainDecimalField

ROLE_CHOICES = [SelectChoice(r, ROLE_LABELS[r]) for r in reversed(ROLES)]


class UserCreateForm(FlaskForm):
    legal_name = StringField("Legal name", validators=[InputRequired(), Length(max=200)])
    email = EmailField(
        "E-mail address",
        validators=[InputRequired(), Email(check_deliverability=False), Length(max=254)],
        description="We e-mail a link to choose a password.",
    )
    roles = CheckboxesField("Roles", choices=ROLE_CHOICES, default=["trainee"])
    jurisdiction = StringField(
        "Jurisdiction",
        validators=[Optional(), Length(max=8)],
        description="Board members only: the code of the state or board, e.g. KY.",
    )
    organisation = StringField(
        "Organisation",
        validators=[Optional(), Length(max=200)],
        description="Employers only: the organisation whose staff certificates they watch.",
    )


class UserEditForm(FlaskForm):
    roles = CheckboxesField("Roles", choices=ROLE_CHOICES)
    jurisdiction = StringField(
        "Jurisdiction",
        validators=[Optional(), Length(max=8)],
        description="Board members only: the code of the state or board, e.g. KY.",
    )
    organisation = StringField(
        "Organisation",
        validators=[Optional(), Length(max=200)],
        description="Employers only: the organisation whose staff certificates they watch.",
    )
    active = BooleanField(
        "Account is active", description="A deactivated person cannot sign in; their sessions end."
    )


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a read-only GET filter

    actor = StringField("Actor e-mail", validators=[Optional(), Length(max=254)])
    action = StringField("Action", validators=[Optional(), Length(max=64)])
    date_from = DateField("From", validators=[Optional(), DateRange()])
    date_to = DateField("To", validators=[Optional(), DateRange()])


class AccommodationForm(FlaskForm):
    program = SelectField("Program", choices=[])
    multiplier = PlainDecimalField(
        "Time multiplier",
        places=2,
        default=1.5,
        validators=[InputRequired(), NumberRange(min=1, max=4, message="Between 1 and 4.")],
        description="1.5 gives half as much time again; 2 doubles it.",
    )
    reason = TextAreaField(
        "Reason",
        validators=[InputRequired(), Length(max=500)],
        description="Kept in the audit log. Do not record diagnoses.",
    )


class AssignForm(FlaskForm):
    trainee_email = EmailField("Trainee's e-mail", validators=[InputRequired(), Length(max=254)])
    program = SelectField("Program", choices=[])
    supervisor_email = EmailField(
        "Supervisor's e-mail", validators=[InputRequired(), Length(max=254)]
    )


class ReverseForm(FlaskForm):
    entry_id = IdField(
        "Entry number",
        validators=[InputRequired()],
        description="The number of the approved entry to correct.",
    )
    reason = TextAreaField("Reason", validators=[InputRequired(), Length(max=500)])
