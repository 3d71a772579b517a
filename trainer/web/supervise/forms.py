from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.validators import Length, Optional

from trainer.web.inputs import DateRange


class QualificationForm(FlaskForm):
    """A credential the supervisor holds, with the document that shows it. What is required
    is checked by services.supervision, so one submit reports every missing field."""

    credential = SelectField("Credential", choices=[])
    number = StringField(
        "Credential or licence number",
        validators=[Length(max=64)],
    )
    issuer = StringField(
        "Issued by (state or board)",
        validators=[Length(max=200)],
        description='For example "Kentucky Board of Alcohol and Drug Counselors".',
    )
    issued_on = DateField(
        "Issued on",
        validators=[Optional(), DateRange()],
        description="The date of first certification or licensure (for a supervisory role: "
        "the date you started it). The years a program asks for are counted from it.",
    )
    expires_on = DateField(
        "Expires on",
        validators=[Optional(), DateRange()],
        description="Leave empty if it does not expire.",
    )
    supervision_training = BooleanField(
        "I attended the board's supervision training",
        description="Some programs ask for it (for example KRS 309.0831). The document "
        "should show it.",
    )
    document = FileField(
        "Document",
        description="A copy of the certificate, licence or job description: PDF, PNG or JPEG, "
        "up to 5 MB. An administrator checks it before it counts.",
    )
