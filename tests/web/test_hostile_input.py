"""Every route, every role, every form field, with hostile input: never a server error, and
nothing written when the request is refused.

The routes come from ``url_map`` and the forms from the pages each role can open, so a new
route or form joins this test on its own (like the access matrix).
"""

from __future__ import annotations

import hashlib
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from tests.support.certificates import TEST_PROG_HOURS, approve, everything_but_hours, log_hours
from trainer.domain.roles import ROLES
from trainer.extensions import db

#: Values for an integer in a URL: zero, negative, past 32 and 64 bits, non-ASCII digits.
BAD_INTS = ["0", "-1", str(2**31), str(2**63), str(10**20), "٣", "１２", "1e3"]
#: Values for a text segment of a URL.
BAD_STRINGS = ["x" * 3000, "\u202eevil", "<script>alert(1)</script>", "%2e%2e%2f", "٣"]
#: Values typed into form fields.
HOSTILE = [
    "",
    "A" * 100_000,
    "a\x00b",
    "\u202eRTL override",
    "<script>alert(1)</script>",
    "0001-01-01",
    "9999-12-31",
    "٣",
    str(2**31),
    str(2**63),
    "-1",
    "1e309",
    "nan",
    "' OR 1=1 --",
]
#: Tables that change whenever anyone does anything, refused or not.
VOLATILE = {"audit_events"}


