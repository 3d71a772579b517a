"""The trainee's side: programs, enrolment, the module reader and progress."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from trainer.clock import utcnow
from trainer.domain.errors import NotAllowed, NotFound, RuleError
from trainer.domain.hours import PLAIN_NUMBER
from trainer.extensions import db
from trainer.services import (
    certificates,
    content,
    dashboard,
    evidence,
    exams,
    learning,
    next_step,
    quizzes,
)
from trainer.web.access import roles, signed_in
from trainer.web.files import attachment
from trainer.web.forms import act, writes_on_read

bp = Blueprint("learn", __name__, url_prefix="/learn")
EXTENSIONS = evidence.EXTENSIONS


def _me():
    return current_user._get_current_object()


@bp.get("/")
@roles("trainee")
@writes_on_read  # an exam attempt past its deadline is scored when its card is built
def home():
    """The trainee's programs, each with its next step and progress, or the way to choose one."""
    cards = next_step.for_user(_me(), utcnow())
    requests = max((c.audit_requests for c in cards), default=0)
    return render_template("learn/home.html", cards=cards, audit_requests=requests)


@bp.get("/programs")
@roles("trainee")
def programs():
    enrolled = {e.program_id for e in learning.enrolments(_me())}
    return render_template("learn/programs.html", programs=learning.programs(), enrolled=enrolled)


@bp.get("/programs/<program_id>")
@roles("trainee")
@writes_on_read  # an exam attempt past its deadline is scored by exams.eligibility
def program(program_id: str):
    return _program_page(program_id)


def _program_page(program_id: str, sign_errors: dict[str, str] | None = None, status: int = 200):
    """The program page; ``sign_errors`` (statement id -> message) re-renders it with the
    error next to the statement's name field."""
    prog = learning.get_program(program_id)
    me = _me()
    enrolment, state, progress = learning.program_progress(me, prog)
    past = exams.attempts(me, prog.id) if enrolment else []
    decision = exams.eligibility(me, prog, utcnow(), past, progress) if enrolment else None
    board = card = None
    if enrolment and decision is not None and state is not None:
        board = dashboard.for_enrolment(
            enrolment,
            decision.next_allowed_at,
            "" if decision.allowed else decision.reason,
            utcnow(),
            state,
        )
        card = next_step.for_enrolment(
            me, enrolment, state, utcnow(), past, board.certificate, board.documents, board.renewal
        )
    return render_template(
        "learn/program.html",
        program=prog,
        d=prog.spec,
        enrolment=enrolment,
        progress=progress,
        decision=decision,
        attempts=past,
        now=utcnow(),
        card=card,
        sign_errors=sign_errors or {},
        linkedin=certificates.linkedin_url(board.certificate)
        if board is not None and board.certificate is not None
        else None,
        **({"topics": content.labels("topics")} | (board.__dict__ if board else {})),
    ), status


@bp.post("/programs/<program_id>/enrol")
@roles("trainee")
def enrol(program_id: str):
    learning.enrol(_me(), program_id, utcnow())
    db.session.commit()
    flash("You are enrolled. Start with the first module.", "success")
    return redirect(url_for("learn.program", program_id=program_id))


@bp.get("/modules/<module_id>")
@roles("trainee")
def module(module_id: str):
    """Resume a module where the trainee stopped (or at its first section)."""
    try:
        anchor = learning.resume_anchor(_me(), module_id)
    except NotAllowed:
        abort(403, description="This module belongs to a program you are not enrolled in.")
    return redirect(url_for("learn.section", module_id=module_id, anchor=anchor))


@bp.get("/modules/<module_id>/<anchor>")
@roles("trainee")
@writes_on_read  # learning.read_section marks the section read
def section(module_id: str, anchor: str):
    try:
        page = learning.read_section(_me(), module_id, anchor, utcnow())
    except NotAllowed:
        abort(403, description="This module belongs to a program you are not enrolled in.")
    return render_template(
        "learn/section.html", page=page, module=page.module, meta=page.module.meta
    )


@bp.get("/modules/<module_id>/quiz")
@roles("trainee")
@writes_on_read  # the time on the section the trainee leaves for the quiz is credited
def quiz_intro(module_id: str):
    me = _me()
    try:
        learning.settle(me, module_id, utcnow())  # checks the module exists and may be read
    except NotAllowed:
        abort(403, description="This module belongs to a program you are not enrolled in.")
    module = learning.get_module(module_id)
    return render_template(
        "learn/quiz_intro.html",
        module=module,
        best=quizzes.best_percent(me, module_id),
        passed=module_id in learning.passed_modules(me, [module_id]),
    )


