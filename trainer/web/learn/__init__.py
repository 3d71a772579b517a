"""The trainee's side: programs, enrolment, the module reader and progress."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from trainer.domain.errors import NotAllowed, NotFound
from trainer.extensions import db
from trainer.services import learning
from trainer.web.access import roles

bp = Blueprint("learn", __name__, url_prefix="/learn")


def _me():  # type: ignore[no-untyped-def]
    return current_user._get_current_object()


@bp.get("/")
@roles("trainee")
def home():
    """The trainee's programs with progress, or the way to choose one."""
    me = _me()
    mine = []
    for enrolment in learning.enrolments(me):
        progress = learning.module_progress(me, learning.program_modules(enrolment.program))
        mine.append((enrolment, progress))
    return render_template("learn/home.html", mine=mine)


@bp.get("/programs")
@roles("trainee")
def programs():
    enrolled = {e.program_id for e in learning.enrolments(_me())}
    return render_template("learn/programs.html", programs=learning.programs(), enrolled=enrolled)


@bp.get("/programs/<program_id>")
@roles("trainee")
def program(program_id: str):
    try:
        prog = learning.get_program(program_id)
    except NotFound:
        abort(404)
    me = _me()
    enrolment = learning.enrolment(me, prog.id)
    progress = learning.module_progress(me, learning.program_modules(prog))
    return render_template(
        "learn/program.html",
        program=prog,
        d=prog.definition,
        enrolment=enrolment,
        progress=progress,
    )


@bp.post("/programs/<program_id>/enrol")
@roles("trainee")
def enrol(program_id: str):
    try:
        learning.enrol(_me(), program_id)
    except NotFound:
        abort(404)
    db.session.commit()
    flash("You are enrolled. Start with the first module.", "success")
    return redirect(url_for("learn.program", program_id=program_id))


@bp.get("/modules/<module_id>")
@roles("trainee")
def module(module_id: str):
    """Resume a module where the trainee stopped (or at its first section)."""
    try:
        anchor = learning.resume_anchor(_me(), module_id)
    except NotFound:
        abort(404)
    except NotAllowed:
        abort(403, description="This module belongs to a program you are not enrolled in.")
    return redirect(url_for("learn.section", module_id=module_id, anchor=anchor))


@bp.get("/modules/<module_id>/<anchor>")
@roles("trainee")
def section(module_id: str, anchor: str):
    try:
        page = learning.read_section(_me(), module_id, anchor)
    except NotFound:
        abort(404)
    except NotAllowed:
        abort(403, description="This module belongs to a program you are not enrolled in.")
    db.session.commit()
    return render_template(
        "learn/section.html", page=page, module=page.module, meta=page.module.meta
    )
