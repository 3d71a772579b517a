"""Two-factor sign-in pages: the code step of signing in, enrolment, turning it off,
new recovery codes, and signing out the other devices. Registered on the auth blueprint by
``trainer.web.auth`` (this module does not import it: no cycle)."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote

import segno
from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user
from markupsafe import Markup

from trainer.clock import utcnow
from trainer.domain import two_factor as rules
from trainer.extensions import db, limiter
from trainer.services import accounts, audit, db_util, two_factor
from trainer.web.access import public, signed_in
from trainer.web.auth.forms import CodeForm, ConfirmCodeForm, DisableTwoFactorForm
from trainer.web.forms import save, writes_on_read
from trainer.web.inputs import safe_target
from trainer.web.main import home_url

PENDING = "two_factor_pending"
DEVICE = "device"


# -- rate limits shared by both steps of signing in ---------------------------------------------


def _sign_in_account_key() -> str:
    """Per account: the e-mail typed at the password step, or the pending account's at the
    code step, so wrong codes and wrong passwords fill the same allowance."""
    pending = session.get(PENDING)
    if request.endpoint == "auth.login_code" and isinstance(pending, dict):
        email = str(pending.get("email", ""))
    else:
        email = request.form.get("email", "")
    return "login:" + accounts.normalise_email(email)


account_limit = limiter.shared_limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT"],
    scope="sign-in-account",
    key_func=_sign_in_account_key,
    methods=["POST"],
)
address_limit = limiter.shared_limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT_ADDRESS"],
    scope="sign-in-address",
    methods=["POST"],
)


# -- signing in --------------------------------------------------------------------------------


def complete_sign_in(user: Any, target: str | None, via: str | None = None) -> Any:
    """The password (and code, if asked) were right: sign in, record the device, audit."""
    session.pop(PENDING, None)
    login_user(user)
    now = utcnow()
    agent = request.user_agent.string or ""
    session[DEVICE] = two_factor.start_session(user, agent, request.remote_addr or "", now)
    details = {"two_factor": via} if via else {}
    audit.record("auth.login", actor=user, subject=user, **details)
    db.session.commit()
    flash(f"Welcome, {user.display_name}.", "success")
    return redirect(safe_target(target, home_url()))


def ask_for_code(user: Any, target: str | None) -> Any:
    """The password was right and the account uses two-factor sign-in: remember who is half
    signed in (not signed in yet) for a few minutes, and ask for the code."""
    session[PENDING] = {
        "user": user.id,
        "email": user.email,
        "token": user.session_token,
        "until": int(time.time()) + rules.PENDING_SECONDS,
        "next": target or "",
    }
    db.session.commit()  # a password rehash, if any
    return redirect(url_for("auth.login_code"))


def _pending() -> tuple[Any, str | None]:
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or int(pending.get("until", 0)) < time.time():
        return None, None
    user = two_factor.pending_user(int(pending.get("user", 0)), str(pending.get("token", "")))
    return user, str(pending.get("next") or "") or None


@public
@account_limit
@address_limit
def login_code() -> Any:
    """The second step of signing in: a code from the authenticator, or a recovery code."""
    if current_user.is_authenticated:
        return redirect(home_url())
    user, target = _pending()
    if user is None:
        session.pop(PENDING, None)
        flash("Sign in again: enter your e-mail address and password first.", "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        via = two_factor.check(user, form.code.data or "", utcnow())
        if via is not None:
            if via == "recovery":
                flash(
                    "You used a recovery code; it will not work again. Get new codes on "
                    "your account page if you are running out.",
                    "warning",
                )
            return complete_sign_in(user, target, via)
        db.session.commit()  # the failed code stays on record
        form.code.errors = [two_factor.WRONG_CODE]
    status = 400 if form.errors else 200
    return render_template("auth/login_code.html", form=form), status


# -- enrolment and management ------------------------------------------------------------------


def _qr_svg(uri: str) -> Markup:
    svg = segno.make(uri, error="m").svg_inline(scale=5, border=2, omitsize=False)
    return Markup(svg)  # noqa: S704  (segno's own markup of our URI, escaped by segno)


def _codes_page(codes: list[str], user: Any) -> Any:
    text = "trainer recovery codes for " + user.email + "\n\n" + "\n".join(codes) + "\n"
    return render_template(
        "auth/recovery_codes.html",
        codes=codes,
        download="data:text/plain;charset=utf-8," + quote(text),
    )


@signed_in
@writes_on_read
def two_factor_setup() -> Any:
    """Set up an authenticator app: scan the QR code (or type the key), confirm with a
    code, and receive ten recovery codes, shown once."""
    user = current_user._get_current_object()
    if two_factor.enabled(user):
        return redirect(url_for("auth.two_factor_manage"))
    with db_util.writing():  # the secret is kept from the first view until confirmed
        enrolment = two_factor.begin(user, utcnow())
    form = ConfirmCodeForm()
    confirmed = save(form, lambda: two_factor.confirm(user, form.code.data or "", utcnow()))
    if confirmed:
        flash("Two-factor sign-in is on. Keep your recovery codes somewhere safe.", "success")
        return _codes_page(confirmed.value, user)
    return render_template(
        "auth/two_factor_setup.html",
        form=form,
        secret=enrolment.secret,
        grouped=" ".join(enrolment.secret[i : i + 4] for i in range(0, len(enrolment.secret), 4)),
        uri=enrolment.uri,
        qr=_qr_svg(enrolment.uri),
        required=two_factor.required_for(user),
    ), 400 if form.errors else 200


@signed_in
def two_factor_manage() -> Any:
    """Two-factor sign-in is on: new recovery codes (with a current code), or turn it off
    (with the password and a current code)."""
    user = current_user._get_current_object()
    regenerate = ConfirmCodeForm(prefix="regen")
    disable = DisableTwoFactorForm(prefix="off")
    if "regen-code" in request.form:
        code = regenerate.code.data or ""
        made = save(regenerate, lambda: two_factor.regenerate(user, code, utcnow()))
        if made:
            flash("New recovery codes are ready; the old ones no longer work.", "success")
            return _codes_page(made.value, user)
    elif "off-password" in request.form:
        done = save(
            disable,
            lambda: two_factor.disable(
                user, disable.password.data or "", disable.code.data or "", utcnow()
            ),
        )
        if done:
            flash("Two-factor sign-in is off.", "success")
            return redirect(url_for("auth.account"))
    state = two_factor.status(user)
    if state.enabled_at is None:
        return redirect(url_for("auth.two_factor_setup"))
    return render_template(
        "auth/two_factor_manage.html",
        state=state,
        regenerate=regenerate,
        disable=disable,
        required=two_factor.required_for(user),
    ), 400 if (regenerate.errors or disable.errors) else 200


@signed_in
def end_other_sessions() -> Any:
    """Sign out every other device signed in to this account."""
    user = current_user._get_current_object()
    ended = two_factor.end_other_sessions(user, session.get(DEVICE), utcnow())
    db.session.commit()
    flash(
        f"Signed out {ended} other device{'' if ended == 1 else 's'}."
        if ended
        else "No other device was signed in.",
        "success",
    )
    return redirect(url_for("auth.account") + "#devices-title")


def register(bp: Any) -> None:
    bp.add_url_rule("/login/code", view_func=login_code, methods=["GET", "POST"])
    bp.add_url_rule(
        "/account/two-factor/setup", view_func=two_factor_setup, methods=["GET", "POST"]
    )
    bp.add_url_rule("/account/two-factor", view_func=two_factor_manage, methods=["GET", "POST"])
    bp.add_url_rule(
        "/account/devices/sign-out-others", view_func=end_other_sessions, methods=["POST"]
    )
