from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import Email, EqualTo, InputRequired, Length, Optional

from trainer.domain.passwords import MAX_LENGTH, MIN_LENGTH
from trainer.web.forms import TimezoneSelect, timezone_choices

_PW_HINT = f"At least {MIN_LENGTH} characters."
_PW_LENGTH = Length(
    min=MIN_LENGTH,
    max=MAX_LENGTH,
    message=f"Use at least {MIN_LENGTH} characters (and at most {MAX_LENGTH}).",
)


class LoginForm(FlaskForm):
    email = EmailField("E-mail address", validators=[InputRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[InputRequired(), Length(max=MAX_LENGTH)])


class RegisterForm(FlaskForm):
    legal_name = StringField(
        "Legal name",
        validators=[InputRequired(), Length(max=200)],
        description="As it should appear on your certificate.",
    )
    email = EmailField(
        "E-mail address",
        validators=[InputRequired(), Email(check_deliverability=False), Length(max=254)],
    )
    timezone = SelectField(
        "Time zone",
        choices=timezone_choices,
        default="America/New_York",
        widget=TimezoneSelect(),
    )
    password = PasswordField(
        "Password",
        validators=[InputRequired(), _PW_LENGTH],
        description=_PW_HINT,
    )
    confirm = PasswordField(
        "Repeat password",
        validators=[InputRequired(), EqualTo("password", message="The passwords do not match.")],
    )


class ForgotForm(FlaskForm):
    email = EmailField(
        "E-mail address",
        validators=[InputRequired(), Email(check_deliverability=False), Length(max=254)],
    )


class ResetForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=[InputRequired(), _PW_LENGTH],
        description=_PW_HINT,
    )
    confirm = PasswordField(
        "Repeat new password",
        validators=[InputRequired(), EqualTo("password", message="The passwords do not match.")],
    )


class ProfileForm(FlaskForm):
    legal_name = StringField(
        "Legal name",
        validators=[InputRequired(), Length(max=200)],
        description="Printed on your certificates.",
    )
    preferred_name = StringField(
        "Preferred name",
        validators=[Optional(), Length(max=100)],
        description="What we call you on screen. Optional.",
    )
    timezone = SelectField("Time zone", choices=timezone_choices, widget=TimezoneSelect())


class PasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[InputRequired()])
    new_password = PasswordField(
        "New password",
        validators=[InputRequired(), _PW_LENGTH],
        description=_PW_HINT,
    )
    confirm = PasswordField(
        "Repeat new password",
        validators=[
            InputRequired(),
            EqualTo("new_password", message="The passwords do not match."),
        ],
    )


_CODE_HINT = "The six-digit code your authenticator app shows now."


class CodeForm(FlaskForm):
    """The second step of signing in: an authenticator code or a recovery code."""

    code = StringField(
        "Code",
        validators=[InputRequired(), Length(max=64)],
        description="The six-digit code your authenticator app shows now, or one of your "
        "recovery codes (like 3f9a-07c2-b1e4-5d60).",
    )


class ConfirmCodeForm(FlaskForm):
    code = StringField(
        "Code from the app", validators=[InputRequired(), Length(max=64)], description=_CODE_HINT
    )


class DisableTwoFactorForm(FlaskForm):
    password = PasswordField("Your password", validators=[InputRequired(), Length(max=MAX_LENGTH)])
    code = StringField(
        "Current code",
        validators=[InputRequired(), Length(max=64)],
        description=_CODE_HINT + " A recovery code works too.",
    )
