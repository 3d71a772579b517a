"""The supervisor's side: invitations, trainees' progress, the queue of hours to decide."""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user

from trainer.clock import utcnow
from trainer.domain import hours as hour_rules
from trainer.domain.errors import NotAllowed, NotFound, RuleError
from trainer.extensions import db
from trainer.models import Enrolment
from trainer.services import content, evaluations, evidence, hours, sessions, supervision
from trainer.web import session_forms
from trainer.web.access import roles
from trainer.web.files import attachment
from trainer.web.forms import act, save
from trainer.web.inputs import MAX_DATE, MIN_DATE, parse_id, parse_page, safe_target
from trainer.web.session_forms import SessionForm
from trainer.web.supervise.forms import QualificationForm

bp = Blueprint("supervise", __name__, url_prefix="/supervise")


def _me():
    return current_user._get_current_object()


def _supervised(enrolment_id: int) -> Enrolment:
    return hours.supervised_enrolment(_me(), enrolment_id)


@bp.get("/")
@roles("supervisor")
def home():
    me = _me()
    trainees = hours.all_totals(hours.supervised_enrolments(me))
    blocked = supervision.blocked_programs(
        me.id, [e.program_id for e, _ in trainees], hours.local_date(me, utcnow())
    )
    return render_template(
        "supervise/home.html",
        invitations=hours.invitations(me),
        trainees=trainees,
        blocked=blocked,
    )


@bp.post("/invitations/<int:link_id>")
@roles("supervisor")
def respond(link_id: int):
    accept = request.form.get("answer") == "accept"
    return act(
        lambda: hours.respond(_me(), link_id, accept, utcnow()),
        url_for("supervise.home"),
        "You now supervise this trainee." if accept else "Invitation declined.",
    )


def _date_arg(name: str) -> date | None:
    value = request.args.get(name, "")
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day if MIN_DATE <= day <= MAX_DATE else None


@bp.get("/queue")
@roles("supervisor")
def queue():
    me = _me()
    trainee = request.args.get("trainee", "")
    flt = hours.QueueFilter(
        trainee_id=parse_id(trainee),
        date_from=_date_arg("from"),
        date_to=_date_arg("to"),
        category=request.args.get("category") or None,
    )
    bad_dates = [n for n in ("from", "to") if request.args.get(n) and _date_arg(n) is None]
    page_n = parse_page(request.args.get("page"))
    rows, has_next = hours.queue(me, flt, page_n)
    enrolments = hours.trainee_choices(me)
    programs = dict.fromkeys(e.program_id for e in enrolments)
    cats = {c: label for p in programs for c, label in hours.program_categories(p).items()}
    # one choice per person (the filter is by trainee), with the programs they are in
    people: dict[int, tuple[str, list[str]]] = {}
    for choice in enrolments:
        people.setdefault(choice.user_id, (choice.legal_name, []))[1].append(choice.program_id)
    return render_template(
        "supervise/queue.html",
        rows=rows,
        has_next=has_next,
        page=page_n,
        people=people,
        flt=flt,
        filter_categories=cats,
        categories={**content.labels("domains"), **cats},
        settings=content.labels("settings"),
        bad_dates=bad_dates,
        attestation=hour_rules.ATTESTATION,
        args=request.args,
        blocked=supervision.blocked_programs(me.id, list(programs), hours.local_date(me, utcnow())),
    )


@bp.post("/decide")
@roles("supervisor")
def decide():
    ids = [i for i in map(parse_id, request.form.getlist("entry")) if i is not None]
    action = request.form.get("action", "")
    note = request.form.get("note", "")
    attested = request.form.get("attest") == "1"
    back = safe_target(request.form.get("back"), url_for("supervise.queue"))
    try:
        result = hours.decide(_me(), ids, action, note, attested, utcnow())
    except NotFound:
        db.session.rollback()
        abort(404)
    except NotAllowed as error:
        db.session.rollback()
        abort(403, description=str(error))
    except RuleError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(back)
    db.session.commit()
    verb = {"approve": "approved", "return": "returned", "reject": "rejected"}[action]
    message = f"{len(result.decided)} entr{'y' if len(result.decided) == 1 else 'ies'} {verb}."
    if result.skipped:
        message += f" {result.skipped} had already been decided and were left as they were."
    flash(message, "success")
    return redirect(back)


@bp.get("/trainees/<int:enrolment_id>")
@roles("supervisor")
def trainee(enrolment_id: int):
    e = _supervised(enrolment_id)
    page = parse_page(request.args.get("page"))
    rows, has_next = hours.entries(e.id, page)
    return render_template(
        "supervise/trainee.html",
        e=e,
        totals=hours.totals(e),
        entries=rows,
        before_enrolment=hours.before_enrolment(e.user, e, rows),
        page=page,
        has_next=has_next,
        labels=hour_rules.STATUS_LABELS,
        categories={**content.labels("domains"), **hours.categories(e)},
    )


@bp.get("/trainees/<int:enrolment_id>/hours.csv")
@roles("supervisor")
def trainee_csv(enrolment_id: int):
    e = _supervised(enrolment_id)
    return Response(
        stream_with_context(hours.export_rows(e.id)),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=hours-{e.id}.csv"},
    )


@bp.get("/trainees/<int:enrolment_id>/verification.pdf")
@roles("supervisor")
def trainee_pdf(enrolment_id: int):
    e = _supervised(enrolment_id)
    return Response(
        hours.verification_pdf(e, utcnow()),
        mimetype="application/pdf",
        headers={"Content-Disposition": f"attachment; filename=supervised-experience-{e.id}.pdf"},
    )


