"""The supervisor's side: trainees and the hours waiting for sign-off."""

from __future__ import annotations

from flask import Blueprint, render_template

from trainer.web.access import roles

bp = Blueprint("supervise", __name__, url_prefix="/supervise")


@bp.get("/")
@roles("supervisor")
def home():
    return render_template("supervise/home.html")
