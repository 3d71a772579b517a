"""Taking the certification exam: start, one question a page, review, submit, result. The
practice exam's pages are a blueprint inside this one (``practice``)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from trainer.clock import utcnow
from trainer.domain.errors import NotAllowed, RuleError
from trainer.domain.statuses import AttemptStatus
from trainer.extensions import db
from trainer.services import content, exams
from trainer.web.access import roles
from trainer.web.exam import practice
from trainer.web.forms import writes_on_read
from trainer.web.inputs import parse_id

bp = Blueprint("exam", __name__, url_prefix="/exam")
bp.register_blueprint(practice.bp)


def _me():
    return current_user._get_current_object()


def _attempt(attempt_id: int):
    """The trainee's attempt; one found past its deadline is scored now (so the pages using
    this are declared @writes_on_read)."""
    return exams.get(_me(), attempt_id, utcnow())


@bp.post("/programs/<program_id>/start")
@roles("trainee")
def start(program_id: str):
    try:
        attempt = exams.start(_me(), program_id, utcnow())
    except NotAllowed:
        abort(403, description="Enrol in this program before taking its exam.")
    except RuleError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("learn.program", program_id=program_id))
    db.session.commit()
    return redirect(url_for("exam.question", attempt_id=attempt.id, position=1))


@bp.route("/<int:attempt_id>/q/<int:position>", methods=["GET", "POST"])
@roles("trainee")
@writes_on_read
def question(attempt_id: int, position: int):
    """Show a question; on POST save its answer, then go where the button says."""
    attempt = _attempt(attempt_id)
    if attempt.status != AttemptStatus.OPEN:
        flash("This attempt is closed; here is your result.", "info")
        return redirect(url_for("exam.result", attempt_id=attempt.id))
    error = None
    if request.method == "POST":
        try:
            exams.save_answer(
                _me(),
                attempt.id,
                position,
                request.form.getlist("answer"),
                request.form.get("flag") == "1",
                utcnow(),
            )
        except RuleError as err:
            db.session.rollback()
            error = err.message
        else:
            db.session.commit()
            target = request.form.get("go", "next")
            if target == "review":
                return redirect(url_for("exam.review", attempt_id=attempt.id))
            if target == "prev":
                target = str(position - 1)
            elif target == "next":
                target = str(position + 1)
            goto = parse_id(target) or position
            total = exams.question_count(attempt.id)
            if goto < 1 or goto > total:
                return redirect(url_for("exam.review", attempt_id=attempt.id))
            return redirect(url_for("exam.question", attempt_id=attempt.id, position=goto))
    try:
        page = exams.question(_me(), attempt.id, position, utcnow())
    except RuleError:
        return redirect(url_for("exam.result", attempt_id=attempt.id))
    return render_template("exam/question.html", page=page, error=error), (422 if error else 200)


@bp.get("/<int:attempt_id>/review")
@roles("trainee")
@writes_on_read
def review(attempt_id: int):
    attempt = _attempt(attempt_id)
    if attempt.status != AttemptStatus.OPEN:
        return redirect(url_for("exam.result", attempt_id=attempt.id))
    page = exams.question(_me(), attempt.id, 1, utcnow())
    return render_template("exam/review.html", attempt=attempt, page=page)


@bp.route("/<int:attempt_id>/submit", methods=["GET", "POST"])
@roles("trainee")
@writes_on_read
def submit(attempt_id: int):
    """Submitting is final, so it takes two steps: this page says what is unanswered or
    flagged and asks; only a POST with ``confirm=yes`` submits. Without it the attempt stays
    open and the page says so (422). A closed attempt (submitted, or past its deadline and
    scored just now) leads to its result."""
    attempt = _attempt(attempt_id)
    if attempt.status != AttemptStatus.OPEN:
        db.session.commit()
        return redirect(url_for("exam.result", attempt_id=attempt.id))
    if request.method == "POST" and request.form.get("confirm") == "yes":
        exams.submit(_me(), attempt.id, utcnow())
        db.session.commit()
        return redirect(url_for("exam.result", attempt_id=attempt.id))
    refused = request.method == "POST"
    page = exams.question(_me(), attempt.id, 1, utcnow())
    return render_template("exam/submit.html", attempt=attempt, page=page, refused=refused), (
        422 if refused else 200
    )


@bp.get("/<int:attempt_id>/result")
@roles("trainee")
@writes_on_read
def result(attempt_id: int):
    attempt = _attempt(attempt_id)
    if attempt.status == AttemptStatus.OPEN:
        return redirect(url_for("exam.review", attempt_id=attempt.id))
    program = exams._program(attempt.program_id)
    decision = exams.eligibility(_me(), program, utcnow())
    return render_template(
        "exam/result.html",
        attempt=attempt,
        program=program,
        decision=decision,
        domain_labels=content.labels("domains"),
    )
