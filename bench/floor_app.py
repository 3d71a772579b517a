"""The bench server: the real app plus one bare route, the floor every page is compared with.

    TRAINER_BENCH=1 gunicorn -w 2 'bench.floor_app:create_app()'

``/_bench/floor`` renders a one-line template through the same app (the same before- and
after-request hooks, security headers and access check), so "page throughput / floor
throughput" measures what a page adds. This module is never part of the production app:
it refuses to build unless TRAINER_BENCH=1, and rate limits are off (load comes from one
loopback address).
"""

from __future__ import annotations

import os
from typing import Any

FLOOR = "<!doctype html><title>floor</title><p>{{ message }}</p>"


def create_app() -> Any:
    """The gunicorn entry point."""
    if os.environ.get("TRAINER_BENCH") != "1":
        raise RuntimeError("bench.floor_app is for benchmarks only: set TRAINER_BENCH=1")
    return build({})


def build(config: dict[str, Any]) -> Any:
    """trainer.create_app(config) with rate limits off, plus the floor route."""
    from flask import render_template_string

    from trainer import create_app as create_trainer_app
    from trainer.web.access import public

    # the bench's admin and board sessions measure pages, not the two-factor set-up
    app = create_trainer_app(
        {"TWO_FACTOR_REQUIRED_ROLES": (), **config, "RATELIMIT_ENABLED": False}
    )

    @public
    def floor() -> str:
        return render_template_string(FLOOR, message="floor")

    app.add_url_rule("/_bench/floor", "bench_floor", floor)
    return app