def _qualification_page(form: QualificationForm, status: int = 200):
    me = _me()
    return render_template(
        "supervise/qualifications.html",
        form=form,
        mine=supervision.of(me.id),
        labels=supervision.labels(),
        rules=supervision.rules_in_words(),
    ), status


def _qualification_form() -> QualificationForm:
    form = QualificationForm()
    form.credential.choices = [("", "Choose…"), *supervision.labels().items()]
    return form


@bp.get("/qualifications")
@roles("supervisor")
def qualifications():
    """The supervisor's credentials, what each program asks of a supervisor, and the form
    to record another."""
    return _qualification_page(_qualification_form())


@bp.post("/qualifications")
@roles("supervisor")
def record_qualification():
    form = _qualification_form()
    upload = request.files.get(form.document.name)
    me = _me()
    saved = save(
        form,
        lambda: supervision.record(
            me,
            supervision.QualificationDraft(
                form.credential.data or "",
                form.number.data or "",
                form.issuer.data or "",
                form.issued_on.data,
                form.expires_on.data,
                bool(form.supervision_training.data),
            ),
            upload.filename or "" if upload else "",
            upload.read() if upload else b"",
            utcnow(),
            hours.local_date(me, utcnow()),
        ),
    )
    if saved is None:
        return _qualification_page(form, 422 if request.method == "POST" else 200)
    flash("Recorded. An administrator checks the document before the credential counts.", "success")
    return redirect(url_for("supervise.qualifications"))


@bp.get("/qualifications/<int:qualification_id>/document")
@roles("supervisor")
def qualification_document(qualification_id: int):
    try:
        row, data = supervision.document_for(_me(), qualification_id)
    except NotFound:
        abort(404)
    return attachment(
        data, row.content_type, f"credential-{row.id}{evidence.EXTENSIONS[row.content_type]}"
    )


def _sessions_page(e, form: SessionForm, status: int = 200):
    me = _me()
    rows = sessions.of(e.id, supervisor_id=me.id)  # never another supervisor's notes
    return session_forms.render_page(e, form, me, rows, "supervisor", status)


def _session_form(e) -> SessionForm:
    form = SessionForm()
    session_forms.choices(form, hours.program_categories(e.program_id), None)
    return form


@bp.get("/trainees/<int:enrolment_id>/sessions")
@roles("supervisor")
def sessions_page(enrolment_id: int):
    """The supervision sessions with one trainee (yours only) and the form to record one."""
    e = _supervised(enrolment_id)
    return _sessions_page(e, _session_form(e))


@bp.post("/trainees/<int:enrolment_id>/sessions")
@roles("supervisor")
def record_session(enrolment_id: int):
    e = _supervised(enrolment_id)
    form = _session_form(e)
    me = _me()
    if save(form, lambda: sessions.record(me, e.id, me.id, form.draft(), utcnow())):
        flash("Recorded. It counts once the trainee confirms it.", "success")
        return redirect(url_for("supervise.sessions_page", enrolment_id=e.id))
    return _sessions_page(e, form, 422)


@bp.post("/sessions/<int:session_id>/confirm")
@roles("supervisor")
def confirm_session(session_id: int):
    return act(
        lambda: sessions.confirm(_me(), session_id, utcnow()),
        safe_target(request.form.get("back"), url_for("supervise.home")),
        "Session confirmed: it now counts.",
    )


def _evaluations_page(e, typed: dict[str, str] | None = None, errors=None, status: int = 200):
    me = _me()
    spec = evaluations.spec_for(e.program_id)
    if spec is None:
        abort(404)
    totals = hours.totals(e)
    rows = evaluations.of(e.id)
    return render_template(
        "evaluations/supervisor.html",
        e=e,
        spec=spec,
        forms=evaluations.forms(e, rows, totals.approved_hours, totals.required_hours),
        competencies=content.labels("competencies"),
        typed=typed or {"signed_name": ""},
        errors=errors or {},
        blocked=supervision.blocked_programs(me.id, [e.program_id], hours.local_date(me, utcnow())),
    ), status


@bp.get("/trainees/<int:enrolment_id>/evaluations")
@roles("supervisor")
def evaluations_page(enrolment_id: int):
    """The program's evaluation forms for one trainee: which are due and signed, and the
    form to sign one."""
    return _evaluations_page(_supervised(enrolment_id))


@bp.post("/trainees/<int:enrolment_id>/evaluations")
@roles("supervisor")
def sign_evaluation(enrolment_id: int):
    e = _supervised(enrolment_id)
    spec = evaluations.spec_for(e.program_id)
    if spec is None:
        abort(404)
    typed = {k: v for k, v in request.form.items() if k != "csrf_token"}
    ratings = {
        c: (typed.get(f"level-{c}", ""), typed.get(f"comment-{c}", "")) for c in spec.competencies
    }
    try:
        evaluations.sign(
            _me(), e.id, typed.get("form", ""), ratings, typed.get("signed_name", ""), utcnow()
        )
    except RuleError as error:
        db.session.rollback()
        problems = getattr(error, "problems", (error,))
        errors = {p.field or "form": p.message for p in problems}
        return _evaluations_page(e, typed, errors, 422)
    db.session.commit()
    flash("Evaluation signed. The trainee is asked to read and acknowledge it.", "success")
    return redirect(url_for("supervise.evaluations_page", enrolment_id=e.id))


@bp.get("/evaluations/<int:evaluation_id>.pdf")
@roles("supervisor")
def evaluation_pdf(evaluation_id: int):
    row = evaluations.for_viewer(_me(), evaluation_id)
    return attachment(evaluations.render_pdf(row), "application/pdf", f"evaluation-{row.id}.pdf")
