"""The supervision-session form, shared by the trainee's and the supervisor's pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import Length, Optional

from trainer.domain import sessions as rules
from trainer.web.inputs import DateRange


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class SessionForm(FlaskForm):
    """What is required is checked by the service (domain.sessions.check), so one submit
    reports every problem."""

    supervisor = SelectField("Supervisor", choices=[], coerce=int)  # the trainee's form only
    held_on = DateField("Date of the session", validators=[Optional(), DateRange()])
    hours = StringField(
        "Length in hours",
        validators=[Length(max=8)],
        description="In quarter hours: 0.5 is 30 minutes, 1.25 is 75 minutes. At most 8.",
    )
    format = RadioField(
        "Format",
        choices=[SelectChoice(k, v) for k, v in rules.FORMATS.items()],
        validate_choice=False,
    )
    mode = RadioField(
        "Held", choices=[SelectChoice(k, v) for k, v in rules.MODES.items()], validate_choice=False
    )
    domains = CheckboxesField("Domains discussed", choices=[], validate_choice=False)
    notes = TextAreaField(
        "Private notes",
        validators=[Length(max=rules.MAX_NOTES)],
        description="Only the two of you see these; administrators and boards never do. Do not "
        "write anything that identifies the people supported.",
    )

    def draft(self) -> rules.SessionDraft:
        return rules.SessionDraft(
            self.held_on.data,
            self.hours.data or "",
            self.format.data or "",
            self.mode.data or "",
            tuple(self.domains.data or ()),
            self.notes.data or "",
        )
