"""Health checks for load balancers and monitoring: public, cheap, nothing private.

``/healthz``: the process answers (no database touched).
``/readyz``: 200 when this process can serve (database reachable, schema at the migrations'
head), else 503. The worker's heartbeat and the count of failed messages are in the body;
they do not take a web server out of a load balancer (mail being late is no reason to stop
serving pages), unless the caller asks with ``?require=worker``, as a monitor would.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from trainer.clock import utcnow
from trainer.services import health
from trainer.web.access import public

bp = Blueprint("health", __name__)


def _no_cache(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
@public
def healthz():
    return _no_cache(jsonify(status="ok"))


@bp.get("/readyz")
@public
def readyz():
    ready, report = health.readiness(utcnow())
    require = request.args.get("require", "")
    if require == "worker" and ready:
        ready = report["worker"]["ok"]
    problems = sorted(k for k, v in report.items() if not v["ok"])
    status = "ok" if not problems else ("degraded" if ready else "unavailable")
    body = {"status": status, "checks": report}
    return _no_cache(jsonify(body)), 200 if ready else 503
