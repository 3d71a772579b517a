"""Continuing-education audits: the board's pages under /board/audits (its own jurisdiction
only: another's audit is a 404) and the selected holder's under /audits.

Reads and rules are ``services.ce_audits``; every start, decision, outcome, close and
evidence download is an audit event there, and the board's ones show in its activity.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import SelectChoice

from trainer.clock import utcnow
from trainer.services import ce_audits, evidence, registry
from trainer.web.access import roles
from trainer.web.audits.forms import DecisionForm, NoteForm, OutcomeForm, StartForm, UploadForm
from trainer.web.files import attachment
from trainer.web.forms import act, save, writes_on_read

bp = Blueprint("audits", __name__)


def _me() -> Any:
    return current_user._get_current_object()


def _jurisdiction() -> str:
    return str(current_user.jurisdiction)


# -- the board -------------------------------------------------------------------------------


@bp.get("/board/audits")
@roles("board")
def board_audits():
    """This board's audits, the newest first."""
    listed = ce_audits.audits(_jurisdiction(), utcnow())
    return render_template("audits/board_list.html", audits=listed)


def _start_page(form: StartForm, status: int = 200) -> Any:
    programs = registry.programs(_jurisdiction())
    form.program.choices = [SelectChoice("", "Every program")] + [
        SelectChoice(k, v) for k, v in programs.items()
    ]
    return render_template("audits/board_new.html", form=form), status


@bp.get("/board/audits/new")
@roles("board")
def board_new():
    return _start_page(StartForm(formdata=None))


@bp.post("/board/audits/new")
@roles("board")
def board_start():
    """Start an audit: the sample is drawn and each selected holder asked for evidence."""
    form = StartForm()
    saved = save(
        form,
        lambda: ce_audits.start(
            _me(),
            form.program.data or None,
            form.renewed_from.data,
            form.renewed_to.data,
            form.percent.data,
            form.due_on.data,
            utcnow(),
        ),
    )
    if saved is None:
        return _start_page(form, 400)
    flash("The audit has started; each selected holder was asked for evidence.", "success")
    return redirect(url_for("audits.board_audit", audit_id=saved.value.id))


@bp.get("/board/audits/<int:audit_id>")
@roles("board")
def board_audit(audit_id: int):
    """One audit: its facts, the sample with each holder's progress, and the close."""
    page = ce_audits.audit_page(_jurisdiction(), audit_id, utcnow())
    return render_template("audits/board_audit.html", page=page)


def _holder_page(
    audit_id: int,
    holder_id: int,
    failed: dict[int, DecisionForm] | None = None,
    outcome: OutcomeForm | None = None,
    status: int = 200,
) -> Any:
    page = ce_audits.holder_review(_jurisdiction(), audit_id, holder_id, utcnow())
    forms = {
        i.id: (failed or {}).get(i.id)
        or DecisionForm(formdata=None, prefix=f"item{i.id}", decision=i.decision, reason=i.reason)
        for i in page.items
    }
    h = page.holder
    if outcome is None:
        outcome = OutcomeForm(
            formdata=None, outcome=h.outcome, text=h.outcome_text, until=h.outcome_until
        )
    return render_template(
        "audits/board_holder.html", page=page, forms=forms, outcome=outcome
    ), status


@bp.get("/board/audits/<int:audit_id>/holders/<int:holder_id>")
@roles("board")
def board_holder(audit_id: int, holder_id: int):
    """One selected holder: each CE entry's evidence and the board's decision on it."""
    return _holder_page(audit_id, holder_id)


@bp.post("/board/audits/<int:audit_id>/holders/<int:holder_id>/items/<int:item_id>")
@roles("board")
def board_decide(audit_id: int, holder_id: int, item_id: int):
    form = DecisionForm(prefix=f"item{item_id}")
    saved = save(
        form,
        lambda: ce_audits.decide(
            _me(), audit_id, holder_id, item_id, form.decision.data, form.reason.data, utcnow()
        ),
    )
    if saved is None:
        return _holder_page(audit_id, holder_id, failed={item_id: form}, status=400)
    flash("Decision recorded.", "success")
    back = url_for("audits.board_holder", audit_id=audit_id, holder_id=holder_id)
    return redirect(f"{back}#item-{item_id}")


