"""Sign in and out, register, reset and change passwords, edit one's profile."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from trainer.clock import utcnow
from trainer.domain.errors import RuleError
from trainer.extensions import db, limiter
from trainer.services import accounts, audit, my_data, two_factor
from trainer.web.access import public, signed_in
from trainer.web.auth import two_factor_pages as two_factor_views
from trainer.web.auth.forms import (
    ForgotForm,
    LoginForm,
    PasswordForm,
    ProfileForm,
    RegisterForm,
    ResetForm,
)
from trainer.web.forms import save
from trainer.web.main import home_url

bp = Blueprint("auth", __name__)

GENERIC_LOGIN_ERROR = "That e-mail address and password do not match an active account."


def _register_email_key() -> str:
    return "register:" + accounts.normalise_email(request.form.get("email", ""))


@bp.route("/login", methods=["GET", "POST"])
@public
@two_factor_views.account_limit
@two_factor_views.address_limit
def login():
    """The password step; an account with two-factor sign-in then gives a code
    (two_factor_views.login_code). Wrong passwords and wrong codes share one rate limit."""
    if current_user.is_authenticated:
        return redirect(home_url())
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data or "", form.password.data or "")
        target = request.args.get("next")
        if user is None:
            audit.record(
                "auth.login_failed",
                subject_type="User",
                email=accounts.normalise_email(form.email.data or ""),
            )
            db.session.commit()
            form.form_errors.append(GENERIC_LOGIN_ERROR)
        elif two_factor.enabled(user):
            return two_factor_views.ask_for_code(user, target)
        else:
            return two_factor_views.complete_sign_in(user, target)
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@signed_in
def logout():
    user = current_user._get_current_object()
    accounts.end_sessions(user)
    two_factor.end_all_sessions(user, utcnow())
    audit.record("auth.logout", actor=user, subject=user)
    db.session.commit()
    logout_user()
    session.pop(two_factor_views.DEVICE, None)
    flash("You are signed out.", "info")
    return redirect(url_for("main.index"))


@bp.route("/register", methods=["GET", "POST"])
@public
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT"], key_func=_register_email_key, methods=["POST"]
)
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_ADDRESS"], methods=["POST"])
def register():
    """The answer is the same whether or not the address already has an account: the
    address's owner learns the rest by e-mail (services.accounts.register_trainee)."""
    if current_user.is_authenticated:
        return redirect(home_url())
    form = RegisterForm()
    registered = save(
        form,
        lambda: accounts.register_trainee(
            form.email.data or "",
            form.legal_name.data or "",
            form.password.data or "",
            form.timezone.data or "UTC",
            utcnow(),
        ),
    )
    if registered:
        return render_template(
            "auth/register_sent.html",
            email=accounts.normalise_email(form.email.data or ""),
            hours=current_app.config["ACCOUNT_SETUP_HOURS"],
        )
    return render_template("auth/register.html", form=form)


@bp.route("/confirm/<token>", methods=["GET", "POST"])
@public
def confirm_email(token: str):
    """GET shows a button, POST confirms: mail scanners that open links change nothing."""
    if accounts.token_user(token, utcnow(), purposes={"confirm"}) is None:
        return render_template("auth/confirm_invalid.html"), 404
    if request.method == "POST":
        try:
            user = accounts.confirm_email(token, utcnow())
        except RuleError:
            db.session.rollback()
            return render_template("auth/confirm_invalid.html"), 404
        db.session.commit()
        login_user(user)
        flash(
            "Your address is confirmed and your account is ready. Choose a program to begin.",
            "success",
        )
        return redirect(home_url())
    return render_template("auth/confirm.html")


@bp.route("/forgot", methods=["GET", "POST"])
@public
@limiter.limit("10 per hour", methods=["POST"])
def forgot_password():
    form = ForgotForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data or "", utcnow())
        db.session.commit()
        flash(
            "If an account uses that address, we have e-mailed it a link to choose a new "
            "password. The link works once and expires soon.",
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    row = accounts.token_user(token, utcnow())
    if row is None:
        return render_template("auth/reset_invalid.html"), 404
    form = ResetForm()
    if save(form, lambda: accounts.reset_password(token, form.password.data or "", utcnow())):
        logout_user()
        flash("Your password is set. Sign in with it now.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form, purpose=row.purpose)


@bp.route("/account", methods=["GET", "POST"])
@signed_in
def account():
    user = current_user._get_current_object()
    profile = ProfileForm(prefix="profile", obj=user)
    password = PasswordForm(prefix="pw")
    if "profile-legal_name" in request.form:
        saved = save(
            profile,
            lambda: accounts.update_profile(
                user,
                profile.legal_name.data or "",
                profile.preferred_name.data,
                profile.timezone.data or "",
            ),
        )
        if saved:
            flash("Your profile is saved.", "success")
            return redirect(url_for("auth.account"))
    elif "pw-current_password" in request.form:
        changed = save(
            password,
            lambda: accounts.change_password(
                user, password.current_password.data or "", password.new_password.data or ""
            ),
        )
        if changed:
            login_user(user)  # the session token changed: keep this session, end all others
            two_factor.keep_this_device(user, session.get(two_factor_views.DEVICE), utcnow())
            db.session.commit()
            flash("Your password is changed. Other devices have been signed out.", "success")
            return redirect(url_for("auth.account"))
    return render_template(
        "auth/account.html",
        profile=profile,
        password=password,
        two_factor=two_factor.status(user),
        devices=two_factor.devices(user, session.get(two_factor_views.DEVICE), utcnow()),
    )


@bp.post("/account/my-data")
@signed_in
@limiter.limit("10 per hour")
def my_data_download():
    """Everything held about the signed-in person: a ZIP of data.json and their files."""
    export = my_data.export(current_user._get_current_object(), utcnow())
    db.session.commit()  # the download is audited
    response = Response(export.data, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


two_factor_views.register(bp)
