"""The supervision-session form and page, shared by the trainee's and the supervisor's side."""

from __future__ import annotations

from typing import Any

from flask import render_template, url_for
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from trainer.clock import utcnow
from trainer.domain import sessions as rules
from trainer.models import Enrolment, SupervisionSession, User
from trainer.services import content, sessions
from trainer.services.hours import local_date
from trainer.web.forms import CheckboxesField
from trainer.web.inputs import DateRange


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


def render_page(
    e: Enrolment,
    form: SessionForm,
    viewer: User,
    rows: list[SupervisionSession],
    side: str,
    status: int = 200,
) -> tuple[str, int]:
    """The sessions page for ``side`` ("trainee" or "supervisor"): each session with where
    it stands for ``viewer``, those theirs to confirm, the cadence, the form."""
    blueprint = "hours" if side == "trainee" else "supervise"
    states = [(r, sessions.state(r, viewer.id)) for r in rows]
    return render_template(
        "sessions/page.html",
        e=e,
        rows=states,
        to_confirm=[r for r, st in states if st == "to-confirm"],
        form=form,
        side=side,
        cadence=sessions.cadence(e, rows, local_date(viewer, utcnow())),
        domains=content.labels("domains"),
        formats=rules.FORMATS,
        modes=rules.MODES,
        confirm_endpoint=f"{blueprint}.confirm_session",
        action=url_for(f"{blueprint}.record_session", enrolment_id=e.id),
    ), status


def choices(form: SessionForm, categories: dict[str, str], people: list[Any] | None) -> None:
    """Fill the form's choices: the program's domains, and (trainee side) the supervisors
    the trainee may name; the supervisor's own form has no supervisor field."""
    form.domains.choices = [SelectChoice(k, v) for k, v in categories.items()]
    if people is None:
        del form.supervisor
    else:
        form.supervisor.choices = [SelectChoice(p.id, p.legal_name) for p in people]
