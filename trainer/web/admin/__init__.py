"""Running the program: people and roles, the audit log, the outbox."""

from __future__ import annotations

import re
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from wtforms import SelectChoice

from trainer.clock import utcnow
from trainer.domain import outbox as outbox_rules
from trainer.domain.errors import NotAllowed, NotFound
from trainer.extensions import db
from trainer.models import User
from trainer.services import (
    accounts,
    admin,
    certificates,
    content,
    evidence,
    exams,
    health,
    hours,
    itemstats,
    jobs,
    learning,
    outbox,
    work_queue,
)
from trainer.web.access import roles
from trainer.web.admin import credentials  # noqa: F401 (its views join bp)
from trainer.web.admin.blueprint import bp
from trainer.web.admin.forms import (
    AccommodationForm,
    AssignForm,
    AuditFilterForm,
    ReverseForm,
    UserCreateForm,
    UserEditForm,
)
from trainer.web.forms import act, revoke_from_form, save
from trainer.web.inputs import parse_page

PAGE_SIZE = 50


def _page() -> int:
    return parse_page(request.args.get("page"))


def _waiting(person_id: int | None = None) -> work_queue.Counts:
    """What waits for review, counted once per request (the navigation shows it on every
    admin page; a person's page asks for that person's share in the same statement)."""
    held: tuple[int | None, work_queue.Counts] | None = g.get("_admin_waiting")
    if held is None or (person_id is not None and held[0] != person_id):
        held = (person_id, work_queue.counts(person_id))
        g._admin_waiting = held
    return held[1]


@bp.context_processor
def _admin_labels() -> dict[str, object]:
    # functions, so a page that never renders the navigation runs no statement for it
    return {"waiting_counts": _waiting, "document_title": work_queue.document_title}


@bp.get("/")
@roles("admin")
def home():
    summary = admin.overview()
    ops = health.operations()
    return render_template(
        "admin/home.html",
        counts=summary.role_counts,
        recent=summary.recent,
        queue=work_queue.oldest(),
        waiting=_waiting(),
        failed_messages=ops.failed_messages,
        worker_seen=ops.worker_seen,
        now=utcnow(),
        stale_after=current_app.config["WORKER_STALE_SECONDS"],
        ops=ops,
    )


@bp.get("/users")
@roles("admin")
def users():
    q = request.args.get("q", "").strip()[:100]
    role = request.args.get("role", "")
    found = admin.people(q, role, _page())
    return render_template(
        "admin/users.html",
        people=found.items,
        q=q,
        role=role,
        page=found.number,
        has_next=found.has_next,
    )


@bp.route("/users/new", methods=["GET", "POST"])
@roles("admin")
def user_new():
    form = UserCreateForm()
    created = save(
        form,
        lambda: accounts.create_user(
            current_user._get_current_object(),
            form.email.data or "",
            form.legal_name.data or "",
            set(form.roles.data or []),
            form.jurisdiction.data,
            now=utcnow(),
            organisation=form.organisation.data,
        ),
    )
    if created:
        flash(
            f"{created.value.legal_name} was added and e-mailed a link to set a password.",
            "success",
        )
        return redirect(url_for("admin.users"))
    return render_template("admin/user_new.html", form=form)


def _edit_data(user: Any) -> dict[str, Any]:
    """A person's account as the edit form shows it."""
    return {
        "roles": sorted(user.roles),
        "jurisdiction": user.jurisdiction,
        "organisation": user.organisation,
        "active": user.active,
    }


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles("admin")
def user_edit(user_id: int):
    user = admin.person(user_id)
    form = UserEditForm(data=None if request.method == "POST" else _edit_data(user))
    try:
        saved = save(
            form,
            lambda: accounts.update_user(
                current_user._get_current_object(),
                user,
                set(form.roles.data or []),
                form.jurisdiction.data,
                bool(form.active.data),
                form.organisation.data or "",
            ),
        )
    except NotAllowed as error:  # e.g. the last admin taking away their own role
        db.session.rollback()
        form.form_errors.append(str(error))
        saved = None
    if saved:
        flash(f"Saved the changes to {user.legal_name}.", "success")
        return redirect(url_for("admin.users"))
    accommodation_form = AccommodationForm()
    accommodation_form.program.choices = [SelectChoice(p.id, p.title) for p in learning.programs()]
    return _person_page(user, form, accommodation_form)


