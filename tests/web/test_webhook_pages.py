"""The webhook pages of board members and employers: add an endpoint (the secret once), bad
input beside its field with nothing saved, deliveries with their response codes, replay,
a test event that only writes a row, and 404 for anyone else's endpoint."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import Auth
from tests.support.content import write_tree
from tests.support.exams import load
from tests.support.registry import make_certificates
from tests.support.webhooks import employer, fake_dns, receiving
from trainer.clock import utcnow
from trainer.domain import webhooks as rules
from trainer.extensions import db
from trainer.models import AuditEvent, OutboxMessage
from trainer.models.webhooks import WebhookDelivery, WebhookEndpoint
from trainer.services import sealing
from trainer.services.certificates import events, standing

ALL = list(rules.EVENT_LABELS)


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"WEBHOOKS_ALLOW_LOOPBACK": True}


def _client(app: Any, user: Any) -> Any:
    client = app.test_client()
    Auth(client).login(user)
    return client


def _count(app: Any, model: Any) -> int:
    with app.app_context():
        return len(db.session.scalars(select(model)).all())


def _add(client: Any, url: str, events: list[str] | None = None, description: str = "") -> Any:
    return client.post(
        "/webhooks/", data={"url": url, "description": description, "events": events or ALL}
    )


def _endpoint_id(app: Any) -> int:
    with app.app_context():
        return db.session.scalars(select(WebhookEndpoint.id).order_by(WebhookEndpoint.id)).all()[-1]


def test_a_board_member_adds_an_endpoint_and_sees_the_secret_once(
    app: Any, make_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_dns(monkeypatch, {"hooks.example.org": ["93.184.216.34"]})
    board = _client(app, make_user("board", jurisdiction="KY"))
    page = board.get("/webhooks/")
    assert page.status_code == 200 and "You have no webhooks." in page.text
    assert 'name="events"' in page.text and "Certificate suspended" in page.text
    r = _add(board, "https://hooks.example.org/trainer", ALL[:2], "Licensing sync")
    assert r.status_code == 200
    assert "shown only this once" in r.text
    [secret] = [w for w in r.text.replace('"', " ").split() if w.startswith("whsec_")]
    assert "https://hooks.example.org/trainer" in r.text and "2 of 7" in r.text
    again = board.get("/webhooks/")
    assert secret not in again.text and "shown only this once" not in again.text
    with app.app_context():
        endpoint = db.session.scalars(select(WebhookEndpoint)).one()
        assert secret not in endpoint.secret  # stored sealed, not as shown
        assert sealing.unseal(endpoint.secret, sealing.WEBHOOKS) == secret
        assert endpoint.events == ALL[:2]
        assert endpoint.description == "Licensing sync"
    detail = board.get(f"/webhooks/{endpoint.id}")
    assert detail.status_code == 200 and secret not in detail.text
    assert "Nothing has been sent to this webhook yet." in detail.text


@pytest.mark.parametrize(
    ("url", "events", "field_words"),
    [
        ("http://hooks.example.org/", ALL, "https://"),
        ("https://10.0.0.1/", ALL, "private network"),
        ("https://192.168.1.1/", ALL, "private network"),
        ("https://169.254.169.254/latest", ALL, "link-local"),
        ("https://[fd00::1]/", ALL, "private network"),
        ("https://[::ffff:10.0.0.1]/", ALL, "private network"),
        ("https://internal.example.test/", ALL, "10.9.9.9"),
        ("https://hooks.example.org/" + "a" * 2001, ALL, "at most 2000 characters"),
        ("https://hooks.example.org/", [], "Choose at least one"),
        ("https://hooks.example.org/", ["certificate.made_up"], "valid choice"),
        ("", ALL, "Enter the address"),
    ],
)
def test_bad_input_is_refused_beside_its_field_and_nothing_is_saved(
    app: Any,
    make_user: Any,
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    events: list[str],
    field_words: str,
) -> None:
    fake_dns(
        monkeypatch,
        {"hooks.example.org": ["93.184.216.34"], "internal.example.test": ["10.9.9.9"]},
    )
    board = _client(app, make_user("board", jurisdiction="KY"))
    r = board.post("/webhooks/", data={"url": url, "events": events})
    assert r.status_code == 400
    assert "There is a problem" in r.text and field_words in r.text
    assert 'class="error-message"' in r.text  # beside the field
    assert _count(app, WebhookEndpoint) == 0
    assert "whsec_" not in r.text


def test_loopback_is_refused_where_not_allowed(app: Any, make_user: Any) -> None:
    app.config["WEBHOOKS_ALLOW_LOOPBACK"] = False
    board = _client(app, make_user("board", jurisdiction="KY"))
    for url in ("https://127.0.0.1/", "https://[::1]/", "http://127.0.0.1:8080/"):
        r = _add(board, url)
        assert r.status_code == 400 and "loopback" in r.text
    assert _count(app, WebhookEndpoint) == 0


def test_an_employer_has_webhooks_too_and_other_roles_none(app: Any, make_user: Any) -> None:
    boss = _client(app, employer(app))
    assert boss.get("/webhooks/").status_code == 200
    assert _add(boss, "http://127.0.0.1:9/hook").status_code == 200
    for role in ("trainee", "supervisor", "admin"):
        assert _client(app, make_user(role)).get("/webhooks/").status_code == 403
    assert app.test_client().get("/webhooks/").status_code == 302  # sign in first


def test_someone_elses_endpoint_is_not_found(app: Any, make_user: Any) -> None:
    owner = _client(app, make_user("board", jurisdiction="KY"))
    _add(owner, "http://127.0.0.1:9/hook")
    endpoint_id = _endpoint_id(app)
    owner.post(f"/webhooks/{endpoint_id}/test")
    with app.app_context():
        delivery_id = db.session.scalars(select(WebhookDelivery.id)).one()
    for intruder in (make_user("board", jurisdiction="KY"), employer(app)):
        client = _client(app, intruder)
        assert client.get(f"/webhooks/{endpoint_id}").status_code == 404
        for action in (
            "test", "disable", "enable", "delete", "secret", f"deliveries/{delivery_id}/replay"
        ):  # fmt: skip
            assert client.post(f"/webhooks/{endpoint_id}/{action}").status_code == 404, action
        changed = client.post(f"/webhooks/{endpoint_id}", data={"url": "http://127.0.0.1:7/x"})
        assert changed.status_code == 404
        assert "127.0.0.1:9" not in client.get("/webhooks/").text
    assert owner.get(f"/webhooks/{endpoint_id}").status_code == 200
    # a delivery id of the owner's, under another of the owner's endpoints: not found either
    _add(owner, "http://127.0.0.1:10/hook")
    other = _endpoint_id(app)
    assert owner.post(f"/webhooks/{other}/deliveries/{delivery_id}/replay").status_code == 404


def test_a_test_event_on_a_hanging_endpoint_only_writes_a_row(
    app: Any, make_user: Any, run_worker: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rules, "TOTAL_TIMEOUT", 1.0)
    board = _client(app, make_user("board", jurisdiction="KY"))
    with receiving() as receiver:
        receiver.mode = "hang"
        _add(board, receiver.url)
        endpoint_id = _endpoint_id(app)
        started = time.monotonic()
        r = board.post(f"/webhooks/{endpoint_id}/test")
        took = time.monotonic() - started
        assert r.status_code == 302 and took < 0.9
        assert receiver.received == []  # the request did not call the endpoint
        assert _count(app, OutboxMessage) == 1
        run_worker()  # the worker does, and gives up after the timeout
        assert len(receiver.received) == 1
    page = board.get(f"/webhooks/{endpoint_id}").text
    assert "Retrying" in page and "answer in time." in page


def test_deliveries_show_response_codes_and_replay(
    app: Any, make_user: Any, run_worker: Any, tmp_path: Path
) -> None:
    load(app, write_tree(tmp_path))
    [number] = make_certificates(app, 1, "KY")
    board = _client(app, make_user("board", jurisdiction="KY"))
    with receiving() as receiver:
        receiver.answers = [500]
        _add(board, receiver.url)
        endpoint_id = _endpoint_id(app)
        with app.app_context():
            now = utcnow()
            standing.suspend(None, number, "Under review", None, now)
            events.dispatch(now)
            db.session.commit()
        run_worker()
        page = board.get(f"/webhooks/{endpoint_id}").text
        assert "HTTP 500" in page and "Retrying" in page and number in page
        assert 'aria-label="Replay delivery' not in page  # still being tried
        with app.app_context():
            message = db.session.scalars(
                select(OutboxMessage).where(OutboxMessage.channel == "webhook")
            ).one()
            message.next_attempt_at = utcnow()
            db.session.commit()
        run_worker()
        page = board.get(f"/webhooks/{endpoint_id}").text
        assert "HTTP 200" in page and "Sent" in page and "2 tries" in page
        with app.app_context():
            delivery_id = db.session.scalars(select(WebhookDelivery.id)).one()
        r = board.post(f"/webhooks/{endpoint_id}/deliveries/{delivery_id}/replay")
        assert r.status_code == 302
        run_worker()
        assert len(receiver.received) == 3
    page = board.get(f"/webhooks/{endpoint_id}").text
    assert "replay" in page
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "webhook.replayed" in actions


def test_disable_enable_and_delete(app: Any, make_user: Any) -> None:
    board = _client(app, make_user("board", jurisdiction="KY"))
    _add(board, "http://127.0.0.1:9/hook")
    endpoint_id = _endpoint_id(app)
    r = board.post(f"/webhooks/{endpoint_id}/disable", follow_redirects=True)
    assert "is disabled" in r.text and "Disabled" in r.text and "Send a test event" not in r.text
    r = board.post(f"/webhooks/{endpoint_id}/disable", follow_redirects=True)
    assert "already disabled" in r.text
    r = board.post(f"/webhooks/{endpoint_id}/enable", follow_redirects=True)
    assert "is enabled" in r.text
    r = board.post(f"/webhooks/{endpoint_id}/delete", follow_redirects=True)
    assert "is deleted" in r.text and "You have no webhooks." in r.text
    assert board.get(f"/webhooks/{endpoint_id}").status_code == 404
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
    for action in ("webhook.created", "webhook.disabled", "webhook.enabled", "webhook.deleted"):
        assert action in actions


def _deliveries(app: Any, board: Any, endpoint_id: int, n: int) -> None:
    for _ in range(n):
        board.post(f"/webhooks/{endpoint_id}/test")


@pytest.mark.parametrize("scale", [1, 10])
def test_pages_stay_within_the_statement_budget(
    app: Any, make_user: Any, count_queries: Any, scale: int
) -> None:
    board = _client(app, make_user("board", jurisdiction="KY"))
    for n in range(min(scale, 10)):
        _add(board, f"http://127.0.0.1:9/hook{n}")
    endpoint_id = _endpoint_id(app)
    _deliveries(app, board, endpoint_id, 3 * scale)
    for url in ("/webhooks/", f"/webhooks/{endpoint_id}"):
        with count_queries() as q:
            assert board.get(url).status_code == 200
        assert q.count <= 8, (url, q.count, q.statements)
        budget = {"/webhooks/": 2, f"/webhooks/{endpoint_id}": 4}[url]
        assert q.count == budget, (url, q.count, q.statements)  # the same at 10x the data
    with count_queries() as q:  # a new secret: the endpoint, the change, the audit, the page
        assert board.post(f"/webhooks/{endpoint_id}/secret").status_code == 200
    assert q.count <= 8, q.statements
    with count_queries() as q:  # settings refused: the page again, with the errors
        refused = board.post(f"/webhooks/{endpoint_id}", data={"url": "ftp://x", "events": ALL})
        assert refused.status_code == 400
    assert q.count <= 8, q.statements


def _secret_in(page: str) -> str:
    [secret] = [w for w in page.replace('"', " ").split() if w.startswith("whsec_")]
    return secret


def test_a_new_secret_is_shown_once_and_the_old_one_signs_for_a_day(
    app: Any, make_user: Any
) -> None:
    board = _client(app, make_user("board", jurisdiction="KY"))
    first = _secret_in(_add(board, "http://127.0.0.1:9/hook").text)
    endpoint_id = _endpoint_id(app)
    page = board.get(f"/webhooks/{endpoint_id}").text
    assert "Make a new secret" in page and "still signs until" not in page
    r = board.post(f"/webhooks/{endpoint_id}/secret")
    assert r.status_code == 200 and "The new signing secret" in r.text
    second = _secret_in(r.text)
    assert second != first and "shown only this once" in r.text
    later = board.get(f"/webhooks/{endpoint_id}").text
    assert second not in later and first not in later
    assert "The previous secret still signs until" in later
    with app.app_context():
        endpoint = db.session.get(WebhookEndpoint, endpoint_id)
        assert endpoint is not None
        assert endpoint.previous_secret is not None
        stored = (endpoint.secret, endpoint.previous_secret)
        opened = [sealing.unseal(v, sealing.WEBHOOKS) for v in stored]
        assert opened == [second, first]
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "webhook.secret_rotated")
        ).one()
        assert first not in str(event.details) and second not in str(event.details)
    activity = board.get("/board/activity").text
    assert "Made a new webhook signing secret" in activity


def test_the_owner_changes_address_description_and_events(
    app: Any, make_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_dns(monkeypatch, {"internal.example.test": ["10.9.9.9"]})
    board = _client(app, make_user("board", jurisdiction="KY"))
    secret = _secret_in(_add(board, "http://127.0.0.1:9/hook", description="Old").text)
    endpoint_id = _endpoint_id(app)
    page = board.get(f"/webhooks/{endpoint_id}").text
    assert 'value="http://127.0.0.1:9/hook"' in page and 'value="Old"' in page
    refused = board.post(
        f"/webhooks/{endpoint_id}",
        data={"url": "https://internal.example.test/", "description": "New", "events": []},
    )
    assert refused.status_code == 400
    assert "10.9.9.9" in refused.text and "Choose at least one" in refused.text
    assert 'value="https://internal.example.test/"' in refused.text  # what was typed stays
    too_long = board.post(
        f"/webhooks/{endpoint_id}",
        data={"url": "http://127.0.0.1:9/hook", "description": "x" * 201, "events": ALL},
    )
    assert too_long.status_code == 400 and "200 characters" in too_long.text
    with app.app_context():
        endpoint = db.session.get(WebhookEndpoint, endpoint_id)
        assert endpoint is not None and endpoint.url == "http://127.0.0.1:9/hook"
        assert endpoint.description == "Old" and endpoint.events == ALL
    ok = board.post(
        f"/webhooks/{endpoint_id}",
        data={
            "url": "http://127.0.0.1:10/new",
            "description": " Licensing   sync ",
            "events": ["certificate.revoked", "certificate.suspended"],
        },
        follow_redirects=True,
    )
    assert ok.status_code == 200 and "Saved. New deliveries use these settings." in ok.text
    with app.app_context():
        endpoint = db.session.get(WebhookEndpoint, endpoint_id)
        assert endpoint is not None
        assert (endpoint.url, endpoint.description) == ("http://127.0.0.1:10/new", "Licensing sync")
        assert endpoint.events == ["certificate.suspended", "certificate.revoked"]
        assert sealing.unseal(endpoint.secret, sealing.WEBHOOKS) == secret  # it stays
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "webhook.changed")
        ).one()
        assert event.details["was"]["url"] == "http://127.0.0.1:9/hook"
    assert "Changed a webhook" in board.get("/board/activity").text


@pytest.mark.parametrize(
    "app_config",
    [
        {
            "WEBHOOKS_ALLOW_LOOPBACK": True,
            "RATELIMIT_ENABLED": True,
            "WEBHOOK_SEND_RATE_LIMIT": "3 per minute",
        }
    ],
)
def test_test_events_and_replays_are_limited_per_person(app: Any, make_user: Any) -> None:
    """Each makes this site POST to an address its user chose: not a tool to flood one."""
    board = _client(app, make_user("board", jurisdiction="KY"))
    _add(board, "http://127.0.0.1:9/hook")
    endpoint_id = _endpoint_id(app)
    answers = [board.post(f"/webhooks/{endpoint_id}/test").status_code for _ in range(3)]
    assert answers == [302, 302, 302]
    with app.app_context():
        delivery_id = db.session.scalars(select(WebhookDelivery.id)).first()
    limited = board.post(f"/webhooks/{endpoint_id}/deliveries/{delivery_id}/replay")
    assert limited.status_code == 429 and "wait a minute" in limited.text
    assert _count(app, WebhookDelivery) == 3  # the refused one queued nothing
    other = _client(app, make_user("board", jurisdiction="KY"))  # another person's allowance
    _add(other, "http://127.0.0.1:10/hook")
    assert other.post(f"/webhooks/{_endpoint_id(app)}/test").status_code == 302
