"""Forms of continuing-education audits. What is allowed is decided by
``domain.ce_audits`` (through the services), so one submit reports every field at fault."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from trainer.domain.ce_audits import DECISION_LABELS, MAX_TEXT, OUTCOME_LABELS
from trainer.web.inputs import DateRange


class StartForm(FlaskForm):
    program = SelectField("Program", choices=[], validate_choice=False)
    renewed_from = DateField(
        "Renewals issued from",
        validators=[Optional(), DateRange()],
        description="The first day of the renewal cycle to audit.",
    )
    renewed_to = DateField(
        "Renewals issued through",
        validators=[Optional(), DateRange()],
        description="The last day (today at the latest).",
    )
    percent = StringField(
        "Sample (percent of those renewals)",
        description="From 1 to 100, e.g. 10 or 12.5. At least one holder is selected.",
    )
    due_on = DateField(
        "Evidence due on",
        validators=[Optional(), DateRange()],
        description="Tomorrow at the earliest, within a year. Holders are reminded 7 days "
        "and 1 day before.",
    )


class DecisionForm(FlaskForm):
    decision = RadioField(
        "Decision",
        choices=[SelectChoice(k.value, v) for k, v in DECISION_LABELS.items()],
        validate_choice=False,
    )
    reason = TextAreaField(
        "Reason",
        description=f"Required when not accepted; the holder reads it. At most {MAX_TEXT} "
        "characters.",
    )


class OutcomeForm(FlaskForm):
    outcome = RadioField(
        "Outcome",
        choices=[SelectChoice(k.value, v) for k, v in OUTCOME_LABELS.items()],
        validate_choice=False,
    )
    text = TextAreaField(
        "Conditions or reason",
        description="Conditions: the text shown publicly with the certificate. Suspension or "
        "revocation: the reason, told to the holder.",
    )
    until = DateField(
        "Until (optional)",
        validators=[Optional(), DateRange()],
        description="When conditions or a suspension end; leave empty for no end date.",
    )


class UploadForm(FlaskForm):
    file = FileField("Evidence file", description="PDF, PNG or JPEG, up to 5 MB.")


class NoteForm(FlaskForm):
    note = TextAreaField(
        "Note",
        description="If you cannot provide evidence for this entry, say why (or add what the "
        f"board should know). At most {MAX_TEXT} characters.",
    )