def _person_page(user: User, form: UserEditForm, accommodation: AccommodationForm) -> str:
    """A person's page: account, what of theirs waits for review, exam accommodations."""
    return render_template(
        "admin/user_edit.html",
        form=form,
        person=user,
        waiting=_waiting(user.id),
        waiting_items=work_queue.oldest(person_id=user.id),
        now=utcnow(),
        accommodation=accommodation,
        accommodations=exams.accommodations(user),
    )


@bp.get("/audit")
@roles("admin")
def audit_log():
    form = AuditFilterForm(request.args)
    page = _page()
    if form.validate():
        found = admin.audit_events(
            admin.AuditFilter(
                actor_email=form.actor.data,
                action_prefix=form.action.data,
                date_from=form.date_from.data,
                date_to=form.date_to.data,
                zone=current_user.timezone,
            ),
            page,
        )
    else:  # the form shows what is wrong; no events match a filter that makes no sense
        found = admin.Page(items=[], number=page, has_next=False)
    filters = {k: v for k, v in request.args.items() if k != "page"}
    return render_template(
        "admin/audit.html",
        form=form,
        events=found.items,
        page=found.number,
        has_next=found.has_next,
        filters=filters,
    )


_ONE_TIME_LINK = re.compile(r"(/(?:reset|confirm)/)[A-Za-z0-9_\-]+")


@bp.app_template_filter("hide_one_time_links")
def hide_one_time_links(body: str) -> str:
    """Admins read messages to see what was said, not to use someone's password or
    confirmation link: the token in such a link is not shown."""
    return _ONE_TIME_LINK.sub(r"\1(link hidden)", body)


@bp.get("/outbox")
@roles("admin")
def outbox_page():
    """Every message and its delivery state; failed ones can be queued again."""
    now = utcnow()
    state = request.args.get("state", "")
    if state and state not in outbox_rules.STATES:
        abort(404)
    found = admin.messages(state, now, _page())
    return render_template(
        "admin/outbox.html",
        messages=[
            (m, outbox_rules.display_state(m.status, m.attempts, m.locked_until, now))
            for m in found.items
        ],
        counts=outbox.counts(now),
        states=outbox_rules.STATES,
        state=state,
        jobs=jobs.last_runs(),
        worker_seen=health.last_heartbeat(),
        smtp=bool(current_app.config.get("SMTP_URL")),
        page=found.number,
        has_next=found.has_next,
    )


@bp.post("/outbox/<int:message_id>/retry")
@roles("admin")
def outbox_retry(message_id: int):
    return act(
        lambda: outbox.retry(current_user._get_current_object(), message_id, utcnow()),
        url_for("admin.outbox_page", state="failed"),
        lambda m: f"The message to {m.to} is queued again.",
    )


@bp.post("/outbox/retry-failed")
@roles("admin")
def outbox_retry_failed():
    return act(
        lambda: outbox.retry_all_failed(current_user._get_current_object(), utcnow()),
        url_for("admin.outbox_page"),
        lambda n: f"{n} failed message{'' if n == 1 else 's'} queued again.",
    )


def _report():
    program_id = request.args.get("program", "")
    module_id = request.args.get("module", "")
    if program_id:
        learning.get_program(program_id)
        return itemstats.exam_report(program_id)
    if module_id:
        learning.get_module(module_id)
        return itemstats.quiz_report(module_id)
    return None


@bp.get("/item-statistics")
@roles("admin")
def item_statistics():
    """Moodle-style quiz statistics per exam or module quiz, with flags for weak items."""
    report = _report()
    return render_template(
        "admin/item_statistics.html",
        report=report,
        choices=itemstats.choices_for_reports(),
        program=request.args.get("program", ""),
        module=request.args.get("module", ""),
    )


@bp.get("/item-statistics.csv")
@roles("admin")
def item_statistics_csv():
    report = _report()
    if report is None:
        abort(400, description="Choose a program (?program=ID) or a module (?module=ID).")
    name = request.args.get("program") or request.args.get("module") or "report"
    return Response(
        itemstats.to_csv(report),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=item-stats-{name}.csv"},
    )