@bp.post("/board/audits/<int:audit_id>/holders/<int:holder_id>/outcome")
@roles("board")
def board_outcome(audit_id: int, holder_id: int):
    form = OutcomeForm()
    saved = save(
        form,
        lambda: ce_audits.choose_outcome(
            _me(),
            audit_id,
            holder_id,
            form.outcome.data,
            form.text.data,
            form.until.data,
            utcnow(),
        ),  # fmt: skip
    )
    if saved is None:
        return _holder_page(audit_id, holder_id, outcome=form, status=400)
    flash("Outcome recorded; it takes effect when the audit is closed.", "success")
    return redirect(url_for("audits.board_audit", audit_id=audit_id))


@bp.get("/board/audits/<int:audit_id>/items/<int:item_id>/evidence")
@roles("board")
@writes_on_read
def board_evidence(audit_id: int, item_id: int):
    """A holder's evidence file (the download is recorded)."""
    name, mimetype, data = ce_audits.board_file(_me(), audit_id, item_id)
    return attachment(data, mimetype, name)


@bp.post("/board/audits/<int:audit_id>/close")
@roles("board")
def board_close(audit_id: int):
    """Close the audit: results recorded, outcomes applied."""
    return act(
        lambda: ce_audits.close(_me(), audit_id, utcnow()),
        url_for("audits.board_audit", audit_id=audit_id),
        lambda row: f"The audit is closed: {row.result}.",
    )


# -- the selected holder ---------------------------------------------------------------------


@bp.get("/audits/")
@roles("trainee")
def requests():
    """The holder's audit requests."""
    return render_template("audits/requests.html", rows=ce_audits.requests_of(_me(), utcnow()))


def _request_page(
    holder_id: int,
    uploads: dict[int, UploadForm] | None = None,
    notes: dict[int, NoteForm] | None = None,
    status: int = 200,
) -> Any:
    page = ce_audits.request_of(_me(), holder_id, utcnow())
    upload_forms = {
        i.id: (uploads or {}).get(i.id) or UploadForm(formdata=None, prefix=f"file{i.id}")
        for i in page.items
    }
    note_forms = {
        i.id: (notes or {}).get(i.id) or NoteForm(formdata=None, prefix=f"note{i.id}", note=i.note)
        for i in page.items
    }
    return render_template(
        "audits/request.html", page=page, uploads=upload_forms, notes=note_forms
    ), status


@bp.get("/audits/<int:holder_id>", endpoint="request")
@roles("trainee")
def request_page(holder_id: int):
    """One audit request: upload evidence for each entry, then submit it."""
    return _request_page(holder_id)


@bp.post("/audits/<int:holder_id>/items/<int:item_id>/evidence")
@roles("trainee")
def upload(holder_id: int, item_id: int):
    form = UploadForm(prefix=f"file{item_id}")
    file = form.file.data

    def store() -> Any:
        data = file.read(evidence.MAX_UPLOAD + 1) if file else b""
        return ce_audits.upload(_me(), holder_id, item_id, data, utcnow())

    if save(form, store) is None:
        return _request_page(holder_id, uploads={item_id: form}, status=400)
    flash("Evidence uploaded.", "success")
    return redirect(url_for("audits.request", holder_id=holder_id) + f"#item-{item_id}")


@bp.post("/audits/<int:holder_id>/items/<int:item_id>/note")
@roles("trainee")
def note(holder_id: int, item_id: int):
    form = NoteForm(prefix=f"note{item_id}")
    saved = save(
        form,
        lambda: ce_audits.save_note(_me(), holder_id, item_id, form.note.data or "", utcnow()),
    )
    if saved is None:
        return _request_page(holder_id, notes={item_id: form}, status=400)
    flash("Note saved." if saved.value.note else "Note removed.", "success")
    return redirect(url_for("audits.request", holder_id=holder_id) + f"#item-{item_id}")


@bp.post("/audits/<int:holder_id>/submit")
@roles("trainee")
def submit(holder_id: int):
    return act(
        lambda: ce_audits.submit(_me(), holder_id, utcnow()),
        url_for("audits.request", holder_id=holder_id),
        "Submitted. The board reviews your evidence and tells you its decision by e-mail.",
    )


@bp.get("/audits/<int:holder_id>/items/<int:item_id>/evidence")
@roles("trainee")
def evidence_file(holder_id: int, item_id: int):
    name, mimetype, data = ce_audits.holder_file(_me(), holder_id, item_id)
    return attachment(data, mimetype, name)
