"""Every endpoint declares who may use it, and the declaration is what happens."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from trainer.domain.roles import ROLES
from trainer.web.access import declared

SAMPLE_ARGS = {"int": "1", "default": "x", "string": "x", "path": "x"}


def _endpoints(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, method, sample url) for every route."""
    out = []
    for rule in app.url_map.iter_rules():
        url = re.sub(
            r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>",
            lambda m: SAMPLE_ARGS.get(m.group(1) or "default", "x"),
            rule.rule,
        )
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            out.append((rule.endpoint, method, url))
    return out


def test_every_endpoint_declares_its_access(app: Flask) -> None:
    missing = sorted({e for e, _, _ in _endpoints(app) if declared(app, e) is None})
    assert not missing, f"endpoints without @public/@signed_in/@roles: {missing}"


def _as(client: Any, user: Any) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


@pytest.mark.parametrize("who", ["anonymous", *ROLES])
def test_access_matrix(app: Flask, make_user: Any, who: str) -> None:
    """Requests every endpoint as ``who``: allowed ones never answer 401/403, denied ones do
    (anonymous visitors of HTML pages are sent to sign in instead). Registry API endpoints
    answer 401 to everyone without an API token, signed-in or not."""
    user = None if who == "anonymous" else make_user(who)
    failures = []
    # signing out ends every session of the account: do it last
    for endpoint, method, url in sorted(_endpoints(app), key=lambda e: e[0] == "auth.logout"):
        if endpoint == "static":
            continue
        client = app.test_client()
        if user is not None:
            _as(client, user)
        response = client.open(url, method=method, data={})
        access = declared(app, endpoint)
        assert access is not None
        allowed = access.kind == "public" or (
            user is not None and (access.kind == "signed_in" or who in access.roles)
        )
        status = response.status_code
        if access.kind == "token":  # API-token endpoints ignore the session cookie
            ok = status == 401 and response.is_json
        elif allowed:
            ok = status not in (401, 403) and status < 500
        elif user is None and not url.startswith("/api/"):
            ok = status == 302 and "/login" in response.headers["Location"]
        elif user is None:
            ok = status == 401
        else:
            ok = status == 403
        if not ok:
            failures.append(f"{method} {url} ({endpoint}) as {who}: {status}, allowed={allowed}")
    assert not failures, "\n".join(failures)