class _Forms(HTMLParser):
    """The forms of a page: action, method and each field's name and a plausible value."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attrs_list}
        if tag == "form":
            self.forms.append(
                {
                    "action": attrs.get("action", ""),
                    "method": attrs.get("method", "get").lower(),
                    "fields": {},
                    "files": False,
                }
            )
            return
        if not self.forms:
            return
        form = self.forms[-1]
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind == "file":
                form["files"] = True
            elif kind in ("checkbox", "radio"):
                form["fields"].setdefault(name, attrs.get("value", "on"))
            elif kind != "submit":
                form["fields"][name] = attrs.get("value", "")
        elif tag == "button" and name:
            form["fields"].setdefault(name, attrs.get("value", ""))
        elif tag == "select" and name:
            self._select = name
            form["fields"].setdefault(name, "")
        elif tag == "option" and self._select and not self.forms[-1]["fields"][self._select]:
            form["fields"][self._select] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            form["fields"][name] = "Some words."

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


@pytest.fixture
def world(app: Flask, loaded: Flask, make_user: Any) -> dict[str, Any]:
    """One of everything: content, a certificate, hours, a board member with a token."""
    people = {
        "trainee": make_user("trainee"),
        "supervisor": make_user("supervisor"),
        "admin": make_user("admin"),
        "board": make_user("board", jurisdiction="TS"),
        "employer": make_user("employer"),
    }
    enrolment = everything_but_hours(app, people["trainee"], people["supervisor"], people["admin"])
    ids = log_hours(app, people["trainee"], people["supervisor"], enrolment, TEST_PROG_HOURS)
    approve(app, people["supervisor"], ids)
    log_hours(
        app, people["trainee"], people["supervisor"], enrolment, [("1", "advocacy", "direct")]
    )
    with app.app_context():
        from trainer.clock import utcnow
        from trainer.models import User
        from trainer.services import api_tokens

        board = db.session.get(User, people["board"].id)
        _, secret = api_tokens.create(board, "hostile test", 30, utcnow())
        db.session.commit()
    return {"people": people, "token": secret, "enrolment": enrolment}


def _client(app: Flask, user: Any) -> Any:
    client = app.test_client()
    if user is not None:
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
    return client


def _fingerprint(app: Flask) -> str:
    digest = hashlib.sha256()
    with app.app_context():
        for table in db.metadata.sorted_tables:
            if table.name in VOLATILE:
                continue
            pk = ", ".join(c.name for c in table.primary_key.columns) or "1"
            rows = db.session.execute(
                text(f"SELECT * FROM {table.name} ORDER BY {pk}")  # noqa: S608 (our tables)
            ).all()
            digest.update(table.name.encode())
            digest.update(repr(rows).encode())
        db.session.remove()
    return digest.hexdigest()


def _converters(rule: Any) -> dict[str, str]:
    return {
        name: type(conv).__name__
        for name, conv in rule._converters.items()  # noqa: SLF001
    }


def _url(rule: Any, values: dict[str, str]) -> str:
    out = rule.rule
    for name, value in values.items():
        out = re.sub(r"<(?:[^:<>]+:)?" + re.escape(name) + r">", value, out)
    return out


@pytest.mark.parametrize("who", ["anonymous", *ROLES])
def test_boundary_values_in_every_url(app: Flask, world: dict[str, Any], who: str) -> None:
    user = None if who == "anonymous" else world["people"][who]
    client = _client(app, user)
    headers = {"Authorization": f"Bearer {world['token']}"} if who == "board" else {}
    failures = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        converters = _converters(rule)
        if not converters:
            continue
        for name, kind in converters.items():
            values = BAD_INTS if "Id" in kind or "Integer" in kind else BAD_STRINGS
            for value in values:
                sample = {
                    n: ("1" if "Id" in k or "Integer" in k else "x") for n, k in converters.items()
                }
                sample[name] = value
                url = _url(rule, sample)
                for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                    r = client.open(url, method=method, data={}, headers=headers)
                    if r.status_code >= 500:
                        failures.append(f"{method} {url[:120]} as {who}: {r.status_code}")
    assert not failures, "\n".join(failures[:40])


def _pages(app: Flask, world: dict[str, Any]) -> list[str]:
    """GET pages with real ids, where the forms are."""
    enrolment = world["enrolment"]
    out = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()) or rule.endpoint == "static":
            continue
        if rule.rule.startswith("/api/") or rule.endpoint.startswith("health."):
            continue
        converters = _converters(rule)
        sample = {}
        for name, kind in converters.items():
            if "Id" in kind or "Integer" in kind:
                sample[name] = str(enrolment if "enrolment" in name else 1)
            elif name == "program_id":
                sample[name] = "test-prog"
            else:
                sample[name] = "x"
        out.append(_url(rule, sample))
    return out


@pytest.mark.parametrize("who", ["anonymous", *ROLES])
def test_hostile_values_in_every_form_field(app: Flask, world: dict[str, Any], who: str) -> None:
    user = None if who == "anonymous" else world["people"][who]
    client = _client(app, user)
    forms: dict[tuple[str, str, tuple[str, ...]], dict[str, Any]] = {}
    for url in _pages(app, world):
        r = client.get(url)
        if r.status_code != 200 or "html" not in r.content_type:
            r.close()  # a streamed export that is not read must still end its context
            continue
        parser = _Forms()
        parser.feed(r.text)
        for form in parser.forms:
            if form["files"] or form["action"].endswith("/logout"):
                continue
            action = form["action"] or url
            key = (form["method"], action.split("?")[0], tuple(sorted(form["fields"])))
            forms.setdefault(key, {**form, "action": action})
    assert forms, f"{who} sees no forms at all"
    failures = []
    for (method, action, fields), form in sorted(forms.items()):
        for field in fields:
            if field == "csrf_token":
                continue
            for value in HOSTILE:
                data = {**form["fields"], field: value}
                before = _fingerprint(app) if method == "post" else None
                if method == "post":
                    r = client.post(action, data=data)
                else:
                    r = client.get(action, query_string=data)
                where = f"{method.upper()} {action} {field}={value[:30]!r} as {who}"
                if r.status_code >= 500:
                    failures.append(f"{where}: {r.status_code}")
                    continue
                if method != "post":
                    continue
                with client.session_transaction() as session:
                    flashed = session.pop("_flashes", [])
                refused = (
                    r.status_code >= 400
                    or (r.status_code == 200 and 'class="error-summary"' in r.text)
                    or any(category == "error" for category, _ in flashed)
                )
                if refused and _fingerprint(app) != before:
                    failures.append(f"{where}: refused ({r.status_code}) but rows changed")
    assert not failures, "\n".join(failures[:40])
