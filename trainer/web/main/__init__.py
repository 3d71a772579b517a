"""The front door: the public landing page, and each role's way home."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from trainer.domain.roles import home_role
from trainer.web.access import public

bp = Blueprint("main", __name__)

HOME_ENDPOINTS = {
    "admin": "admin.home",
    "board": "board.home",
    "employer": "employer.home",
    "supervisor": "supervise.home",
    "trainee": "learn.home",
}


def home_url() -> str:
    role = home_role(current_user.roles) if current_user.is_authenticated else None
    return url_for(HOME_ENDPOINTS[role]) if role else url_for("main.index")


@bp.get("/")
@public
def index():
    """Signed-in people go to their role's home page; everyone else sees the landing page."""
    if current_user.is_authenticated and home_role(current_user.roles):
        return redirect(home_url())
    return render_template("main/index.html")
