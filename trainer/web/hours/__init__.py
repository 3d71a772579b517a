"""The trainee's supervised hours: supervisors, logging, status, totals, exports."""

from __future__ import annotations

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
from wtforms import SelectChoice

from trainer.clock import utcnow
from trainer.domain import hours as hour_rules
from trainer.domain.errors import NotAllowed, RuleError
from trainer.domain.statuses import LinkStatus
from trainer.extensions import db
from trainer.services import content, evaluations, hours, learning, sessions, supervision
from trainer.web import session_forms
from trainer.web.access import roles
from trainer.web.files import attachment
from trainer.web.forms import act, save, show_rule_error
from trainer.web.hours.forms import HourEntryForm, InviteForm
from trainer.web.inputs import parse_page, safe_target
from trainer.web.session_forms import SessionForm

bp = Blueprint("hours", __name__, url_prefix="/hours")


def _me():
    return current_user._get_current_object()


def _enrolment(enrolment_id: int):
    return hours.trainee_enrolment(_me(), enrolment_id)


def _page() -> int:
    return parse_page(request.args.get("page"))


@bp.get("/")
@roles("trainee")
def home():
    enrolments = learning.enrolments(_me())
    if len(enrolments) == 1:
        return redirect(url_for("hours.enrolment", enrolment_id=enrolments[0].id))
    return render_template("hours/home.html", enrolments=enrolments)


def _category_labels(e) -> dict[str, str]:
    """The program's categories with their labels, and any other domain's label (an entry
    logged under a category a later release dropped still reads as words)."""
    return {**content.labels("domains"), **hours.categories(e)}


def _enrolment_page(e, invite: InviteForm, page: int = 1):
    me = _me()
    rows, has_next = hours.entries(e.id, page)
    links = hours.links(e.id)
    return render_template(
        "hours/enrolment.html",
        e=e,
        totals=hours.totals(e),
        links=links,
        active=[link for link in links if link.status == LinkStatus.ACTIVE],
        cannot_sign=supervision.standings(
            [link.supervisor_id for link in links if link.status == LinkStatus.ACTIVE],
            e.program_id,
            hours.local_date(me, utcnow()),
        ),
        invited=[link for link in links if link.status == LinkStatus.INVITED],
        entries=rows,
        before_enrolment=hours.before_enrolment(me, e, rows),
        page=page,
        has_next=has_next,
        invite=invite,
        labels=hour_rules.STATUS_LABELS,
        categories=_category_labels(e),
        settings=content.labels("settings"),
    )


@bp.get("/<int:enrolment_id>")
@roles("trainee")
def enrolment(enrolment_id: int):
    return _enrolment_page(_enrolment(enrolment_id), InviteForm(), _page())


@bp.post("/<int:enrolment_id>/supervisors")
@roles("trainee")
def invite(enrolment_id: int):
    e = _enrolment(enrolment_id)
    form = InviteForm()
    if save(form, lambda: hours.invite_supervisor(_me(), e.id, form.email.data or "", utcnow())):
        flash("Invitation sent. Your supervisor accepts it on their supervision page.", "success")
        return redirect(url_for("hours.enrolment", enrolment_id=e.id))
    return _enrolment_page(e, form)


def _entry_form(e, links, obj=None):
    form = HourEntryForm(obj=obj)
    form.category.choices = [SelectChoice(k, v) for k, v in hours.categories(e).items()]
    form.setting.choices = [SelectChoice(k, v) for k, v in content.labels("settings").items()]
    form.supervisor.choices = [
        SelectChoice(link.supervisor.id, link.supervisor.legal_name)
        for link in links
        if link.status == LinkStatus.ACTIVE
    ]
    return form


def _no_supervisor(links) -> str:
    """Why hours cannot be logged yet, and what to do about it."""
    waiting = [link.supervisor for link in links if link.status == LinkStatus.INVITED]
    if not waiting:
        return "Add a supervisor first: they sign off your hours."
    who = " or ".join(f"{s.legal_name} ({s.email})" for s in waiting)
    return (
        f"Your invitation is not accepted yet: you can log hours once {who} accepts it "
        "on their supervision page."
    )


