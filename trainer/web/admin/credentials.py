"""The administrator's pages on supervisors' credentials: what waits to be verified, the
decision, and the document."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_login import current_user

from trainer.clock import utcnow
from trainer.services import evidence
from trainer.services import supervision as supervisors
from trainer.web.access import roles
from trainer.web.admin.blueprint import bp
from trainer.web.files import attachment
from trainer.web.forms import act


@bp.get("/qualifications")
@roles("admin")
def qualifications():
    """Supervisors' credentials waiting to be checked against their documents."""
    return render_template(
        "admin/qualifications.html",
        waiting=supervisors.waiting(),
        labels=supervisors.labels(),
        rules=supervisors.rules_in_words(),
    )


@bp.post("/qualifications/<int:qualification_id>/decide")
@roles("admin")
def qualification_decide(qualification_id: int):
    approve = request.form.get("decision") == "approve"
    return act(
        lambda: supervisors.decide(
            current_user._get_current_object(),
            qualification_id,
            approve,
            request.form.get("reason", ""),
            utcnow(),
        ),
        url_for("admin.qualifications"),
        "Credential verified." if approve else "Credential not accepted.",
    )


@bp.get("/qualifications/<int:qualification_id>/document")
@roles("admin")
def qualification_document(qualification_id: int):
    row, data = supervisors.document_for(current_user._get_current_object(), qualification_id)
    return attachment(
        data, row.content_type, f"credential-{row.id}{evidence.EXTENSIONS[row.content_type]}"
    )