@bp.route("/users/<int:user_id>/accommodation", methods=["POST"])
@roles("admin")
def accommodation(user_id: int):
    """Grant extended exam time to a person for one program (recorded and audited)."""
    user = admin.person(user_id)
    form = AccommodationForm()
    form.program.choices = [SelectChoice(p.id, p.title) for p in learning.programs()]
    granted = save(
        form,
        lambda: exams.grant_accommodation(
            current_user._get_current_object(),
            user,
            form.program.data or "",
            float(form.multiplier.data or 0),
            form.reason.data or "",
        ),
    )
    if granted:
        flash(f"Extended time recorded for {user.legal_name}.", "success")
        return redirect(url_for("admin.user_edit", user_id=user.id))
    edit = UserEditForm(data=_edit_data(user))
    return _person_page(user, edit, form)


def _supervision_page(assign: AssignForm | None = None, reverse: ReverseForm | None = None):
    assign = assign or AssignForm(prefix="assign")
    assign.program.choices = [SelectChoice(p.id, p.title) for p in learning.programs()]
    return render_template(
        "admin/supervision.html",
        assign=assign,
        reverse=reverse or ReverseForm(prefix="reverse"),
        links=admin.live_supervision_links(_page()),
    )


@bp.get("/supervision")
@roles("admin")
def supervision():
    return _supervision_page()


@bp.post("/supervision/assign")
@roles("admin")
def supervision_assign():
    form = AssignForm(prefix="assign")
    form.program.choices = [SelectChoice(p.id, p.title) for p in learning.programs()]
    assigned = save(
        form,
        lambda: hours.assign(
            current_user._get_current_object(),
            form.trainee_email.data or "",
            form.program.data or "",
            form.supervisor_email.data or "",
            utcnow(),
        ),
    )
    if assigned:
        flash("Supervisor assigned.", "success")
        return redirect(url_for("admin.supervision"))
    return _supervision_page(assign=form)


@bp.post("/supervision/<int:link_id>/end")
@roles("admin")
def supervision_end(link_id: int):
    return act(
        lambda: hours.end_link(current_user._get_current_object(), link_id, utcnow()),
        url_for("admin.supervision"),
        "Supervision ended. Entries already approved stay approved.",
    )


@bp.post("/supervision/reverse")
@roles("admin")
def supervision_reverse():
    form = ReverseForm(prefix="reverse")
    try:
        reversal = save(
            form,
            lambda: hours.reverse(
                current_user._get_current_object(),
                form.entry_id.data or 0,
                form.reason.data or "",
                utcnow(),
            ),
        )
    except NotFound:
        db.session.rollback()
        form.entry_id.errors = [*form.entry_id.errors, "No entry has that number."]
        reversal = None
    if reversal:
        flash(
            f"Entry {form.entry_id.data} is corrected by reversing entry {reversal.value.id}.",
            "success",
        )
        return redirect(url_for("admin.supervision"))
    return _supervision_page(reverse=form)


@bp.get("/certificates")
@roles("admin")
def certificates_page():
    """Certificates waiting for review, documents to check, revocation, recent issues."""
    return render_template(
        "admin/certificates.html",
        waiting=admin.certificates_for_review(),
        recent=admin.issued(_page()),
        documents=work_queue.documents(),
        ce=work_queue.continuing_education(),
        ce_topics=content.labels("topics"),
        now=utcnow(),
    )


@bp.post("/certificates/<int:certificate_id>/approve")
@roles("admin")
def certificate_approve(certificate_id: int):
    return act(
        lambda: certificates.approve_review(
            current_user._get_current_object(), certificate_id, utcnow()
        ),
        url_for("admin.certificates_page"),
        lambda cert: f"Certificate {cert.number} issued.",
    )


@bp.post("/documents/<int:document_id>/decide")
@roles("admin")
def document_decide(document_id: int):
    approve = request.form.get("decision") == "approve"
    return act(
        lambda: evidence.decide_document(
            current_user._get_current_object(),
            document_id,
            approve,
            request.form.get("reason", ""),
            utcnow(),
        ),
        url_for("admin.certificates_page"),
        "Document approved." if approve else "Document rejected.",
    )


@bp.post("/certificates/revoke")
@roles("admin")
def certificate_revoke():
    return revoke_from_form(url_for("admin.certificates_page"), "No certificate has the number")


@bp.post("/ce/<int:entry_id>/decide")
@roles("admin")
def ce_decide(entry_id: int):
    """Approve or reject continuing education; approval can renew the certificate."""
    return act(
        lambda: certificates.decide_ce(
            current_user._get_current_object(),
            entry_id,
            request.form.get("decision") == "approve",
            utcnow(),
        ),
        url_for("admin.certificates_page"),
        "Continuing education decided.",
    )