def _save_entry(form: HourEntryForm, e, action, entry_id: int | None = None) -> bool:
    """Check the submitted form and the hour rules together, so that one submit shows
    every problem beside its field; if there is none, run ``action`` (the service call)
    and commit. False: render the form again, with what was typed and the errors."""
    if not form.is_submitted():
        return False
    if not form.validate():
        # the rules' view of the fields the form itself found nothing wrong with
        for problem in hours.entry_problems(_me(), e.id, _entry_data(form), utcnow(), entry_id):
            _show(form, problem)
        return False
    try:
        action()
    except RuleError as error:
        db.session.rollback()
        for problem in getattr(error, "problems", (error,)):
            _show(form, problem)
        return False
    db.session.commit()
    return True


def _show(form: HourEntryForm, problem: RuleError) -> None:
    """A rule's error beside its field, unless the form already said what is wrong there
    (one message per field: "Not a valid date" and "Enter the date" say the same)."""
    field = getattr(form, problem.field, None) if problem.field else None
    if field is None or not field.errors:
        show_rule_error(form, problem)


def _entry_data(form: HourEntryForm) -> hours.EntrySubmission:
    return hours.EntrySubmission(
        form.work_date.data,
        form.hours.data or "",
        form.category.data or "",
        form.setting.data or "",
        form.kind.data or "",
        form.description.data or "",
        form.supervisor.data or 0,
    )


@bp.route("/<int:enrolment_id>/new", methods=["GET", "POST"])
@roles("trainee")
def new(enrolment_id: int):
    me, e = _me(), _enrolment(enrolment_id)
    links = hours.links(e.id)
    form = _entry_form(e, links)
    if not form.supervisor.choices:
        flash(_no_supervisor(links), "warning")
        return redirect(url_for("hours.enrolment", enrolment_id=e.id, _anchor="supervisors"))
    if request.method == "GET":  # most hours are logged the day they are worked
        form.work_date.data = hours.local_date(me, utcnow())
    if _save_entry(form, e, lambda: hours.log_entry(me, e.id, _entry_data(form), utcnow())):
        flash("Saved. Your supervisor will review the entry.", "success")
        return redirect(url_for("hours.enrolment", enrolment_id=e.id))
    return render_template("hours/entry_form.html", form=form, e=e, entry=None)


@bp.route("/entries/<int:entry_id>/edit", methods=["GET", "POST"])
@roles("trainee")
def edit(entry_id: int):
    me = _me()
    entry = hours.own_entry(me, entry_id)
    e = _enrolment(entry.enrolment_id)
    if entry.status not in (hour_rules.PENDING, hour_rules.RETURNED):
        abort(409, description="This entry was decided and can no longer be changed.")
    form = _entry_form(
        e, hours.links(e.id), obj=None if request.method == "POST" else _prefill(entry)
    )
    try:
        saved = _save_entry(
            form, e, lambda: hours.edit_entry(me, entry.id, _entry_data(form), utcnow()), entry.id
        )
    except NotAllowed as error:  # decided while the trainee was editing
        db.session.rollback()
        abort(409, description=str(error))
    if saved:
        flash("Saved. The entry is pending again.", "success")
        return redirect(url_for("hours.enrolment", enrolment_id=e.id))
    return render_template("hours/entry_form.html", form=form, e=e, entry=entry)


def _prefill(entry):
    class Obj:
        work_date = entry.work_date
        hours = f"{entry.minutes / 60:g}"
        category = entry.category
        setting = entry.setting
        kind = entry.kind
        supervisor = entry.supervisor_id
        description = entry.description

    return Obj()


@bp.post("/entries/<int:entry_id>/withdraw")
@roles("trainee")
def withdraw(entry_id: int):
    try:
        entry = hours.withdraw_entry(_me(), entry_id, utcnow())
    except NotAllowed as error:
        db.session.rollback()
        abort(409, description=str(error))
    db.session.commit()
    flash("The entry is withdrawn.", "info")
    return redirect(url_for("hours.enrolment", enrolment_id=entry.enrolment_id))


