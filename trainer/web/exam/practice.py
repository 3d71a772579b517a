"""The practice exam: its start page, one question a page, finishing, and the answers.

A blueprint of its own, registered inside the exam's: endpoints ``exam.practice.*`` under
``/exam/practice/``. Someone else's attempt is a 404 (services.practice.get).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from trainer.clock import utcnow
from trainer.domain.errors import NotAllowed, RuleError
from trainer.extensions import db
from trainer.services import content, practice
from trainer.web.access import roles
from trainer.web.inputs import parse_id

bp = Blueprint("practice", __name__, url_prefix="/practice")


def _me():
    return current_user._get_current_object()


def _enrol_first(program_id: str):
    """A trainee not enrolled in the program: to its page, where they may enrol."""
    db.session.rollback()
    flash("Enrol in this program before taking its practice exam.", "error")
    return redirect(url_for("learn.program", program_id=program_id))


@bp.get("/programs/<program_id>")
@roles("trainee")
def intro(program_id: str):
    """How long the practice exam is, what it is for, the trainee's attempts."""
    try:
        view = practice.overview(_me(), program_id)
    except NotAllowed:
        return _enrol_first(program_id)
    return render_template(
        "exam/practice/intro.html", view=view, domain_labels=content.labels("domains")
    )


@bp.post("/programs/<program_id>/start")
@roles("trainee")
def start(program_id: str):
    """Start a practice exam (or resume the unfinished one) at its first question."""
    try:
        attempt = practice.start(_me(), program_id, utcnow())
    except NotAllowed:
        return _enrol_first(program_id)
    except RuleError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".intro", program_id=program_id))
    db.session.commit()
    return redirect(url_for(".question", attempt_id=attempt.id, position=1))


@bp.route("/<int:attempt_id>/q/<int:position>", methods=["GET", "POST"])
@roles("trainee")
def question(attempt_id: int, position: int):
    """Show a question; on POST save its answer, then go where the button says. A finished
    attempt's questions lead to its answers; answering one is refused (409)."""
    attempt = practice.get(_me(), attempt_id)
    if attempt.finished_at is not None:
        if request.method == "POST":
            abort(409, description=practice.AttemptFinished().message)
        return redirect(url_for(".result", attempt_id=attempt.id))
    error = None
    if request.method == "POST":
        try:
            practice.save_answer(
                _me(), attempt.id, position, request.form.getlist("answer"), utcnow()
            )
        except practice.AttemptFinished as finished:
            db.session.rollback()
            abort(409, description=finished.message)
        except RuleError as err:
            db.session.rollback()
            error = err.message
        else:
            db.session.commit()
            return redirect(_next_page(attempt.id, position, request.form.get("go", "next")))
    page = practice.question(_me(), attempt.id, position)
    status = 422 if error else 200
    return render_template("exam/practice/question.html", page=page, error=error), status


def _next_page(attempt_id: int, position: int, go: str) -> str:
    """Where a question's button leads: the next or previous question or a numbered one;
    "finish", or a step past either end, leads to the page that finishes the attempt."""
    target = {"next": position + 1, "prev": position - 1}.get(go, parse_id(go) or position)
    if go == "finish" or not 1 <= target <= practice.question_count(attempt_id):
        return url_for(".finish", attempt_id=attempt_id)
    return url_for(".question", attempt_id=attempt_id, position=target)


@bp.route("/<int:attempt_id>/finish", methods=["GET", "POST"])
@roles("trainee")
def finish(attempt_id: int):
    """What is still unanswered, and the button that finishes the attempt and shows the
    answers. A finished attempt leads to its answers."""
    attempt = practice.get(_me(), attempt_id)
    if request.method == "POST":
        practice.finish(_me(), attempt.id, utcnow())  # a finished attempt stays as it was
        db.session.commit()
        return redirect(url_for(".result", attempt_id=attempt.id))
    if attempt.finished_at is not None:
        return redirect(url_for(".result", attempt_id=attempt.id))
    questions = practice.progress(_me(), attempt.id)
    return render_template("exam/practice/finish.html", attempt=attempt, questions=questions)


@bp.get("/<int:attempt_id>/result")
@roles("trainee")
def result(attempt_id: int):
    """Score, score by domain, and every question with the answer given, the right one and
    the rationale. An unfinished attempt leads to the page that finishes it."""
    attempt = practice.get(_me(), attempt_id)
    if attempt.finished_at is None:
        return redirect(url_for(".finish", attempt_id=attempt.id))
    return render_template(
        "exam/practice/result.html",
        view=practice.result(_me(), attempt.id),
        domain_labels=content.labels("domains"),
    )
