"""The bare-Flask floor: a Flask app that is not trainer, one route rendering a one-line
template, served by the same gunicorn settings as the bench server.

    gunicorn -w 2 'bench.bare_app:create_app()'

"page throughput / bare throughput" says what trainer costs on top of Flask itself: its
hooks, the session and sign-in, the database and the page. (``bench.floor_app`` is the other
floor: trainer's own app with a one-line route, which says what the page alone adds.)
"""

from __future__ import annotations

from typing import Any

from bench.floor_app import FLOOR


def create_app() -> Any:
    from flask import Flask, render_template_string

    app = Flask("bare")

    @app.get("/_bench/floor")
    def floor() -> str:
        return render_template_string(FLOOR, message="floor")

    return app
