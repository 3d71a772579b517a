"""The trainee's side: programs, modules, quizzes, exams, progress."""

from __future__ import annotations

from flask import Blueprint, render_template

from trainer.web.access import roles

bp = Blueprint("learn", __name__, url_prefix="/learn")


@bp.get("/")
@roles("trainee")
def home():
    return render_template("learn/home.html")
