"""The board's side: the registry of certificates in the member's jurisdiction."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from trainer.extensions import db
from trainer.models import Certificate
from trainer.models.base import utcnow
from trainer.web.access import roles
from trainer.web.forms import revoke_from_form

bp = Blueprint("board", __name__, url_prefix="/board")


@bp.get("/")
@roles("board")
def home():
    """The latest certificates of the member's own jurisdiction (the full registry search is
    the board portal's work)."""
    recent = db.session.scalars(
        select(Certificate)
        .where(
            Certificate.jurisdiction == current_user.jurisdiction, Certificate.number.is_not(None)
        )
        .order_by(Certificate.id.desc())
        .limit(50)
    ).all()
    return render_template("board/home.html", recent=recent, now=utcnow())


@bp.post("/revoke")
@roles("board")
def revoke():
    """Revoke a certificate of this board's jurisdiction, with a reason (audited)."""
    return revoke_from_form(
        url_for("board.home"), "No certificate of your jurisdiction has the number"
    )
