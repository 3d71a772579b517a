"""The board's side: the registry of certificates in the member's jurisdiction."""

from __future__ import annotations

from flask import Blueprint, render_template

from trainer.web.access import roles

bp = Blueprint("board", __name__, url_prefix="/board")


@bp.get("/")
@roles("board")
def home():
    return render_template("board/home.html")
