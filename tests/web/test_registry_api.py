"""The registry API: bearer tokens scoped to a board member's jurisdiction, cursor pages,
JSON errors, per-token rate limits, an audit event per call, and an OpenAPI document that
describes what the endpoints really do (validated, then exercised by schemathesis)."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tests.support.registry import make_certificates
from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models import ApiToken, AuditEvent, User, UserRole
from trainer.services import api_tokens, certificates


def _token(app: Any, user: Any, days: int = 90) -> str:
    with app.app_context():
        _, secret = api_tokens.create(db.session.get(User, user.id), "sync", days, utcnow())
        db.session.commit()
    return secret


def _api(app: Any, secret: str) -> Any:
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client


def _error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    body = response.json["error"]
    assert body["status"] == status and body["code"] and body["message"]
    return body


def test_search_pages_by_cursor_through_every_certificate(loaded: Any, make_user: Any) -> None:
    ky = make_certificates(loaded, 23, "KY")
    make_certificates(loaded, 4, "TN")
    api = _api(loaded, _token(loaded, make_user("board", jurisdiction="KY")))
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        r = api.get(
            "/api/v1/registry/certificates",
            query_string={
                "limit": 10,
                "sort": "issued_asc",
                **({"cursor": cursor} if cursor else {}),
            },
        )
        assert r.status_code == 200
        seen += [item["number"] for item in r.json["items"]]
        cursor = r.json["next_cursor"]
        if cursor is None:
            break
    assert seen == ky  # every KY certificate once, in order, and no TN one
    r = api.get("/api/v1/registry/certificates?q=holder ky&status=active&limit=100")
    item = r.json["items"][0]
    assert set(item) == {
        "number",
        "holder_name",
        "credential",
        "program",
        "status",
        "issued_on",
        "expires_on",
        "revoked_on",
        "updated_at",
        "pdf_sha256",
        "suspended_on",
        "suspended_until",
    }
    assert len(r.json["items"]) == 23 and r.json["next_cursor"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=101", "limit"),
        ("limit=0", "limit"),
        ("limit=ten", "limit"),
        ("issued_from=2026-13-01", "issued_from"),
        ("status=lapsed", "status"),
        ("color=blue", "color"),
        ("q=a&q=b", "q"),
        ("cursor=not-a-cursor", "cursor"),
        ("sort=salary", "sort"),
    ],
)
def test_bad_parameters_are_400_json_naming_the_field(
    loaded: Any, make_user: Any, query: str, field: str
) -> None:
    make_certificates(loaded, 1, "KY")
    api = _api(loaded, _token(loaded, make_user("board", jurisdiction="KY")))
    body = _error(api.get(f"/api/v1/registry/certificates?{query}"), 400)
    assert field in body["fields"]


def test_a_cursor_only_continues_its_own_query(loaded: Any, make_user: Any) -> None:
    make_certificates(loaded, 5, "KY")
    api = _api(loaded, _token(loaded, make_user("board", jurisdiction="KY")))
    cursor = api.get("/api/v1/registry/certificates?limit=2").json["next_cursor"]
    assert cursor
    body = _error(api.get(f"/api/v1/registry/certificates?limit=2&q=x&cursor={cursor}"), 400)
    assert "different query" in body["fields"]["cursor"]
    tampered = cursor[:-3] + ("AAA" if not cursor.endswith("AAA") else "BBB")
    _error(api.get(f"/api/v1/registry/certificates?cursor={tampered}"), 400)


def test_record_and_pdf_and_isolation(loaded: Any, make_user: Any) -> None:
    (ky,) = make_certificates(loaded, 1, "KY")
    (tn,) = make_certificates(loaded, 1, "TN")
    api = _api(loaded, _token(loaded, make_user("board", jurisdiction="KY")))
    r = api.get(f"/api/v1/registry/certificates/{ky}")
    assert r.status_code == 200
    assert r.json["number"] == ky and r.json["evidence"]["supervisors"] == ["Sam Supervisor"]
    assert r.json["history"][0]["what"] == "Issued"
    pdf = api.get(f"/api/v1/registry/certificates/{ky}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert hashlib.sha256(pdf.data).hexdigest() == r.json["pdf_sha256"]
    for url in (f"/api/v1/registry/certificates/{tn}", f"/api/v1/registry/certificates/{tn}/pdf"):
        assert "jurisdiction" in _error(api.get(url), 404)["message"]
    assert api.get(f"/api/v1/registry/certificates?q={tn}").json["items"] == []
    assert tn not in api.get("/api/v1/registry/changes?since=2000-01-01T00:00:00Z").text
    _error(api.get(f"/api/v1/registry/certificates/{ky}?expand=all"), 400)


def test_changes_since_reports_revocations(loaded: Any, make_user: Any) -> None:
    numbers = make_certificates(loaded, 3, "KY")
    api = _api(loaded, _token(loaded, make_user("board", jurisdiction="KY")))
    r = api.get("/api/v1/registry/changes?since=2026-03-01T12:30:00Z&limit=1")
    assert [i["number"] for i in r.json["items"]] == [numbers[1]]
    r2 = api.get(
        f"/api/v1/registry/changes?since=2026-03-01T12:30:00Z&limit=1&cursor={r.json['next_cursor']}"
    )
    assert [i["number"] for i in r2.json["items"]] == [numbers[2]]
    assert r2.json["next_cursor"] is None
    as_of = r2.json["as_of"]
    with loaded.app_context():
        certificates.revoke(None, numbers[0], "Fraudulent exam", utcnow())
        db.session.commit()
    r = api.get("/api/v1/registry/changes", query_string={"since": as_of})
    assert [(i["number"], i["status"]) for i in r.json["items"]] == [(numbers[0], "revoked")]
    for bad in (
        "",
        "since=yesterday",
        "since=2026-01-01T00:00:00",
        "since=x&since=y",
        "since=2026-01-01T00:00:00Z&page=2",
    ):
        _error(api.get(f"/api/v1/registry/changes?{bad}"), 400)


def test_refused_tokens(loaded: Any, make_user: Any) -> None:
    make_certificates(loaded, 1, "KY")
    board = make_user("board", jurisdiction="KY")
    url = "/api/v1/registry/certificates"
    anonymous = loaded.test_client()
    r = anonymous.get(url)
    assert _error(r, 401) and r.headers["WWW-Authenticate"].startswith("Bearer")
    _error(anonymous.get(url, headers={"Authorization": "Basic dXNlcjpwYXNz"}), 401)
    assert "not known" in _error(_api(loaded, "trn_nonsense").get(url), 401)["message"]
    # a signed-in board member's session cookie is not an API credential
    from tests.conftest import Auth

    browser = loaded.test_client()
    Auth(browser).login(board)
    _error(browser.get(url), 401)
    # expired
    secret = _token(loaded, board, days=30)
    with loaded.app_context():
        token = db.session.scalars(select(ApiToken)).one()
        token.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert "expired" in _error(_api(loaded, secret).get(url), 401)["message"]
    # the owner loses the board role: a token of another role
    secret = _token(loaded, board)
    assert _api(loaded, secret).get(url).status_code == 200
    with loaded.app_context():
        db.session.execute(db.delete(UserRole).where(UserRole.user_id == board.id))
        db.session.add(UserRole(user_id=board.id, role="supervisor"))
        db.session.commit()
    _error(_api(loaded, secret).get(url), 403)
    # deactivated
    with loaded.app_context():
        db.session.get(User, board.id).active = False
        db.session.commit()
    assert "deactivated" in _error(_api(loaded, secret).get(url), 401)["message"]


def test_only_board_members_create_tokens(loaded: Any, make_user: Any) -> None:
    from trainer.domain.errors import RuleError

    with loaded.app_context(), pytest.raises(RuleError):
        api_tokens.create(db.session.get(User, make_user("admin").id), "x", 90, utcnow())


def test_every_call_is_audited(loaded: Any, make_user: Any) -> None:
    (number,) = make_certificates(loaded, 1, "KY")
    board = make_user("board", jurisdiction="KY")
    api = _api(loaded, _token(loaded, board))
    api.get("/api/v1/registry/certificates?q=holder")
    api.get(f"/api/v1/registry/certificates/{number}")
    api.get(f"/api/v1/registry/certificates/{number}/pdf")
    api.get("/api/v1/registry/changes?since=2026-01-01T00:00:00Z")
    api.get("/api/v1/registry/certificates/TN-TPS-2026-000001-0")  # a miss is recorded too
    api.get("/api/v1/registry/certificates?limit=1000")
    with loaded.app_context():
        events = db.session.execute(
            select(AuditEvent.action, AuditEvent.actor_id, AuditEvent.details)
            .where(AuditEvent.action.startswith("api."))
            .order_by(AuditEvent.id)
        ).all()
    assert [e.action for e in events] == [
        "api.search",
        "api.certificate",
        "api.pdf",
        "api.changes",
        "api.refused",
        "api.refused",
    ]
    assert [e.details["status"] for e in events[4:]] == [404, 400]
    assert {e.actor_id for e in events} == {board.id}
    assert events[0].details["filters"] == {"q": "holder"} and events[0].details["count"] == 1
    assert events[2].details["number"] == number


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": True, "API_RATE_LIMIT": "3 per minute"}]
)
def test_rate_limit_is_per_token(loaded: Any, make_user: Any) -> None:
    first = _api(loaded, _token(loaded, make_user("board", jurisdiction="KY")))
    second = _api(loaded, _token(loaded, make_user("board", jurisdiction="KY")))
    for _ in range(3):
        assert first.get("/api/v1/registry/certificates").status_code == 200
    _error(first.get("/api/v1/registry/changes?since=2026-01-01T00:00:00Z"), 429)  # shared
    assert second.get("/api/v1/registry/certificates").status_code == 200


def test_openapi_document_is_valid_and_lists_every_api_route(app: Any) -> None:
    from openapi_spec_validator import validate

    doc = app.test_client().get("/api/v1/openapi.json").json
    validate(doc)
    documented = {"/api/v1" + p.replace("{", "<").replace("}", ">") for p in doc["paths"]}
    routes = {
        r.rule
        for r in app.url_map.iter_rules()
        if r.rule.startswith("/api/v1/") and r.endpoint != "api.openapi"
    }
    assert routes == documented


def test_schemathesis_finds_no_server_error_or_schema_mismatch(loaded: Any, make_user: Any) -> None:
    import schemathesis
    from schemathesis import GenerationMode
    from schemathesis.checks import (
        content_type_conformance,
        negative_data_rejection,
        not_a_server_error,
        response_headers_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    numbers = make_certificates(loaded, 12, "KY")
    make_certificates(loaded, 2, "KY", status="revoked")
    headers = {"Authorization": f"Bearer {_token(loaded, make_user('board', jurisdiction='KY'))}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", loaded)
    conformance = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
        response_headers_conformance,
    ]
    seen: list[int] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        strategies = [
            (operation.as_strategy(), conformance),
            (
                operation.as_strategy(GenerationMode.NEGATIVE),
                [not_a_server_error, negative_data_rejection, content_type_conformance],
            ),
        ]
        if "{number}" in operation.path:  # also hit real certificates, not only 404s
            strategies.append(
                (operation.as_strategy(path_parameters={"number": numbers[3]}), conformance)
            )

        for strategy, checks in strategies:
            _exercise(strategy, checks, headers, seen)
    assert len(seen) > 100
    assert 200 in seen and 400 in seen and 404 in seen


def _exercise(strategy: Any, checks: list[Any], headers: dict[str, str], seen: list[int]) -> None:
    from hypothesis import HealthCheck, given, settings

    @settings(
        max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        seen.append(case.call_and_validate(headers=headers, checks=checks).status_code)

    run()