@bp.post("/modules/<module_id>/quiz")
@roles("trainee")
def quiz_start(module_id: str):
    try:
        attempt = quizzes.start(_me(), module_id, utcnow())
    except NotAllowed:
        abort(403, description="This module belongs to a program you are not enrolled in.")
    except RuleError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("learn.quiz_intro", module_id=module_id))
    db.session.commit()
    return redirect(url_for("learn.quiz", attempt_id=attempt.id))


@bp.route("/quiz/<int:attempt_id>", methods=["GET", "POST"])
@roles("trainee")
def quiz(attempt_id: int):
    me = _me()
    attempt = quizzes.get(me, attempt_id)
    error = None
    if request.method == "POST" and attempt.submitted_at is None:
        answers = {k: request.form.getlist(k) for k in request.form if k != "csrf_token"}
        try:
            quizzes.submit(me, attempt.id, answers, utcnow())
        except RuleError as err:
            db.session.rollback()
            error = err.message
        else:
            db.session.commit()
            return redirect(url_for("learn.quiz", attempt_id=attempt.id))
    elif request.method == "POST":
        return redirect(url_for("learn.quiz", attempt_id=attempt.id))
    module = learning.get_module(attempt.module_id)
    return render_template(
        "learn/quiz.html",
        attempt=attempt,
        module=module,
        questions=quizzes.questions(attempt),
        error=error,
    ), (422 if error else 200)


@bp.post("/programs/<program_id>/attestations/<attestation_id>")
@roles("trainee")
def sign(program_id: str, attestation_id: str):
    """Sign a statement; a name that does not match re-renders the page with the error next
    to the field (focused, so it is in view), not a message at the top of a long page."""
    try:
        evidence.sign(
            _me(), program_id, attestation_id, request.form.get("typed_name", ""), utcnow()
        )
    except NotFound:
        db.session.rollback()
        abort(404)
    except RuleError as error:
        db.session.rollback()
        if error.field is None:  # nothing to correct in the field (e.g. signed already)
            flash(error.message, "info")
            return redirect(url_for("learn.program", program_id=program_id) + "#requirements")
        return _program_page(program_id, {attestation_id: error.message}, 422)
    db.session.commit()
    flash("Signed.", "success")
    return redirect(url_for("learn.program", program_id=program_id) + "#requirements")


@bp.post("/programs/<program_id>/documents/<requirement_id>")
@roles("trainee")
def upload(program_id: str, requirement_id: str):
    file = request.files.get("file")
    return act(
        lambda: evidence.upload(
            _me(),
            program_id,
            requirement_id,
            (file.filename or "") if file else "",
            file.read(evidence.MAX_UPLOAD + 1) if file else b"",
            utcnow(),
        ),
        url_for("learn.program", program_id=program_id) + "#requirements",
        "Uploaded. An administrator reviews it.",
    )


@bp.get("/documents/<int:document_id>")
@signed_in
def document(document_id: int):
    """An uploaded document, for its owner and for reviewers only."""
    row, data = evidence.document_for(_me(), document_id)
    return attachment(data, row.content_type, f"document-{row.id}{EXTENSIONS[row.content_type]}")


@bp.get("/certificates/<int:certificate_id>/<kind>")
@roles("trainee")
def certificate_file(certificate_id: int, kind: str):
    """The holder downloads the stored PDF (never re-rendered) or the signed credential."""
    cert = certificates.for_holder(_me(), certificate_id)
    if cert.pdf is None or cert.number is None:
        abort(404)
    if kind == "certificate.pdf":
        return Response(
            cert.pdf,
            mimetype="application/pdf",
            headers={"Content-Disposition": f"attachment; filename={cert.number}.pdf"},
        )
    if kind == "credential.json":
        return Response(
            cert.credential_json,
            mimetype="application/json",
            headers={"Content-Disposition": f"attachment; filename={cert.number}.json"},
        )
    abort(404)


@bp.post("/certificates/<int:certificate_id>/ce")
@roles("trainee")
def log_ce(certificate_id: int):
    """Record continuing education toward renewing a certificate."""
    from datetime import date

    cert = certificates.for_holder(_me(), certificate_id)
    back = url_for("learn.program", program_id=cert.program_id) + "#renewal"
    form = request.form
    typed_hours = form.get("hours", "").strip()
    try:
        completed = date.fromisoformat(form.get("completed_on", ""))
        if not PLAIN_NUMBER.fullmatch(typed_hours):
            raise ValueError(typed_hours)
        amount = float(typed_hours)
    except ValueError:
        flash("Enter the date (YYYY-MM-DD) and the hours as a number.", "error")
        return redirect(back)
    try:
        certificates.log_ce(
            _me(),
            cert.id,
            completed,
            amount,
            form.get("topic") or None,
            form.get("title", ""),
            utcnow(),
        )
    except RuleError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash("Recorded. An administrator reviews continuing education.", "success")
    return redirect(back)