@bp.get("/<int:enrolment_id>/hours.csv")
@roles("trainee")
def export_csv(enrolment_id: int):
    e = _enrolment(enrolment_id)
    return Response(
        stream_with_context(hours.export_rows(e.id)),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=hours-{e.program_id}.csv"},
    )


@bp.get("/<int:enrolment_id>/verification.pdf")
@roles("trainee")
def verification(enrolment_id: int):
    e = _enrolment(enrolment_id)
    data = hours.verification_pdf(e, utcnow())
    return Response(
        data,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f"attachment; filename=supervised-experience-{e.program_id}.pdf"
        },
    )


def _sessions_page(e, form: SessionForm, status: int = 200):
    return session_forms.render_page(e, form, _me(), sessions.of(e.id), "trainee", status)


def _session_form(e) -> SessionForm:
    form = SessionForm()
    session_forms.choices(form, hours.categories(e), sessions.supervisors_of(e.id))
    return form


@bp.get("/<int:enrolment_id>/sessions")
@roles("trainee")
def sessions_page(enrolment_id: int):
    """Supervision sessions with the trainee's supervisors: to confirm, confirmed, and the
    program's cadence month by month; the form to record one."""
    e = _enrolment(enrolment_id)
    return _sessions_page(e, _session_form(e))


@bp.post("/<int:enrolment_id>/sessions")
@roles("trainee")
def record_session(enrolment_id: int):
    e = _enrolment(enrolment_id)
    form = _session_form(e)
    if save(
        form, lambda: sessions.record(_me(), e.id, form.supervisor.data, form.draft(), utcnow())
    ):
        flash("Recorded. It counts once your supervisor confirms it.", "success")
        return redirect(url_for("hours.sessions_page", enrolment_id=e.id))
    return _sessions_page(e, form, 422)


@bp.post("/sessions/<int:session_id>/confirm")
@roles("trainee")
def confirm_session(session_id: int):
    return act(
        lambda: sessions.confirm(_me(), session_id, utcnow()),
        safe_target(request.form.get("back"), url_for("hours.home")),
        "Session confirmed: it now counts.",
    )


@bp.get("/<int:enrolment_id>/evaluations")
@roles("trainee")
def evaluations_list(enrolment_id: int):
    """The trainee's competency evaluations: the latest of each form, newest first."""
    e = _enrolment(enrolment_id)
    rows = evaluations.of(e.id)
    if rows:
        return redirect(url_for("hours.evaluation", evaluation_id=rows[0].id))
    flash("No evaluation has been signed yet.", "info")
    return redirect(url_for("hours.enrolment", enrolment_id=e.id))


@bp.get("/evaluations/<int:evaluation_id>")
@roles("trainee")
def evaluation(evaluation_id: int):
    """A signed evaluation, to read and acknowledge."""
    row = evaluations.for_viewer(_me(), evaluation_id)
    e = hours.trainee_enrolment(_me(), row.enrolment_id)
    spec = evaluations.spec_for(e.program_id)
    if spec is None:
        abort(404)
    return render_template(
        "evaluations/trainee.html",
        ev=row,
        spec=spec,
        scale=dict(spec.scale),
        title=f"{evaluations.form_title(spec, row.form_id)} by {row.supervisor.legal_name}",
        competencies=content.labels("competencies"),
    )


@bp.post("/evaluations/<int:evaluation_id>/acknowledge")
@roles("trainee")
def acknowledge_evaluation(evaluation_id: int):
    return act(
        lambda: evaluations.acknowledge(
            _me(), evaluation_id, request.form.get("response", ""), utcnow()
        ),
        url_for("hours.evaluation", evaluation_id=evaluation_id),
        "Acknowledged. Your supervisor sees that you have read it.",
    )


@bp.get("/evaluations/<int:evaluation_id>.pdf")
@roles("trainee")
def evaluation_pdf(evaluation_id: int):
    row = evaluations.for_viewer(_me(), evaluation_id)
    return attachment(evaluations.render_pdf(row), "application/pdf", f"evaluation-{row.id}.pdf")
