"""Webhooks end to end with a real HTTP receiver on a loopback port: a certificate event is
fanned out by the worker's dispatch job, delivered signed through the outbox, retried with
backoff, replayed; hanging, failing and re-pointed endpoints; who may touch what."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.support.content import write_tree
from tests.support.exams import load
from tests.support.registry import make_certificates
from tests.support.webhooks import (
    Receiver,
    closed_port,
    employer,
    fake_dns,
    receiving,
    self_signed,
)
from trainer.clock import utcnow
from trainer.domain import webhooks as rules
from trainer.domain.errors import NotFound, RuleError
from trainer.extensions import db
from trainer.models import AuditEvent, OutboxMessage, User
from trainer.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from trainer.services import webhook_channel, webhooks
from trainer.services.certificates import events, standing

ALL = list(rules.EVENT_LABELS)
SEC = timedelta(seconds=1)  # the worker runs just after the rows it delivers were written


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"WEBHOOKS_ALLOW_LOOPBACK": True}


@pytest.fixture
def people(app: Any, make_user: Any) -> dict[str, Any]:
    return {
        "board": make_user("board", jurisdiction="KY"),
        "other_board": make_user("board", jurisdiction="KY"),
        "tn_board": make_user("board", jurisdiction="TN"),
    }


@pytest.fixture
def world(app: Any, tmp_path: Path, people: dict[str, Any]) -> dict[str, Any]:
    """People, and certificates in KY and TN (content loaded)."""
    load(app, write_tree(tmp_path))
    return {**people, "ky": make_certificates(app, 3, "KY"), "tn": make_certificates(app, 1, "TN")}


def add_endpoint(app: Any, user: Any, url: str, kinds: list[str] | None = None) -> tuple[int, str]:
    with app.app_context():
        view, secret = webhooks.create(
            db.session.get(User, user.id), url, "Our sync", kinds or ALL, utcnow()
        )
        db.session.commit()
    return view.id, secret


def suspend(app: Any, number: str, at: Any) -> None:
    """Suspend (an event) and hand the event on, as the worker's dispatch job does."""
    with app.app_context():
        standing.suspend(None, number, "Under review", None, at)
        db.session.commit()
        events.dispatch(at)
        db.session.commit()


def rows(app: Any, model: Any, *where: Any) -> list[Any]:
    with app.app_context():
        found = list(db.session.scalars(select(model).where(*where).order_by(model.id)))
        db.session.expunge_all()
        return found


def webhook_messages(app: Any) -> list[OutboxMessage]:
    return rows(app, OutboxMessage, OutboxMessage.channel == "webhook")


def test_a_signed_delivery_arrives_and_verifies(
    world: dict[str, Any], app: Any, run_worker: Any
) -> None:
    with receiving() as receiver:
        endpoint_id, secret = add_endpoint(app, world["board"], receiver.url)
        receiver.secret = secret
        now = utcnow()
        suspend(app, world["ky"][0], now)
        summary = run_worker(now + SEC)
        assert summary.failed == 0 and summary.sent >= 2  # the holder's e-mail and the webhook
        [got] = receiver.received
    assert got.verified, "the README's verify() accepts the delivery"
    assert got.path == "/hooks/trainer"
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["Webhook-Id"].startswith("msg_")
    assert int(got.headers["Webhook-Timestamp"]) == int((now + SEC).timestamp())
    import json

    document = json.loads(got.body)
    assert document["type"] == "certificate.suspended"
    assert document["data"]["number"] == world["ky"][0]
    assert document["data"]["verify_url"] == f"http://localhost/verify/{world['ky'][0]}"
    assert set(document) == {"id", "type", "timestamp", "data"}
    assert set(document["data"]) == {"number", "verify_url", "until"}  # public facts only
    # a tampered body, another secret or an old timestamp do not verify
    from tests.support.webhooks import verify

    assert not verify(secret, got.headers, got.body + b" ")
    assert not verify(rules.new_secret(b"x" * 32), got.headers, got.body)
    stale = {**got.headers, "Webhook-Timestamp": str(int(now.timestamp()) - 600)}
    assert not verify(secret, stale, got.body)
    [message] = webhook_messages(app)
    assert message.status == "sent" and message.transport == "webhook"
    [attempt] = rows(app, WebhookAttempt)
    assert attempt.status_code == 200 and attempt.error is None
    [delivery] = rows(app, WebhookDelivery)
    assert delivery.endpoint_id == endpoint_id and delivery.last_status_code == 200


def test_only_subscribed_endpoints_of_the_jurisdiction_hear_an_event(
    world: dict[str, Any], app: Any
) -> None:
    with receiving() as receiver:
        mine, _ = add_endpoint(app, world["board"], receiver.url)
        add_endpoint(app, world["other_board"], receiver.url + "?b", ["certificate.revoked"])
        add_endpoint(app, world["tn_board"], receiver.url + "?tn")
        suspend(app, world["ky"][1], utcnow())
    assert [d.endpoint_id for d in rows(app, WebhookDelivery)] == [mine]
    with app.app_context():
        assert webhooks.board_owners("KY") == {world["board"].id, world["other_board"].id}
        assert webhooks.board_owners("TN") == {world["tn_board"].id}
        assert webhooks.board_owners("ZZ") == set()


def test_an_employers_endpoints_hear_what_the_dispatcher_passes(
    world: dict[str, Any], app: Any
) -> None:
    boss = employer(app)
    with receiving() as receiver:
        endpoint_id, _ = add_endpoint(app, boss, receiver.url, ["certificate.suspended"])
        now = utcnow()
        with app.app_context():
            standing.suspend(None, world["tn"][0], "Under review", None, now)
            db.session.flush()
            from trainer.models import CertificateEvent

            event = db.session.scalars(select(CertificateEvent)).one()
            assert webhooks.fan_out(event, {boss.id}, now) == 1
            assert webhooks.fan_out(event, set(), now) == 0
            event.kind = "certificate.revoked"  # not subscribed: nothing
            assert webhooks.fan_out(event, {boss.id}, now) == 0
            db.session.rollback()
    assert endpoint_id


def test_a_500_is_retried_with_backoff_until_it_succeeds(
    world: dict[str, Any], app: Any, run_worker: Any
) -> None:
    with receiving() as receiver:
        _, receiver.secret = add_endpoint(app, world["board"], receiver.url)
        receiver.answers = [500]
        now = utcnow()
        suspend(app, world["ky"][0], now)
        run_worker(now + SEC)
        [message] = webhook_messages(app)
        assert message.status == "queued" and message.attempts == 1
        assert message.last_error == "Answered HTTP 500."
        wait = message.next_attempt_at - (now + SEC)
        assert timedelta(seconds=15) <= wait <= timedelta(seconds=30)
        run_worker(now + timedelta(seconds=10))  # not due yet
        assert len(receiver.received) == 1
        run_worker(now + timedelta(seconds=32))
        assert len(receiver.received) == 2
        first, second = receiver.received
    assert first.verified and second.verified
    assert first.headers["Webhook-Id"] == second.headers["Webhook-Id"]  # the same message
    assert first.headers["Webhook-Timestamp"] != second.headers["Webhook-Timestamp"]
    [message] = webhook_messages(app)
    assert message.status == "sent"
    assert [a.status_code for a in rows(app, WebhookAttempt)] == [500, 200]


def test_after_the_last_try_a_delivery_fails(
    world: dict[str, Any], app: Any, run_worker: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webhook_channel.WebhookChannel, "max_attempts", 2)
    with receiving() as receiver:
        add_endpoint(app, world["board"], receiver.url)
        receiver.answers = [503, 502]
        now = utcnow()
        suspend(app, world["ky"][0], now)
        run_worker(now + SEC)
        run_worker(now + timedelta(minutes=2))
        assert len(receiver.received) == 2
    [message] = webhook_messages(app)
    assert message.status == "failed" and message.attempts == 2


def test_a_hanging_receiver_times_out(
    world: dict[str, Any], app: Any, run_worker: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rules, "TOTAL_TIMEOUT", 1.0)
    with receiving() as receiver:
        add_endpoint(app, world["board"], receiver.url)
        receiver.mode = "hang"
        now = utcnow()
        suspend(app, world["ky"][0], now)
        suspend(app, world["ky"][1], now)  # a second delivery to the same endpoint
        run_worker(now + SEC)
        # the first try timed out; the second was not tried in the same batch
        assert len(receiver.received) == 1
    messages = webhook_messages(app)
    assert [m.status for m in messages] == ["queued", "queued"]
    assert [m.attempts for m in messages] == [1, 1]
    [attempt] = rows(app, WebhookAttempt)
    assert attempt.status_code is None and "in time" in (attempt.error or "")
    assert 900 <= attempt.duration_ms < 5000
    mail = rows(app, OutboxMessage, OutboxMessage.channel == "mail")
    assert mail and all(m.status == "sent" for m in mail)  # mail went out regardless


def test_an_answer_trickled_byte_by_byte_is_cut_off(
    world: dict[str, Any], app: Any, run_worker: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rules, "TOTAL_TIMEOUT", 1.0)
    with receiving() as receiver:
        add_endpoint(app, world["board"], receiver.url)
        receiver.mode = "trickle"  # 0.2 s a byte: about 4 s for the status line
        suspend(app, world["ky"][0], utcnow())
        run_worker()
    [attempt] = rows(app, WebhookAttempt)
    assert attempt.status_code is None and "in time" in (attempt.error or "")
    assert attempt.duration_ms < 2500


def test_nothing_listening_is_a_retry_and_mail_is_not_held_up(
    world: dict[str, Any], app: Any, run_worker: Any
) -> None:
    add_endpoint(app, world["board"], f"http://127.0.0.1:{closed_port()}/hook")
    now = utcnow()
    suspend(app, world["ky"][0], now)
    run_worker(now + SEC)
    [message] = webhook_messages(app)
    assert message.status == "queued" and message.last_error == "Connection refused."
    assert all(
        m.status == "sent" for m in rows(app, OutboxMessage, OutboxMessage.channel == "mail")
    )


def test_replay_sends_the_same_delivery_again(
    world: dict[str, Any], app: Any, run_worker: Any
) -> None:
    with receiving() as receiver:
        endpoint_id, receiver.secret = add_endpoint(app, world["board"], receiver.url)
        now = utcnow()
        suspend(app, world["ky"][0], now)
        run_worker(now + SEC)
        [original] = rows(app, WebhookDelivery)
        with app.app_context():
            board = db.session.get(User, world["board"].id)
            again = webhooks.replay(board, endpoint_id, original.id, now)
            db.session.commit()
            assert again.replay_of_id == original.id
        run_worker(now + 2 * SEC)
        first, second = receiver.received
    assert second.verified and second.body == first.body
    assert second.headers["Webhook-Id"] == first.headers["Webhook-Id"]
    actions = [e.action for e in rows(app, AuditEvent)]
    assert "webhook.created" in actions and "webhook.replayed" in actions


def test_a_still_queued_delivery_cannot_be_replayed(world: dict[str, Any], app: Any) -> None:
    endpoint_id, _ = add_endpoint(app, world["board"], f"http://127.0.0.1:{closed_port()}/")
    suspend(app, world["ky"][0], utcnow())
    [delivery] = rows(app, WebhookDelivery)
    with app.app_context(), pytest.raises(RuleError, match="still being tried"):
        webhooks.replay(db.session.get(User, world["board"].id), endpoint_id, delivery.id, utcnow())


def test_410_gone_disables_the_endpoint(world: dict[str, Any], app: Any, run_worker: Any) -> None:
    with receiving() as receiver:
        endpoint_id, _ = add_endpoint(app, world["board"], receiver.url)
        receiver.answers = [410]
        now = utcnow()
        with app.app_context():
            for number in world["ky"][:2]:
                standing.suspend(None, number, "Under review", None, now)
            db.session.commit()
            events.dispatch(now)
            db.session.commit()
        run_worker(now + SEC)
        assert len(receiver.received) == 1
    [endpoint] = rows(app, WebhookEndpoint)
    assert endpoint.disabled_at is not None and "410" in (endpoint.disabled_reason or "")
    assert [m.status for m in webhook_messages(app)] == ["failed", "failed"]
    assert endpoint_id == endpoint.id


def test_disabled_and_deleted_endpoints_get_nothing(
    world: dict[str, Any], app: Any, run_worker: Any
) -> None:
    with receiving() as receiver:
        endpoint_id, _ = add_endpoint(app, world["board"], receiver.url)
        now = utcnow()
        suspend(app, world["ky"][0], now)  # queued, then the owner disables the endpoint
        with app.app_context():
            board = db.session.get(User, world["board"].id)
            webhooks.disable(board, endpoint_id, now)
            db.session.commit()
            with pytest.raises(RuleError, match="Enable the webhook"):
                webhooks.send_test(board, endpoint_id, now)
        suspend(app, world["ky"][1], now)  # not queued at all
        run_worker(now + SEC)
        assert receiver.received == []
        assert [m.status for m in webhook_messages(app)] == ["failed"]
        with app.app_context():
            board = db.session.get(User, world["board"].id)
            webhooks.enable(board, endpoint_id, now)
            webhooks.delete(board, endpoint_id, now)
            db.session.commit()
            assert webhooks.endpoints_of(board) == []
            with pytest.raises(NotFound):
                webhooks.deliveries(board, endpoint_id, 1, now)
    [endpoint] = rows(app, WebhookEndpoint)
    assert endpoint.deleted_at is not None and endpoint.secret == ""


def test_a_name_re_pointed_to_a_private_address_is_refused_at_delivery(
    world: dict[str, Any], app: Any, run_worker: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: the name was loopback (allowed here) when registered, private now."""
    with receiving() as receiver:
        port = receiver.server.server_port
        fake_dns(monkeypatch, {"hooks.example.test": ["127.0.0.1"]})
        add_endpoint(app, world["board"], f"http://hooks.example.test:{port}/")
        fake_dns(monkeypatch, {"hooks.example.test": ["10.0.0.8"]})
        suspend(app, world["ky"][0], utcnow())
        run_worker()
        assert receiver.received == []
    [message] = webhook_messages(app)
    assert message.status == "failed" and "10.0.0.8" in (message.last_error or "")
    [attempt] = rows(app, WebhookAttempt)
    assert attempt.error and attempt.error.startswith("Refused:")


@pytest.mark.parametrize(
    ("url", "dns", "words"),
    [
        ("https://10.1.2.3/hook", {}, "private network"),
        ("https://192.168.1.20/hook", {}, "private network"),
        ("https://169.254.169.254/latest/meta-data", {}, "link-local"),
        ("https://[fd00::1]/hook", {}, "private network"),
        ("https://[::ffff:10.0.0.1]/hook", {}, "private network"),
        ("https://internal.example.test/hook", {"internal.example.test": ["10.0.0.5"]}, "10.0.0.5"),
        ("https://nowhere.invalid/hook", {}, "could not be found"),
    ],
)
def test_registering_a_private_target_is_refused_and_nothing_is_saved(
    people: dict[str, Any],
    app: Any,
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    dns: Any,
    words: str,
) -> None:
    fake_dns(monkeypatch, dns)
    with app.app_context():
        board = db.session.get(User, people["board"].id)
        with pytest.raises(RuleError) as caught:
            webhooks.create(board, url, "", ALL, utcnow())
        db.session.rollback()
    problems = getattr(caught.value, "problems", (caught.value,))
    assert any(p.field == "url" and words in p.message for p in problems)
    assert rows(app, WebhookEndpoint) == []


@pytest.mark.parametrize("allowed", [False])
def test_loopback_is_refused_unless_the_configuration_allows_it(
    people: dict[str, Any], app: Any, allowed: bool
) -> None:
    app.config["WEBHOOKS_ALLOW_LOOPBACK"] = allowed
    with app.app_context():
        board = db.session.get(User, people["board"].id)
        for url in ("https://127.0.0.1/hook", "https://[::1]/hook", "http://127.0.0.1:8000/"):
            with pytest.raises(RuleError, match="loopback"):
                webhooks.create(board, url, "", ALL, utcnow())
        db.session.rollback()


def test_other_bad_input_is_refused_with_every_reason_at_once(
    people: dict[str, Any], app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_dns(monkeypatch, {"hooks.example.org": ["93.184.216.34"]})
    with app.app_context():
        board = db.session.get(User, people["board"].id)
        with pytest.raises(RuleError) as caught:
            webhooks.create(board, "http://hooks.example.org/", "x" * 201, [], utcnow())
        fields = {p.field: p.message for p in caught.value.problems}  # type: ignore[attr-defined]
        assert set(fields) == {"url", "description", "events"}
        assert "https://" in fields["url"] and "at least one" in fields["events"]
        with pytest.raises(RuleError, match="at least one"):
            webhooks.create(board, "https://127.0.0.1/", "", ["certificate.made_up"], utcnow())
        with pytest.raises(RuleError, match="at most 2000"):
            webhooks.create(board, "https://127.0.0.1/" + "a" * 2000, "", ALL, utcnow())
        db.session.rollback()
        for n in range(webhooks.MAX_ENDPOINTS):
            webhooks.create(board, f"https://127.0.0.1/{n}", "", ALL, utcnow())
        with pytest.raises(RuleError, match="delete one first"):
            webhooks.create(board, "https://127.0.0.1/11", "", ALL, utcnow())
        trainee = User(email="t@example.org", legal_name="T")
        with pytest.raises(RuleError, match="Only board members and employers"):
            webhooks.create(trainee, "https://127.0.0.1/", "", ALL, utcnow())


def test_another_owner_sees_nothing_of_an_endpoint(people: dict[str, Any], app: Any) -> None:
    endpoint_id, _ = add_endpoint(app, people["board"], "https://127.0.0.1/hook")
    boss = employer(app)
    with app.app_context():
        webhooks.send_test(db.session.get(User, people["board"].id), endpoint_id, utcnow())
        db.session.commit()
    [delivery] = rows(app, WebhookDelivery)
    for intruder in (people["other_board"], boss):
        with app.app_context():
            user = db.session.get(User, intruder.id)
            now = utcnow()
            for call in (
                lambda u=user, t=now: webhooks.deliveries(u, endpoint_id, 1, t),
                lambda u=user, t=now: webhooks.send_test(u, endpoint_id, t),
                lambda u=user, t=now: webhooks.disable(u, endpoint_id, t),
                lambda u=user, t=now: webhooks.enable(u, endpoint_id, t),
                lambda u=user, t=now: webhooks.delete(u, endpoint_id, t),
                lambda u=user, t=now: webhooks.replay(u, endpoint_id, delivery.id, t),
            ):
                with pytest.raises(NotFound):
                    call()
            assert webhooks.endpoints_of(user) == []
            db.session.rollback()


def test_a_test_event_is_delivered_signed(
    people: dict[str, Any], app: Any, run_worker: Any
) -> None:
    with receiving() as receiver:
        endpoint_id, receiver.secret = add_endpoint(app, people["board"], receiver.url)
        with app.app_context():
            webhooks.send_test(db.session.get(User, people["board"].id), endpoint_id, utcnow())
            db.session.commit()
        run_worker()
        [got] = receiver.received
    assert got.verified and b'"type":"webhook.test"' in got.body


def test_receiver(people: dict[str, Any]) -> None:
    """The support receiver itself answers what it is told (a sanity check)."""
    import urllib.request

    with receiving() as receiver:
        receiver.answers = [204]
        request = urllib.request.Request(receiver.url, data=b"{}", method="POST")  # noqa: S310
        with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310
            assert answer.status == 204
        assert isinstance(receiver, Receiver) and not receiver.received[0].verified


def test_the_readme_shows_the_receiver_code_these_tests_run() -> None:
    """The README's "Verifying a delivery" snippet is the code the test receiver uses."""
    from tests.support.webhooks import RECEIVER_SNIPPET

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert RECEIVER_SNIPPET in readme


def test_https_delivery_checks_the_certificate_against_the_name(
    world: dict[str, Any],
    app: Any,
    run_worker: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """The production path: TLS to the name in the URL (SNI, certificate check, Host)."""
    import ssl

    from trainer.services import webhook_http

    pem = self_signed(tmp_path)
    fake_dns(
        monkeypatch, {"hooks.example.test": ["127.0.0.1"], "other.example.test": ["127.0.0.1"]}
    )
    with receiving(tls=pem) as receiver:
        port = receiver.server.server_port
        _, receiver.secret = add_endpoint(
            app, world["board"], f"https://hooks.example.test:{port}/in"
        )
        add_endpoint(app, world["other_board"], f"https://other.example.test:{port}/in")
        now = utcnow()
        suspend(app, world["ky"][0], now)
        # not trusted: the system's authorities do not know this certificate
        run_worker(now + SEC)
        assert receiver.received == []
        attempts = rows(app, WebhookAttempt)
        assert len(attempts) == 2 and all("TLS failed" in (a.error or "") for a in attempts)
        monkeypatch.setattr(
            webhook_http, "_tls_context", lambda: ssl.create_default_context(cafile=str(pem))
        )
        run_worker(now + timedelta(minutes=2))
        [got] = receiver.received  # the certificate does not name other.example.test
    assert got.verified and got.headers["Host"] == f"hooks.example.test:{port}"
    last = rows(app, WebhookAttempt)[2:]
    assert sorted(str(a.status_code or a.error)[:10] for a in last) == ["200", "TLS failed"]


def test_after_a_new_secret_both_sign_for_a_day_then_only_the_new(
    world: dict[str, Any], app: Any, run_worker: Any
) -> None:
    """Standard Webhooks' space-delimited signature list: a receiver still holding the old
    secret keeps accepting deliveries while it is switched over."""
    from tests.support.webhooks import verify

    with receiving() as receiver:
        endpoint_id, old = add_endpoint(app, world["board"], receiver.url)
        now = utcnow()
        with app.app_context():
            view, new = webhooks.rotate_secret(
                db.session.get(User, world["board"].id), endpoint_id, now
            )
            db.session.commit()
        assert new != old and view.previous_secret_until == now + rules.ROTATION_GRACE
        receiver.secret = old  # the receiver has not been switched yet
        suspend(app, world["ky"][0], now)
        run_worker(now + SEC)
        [got] = receiver.received
        assert got.verified and verify(new, got.headers, got.body)
        assert len(got.headers["Webhook-Signature"].split()) == 2

        later = now + rules.ROTATION_GRACE + timedelta(hours=1)
        suspend(app, world["ky"][1], later)
        run_worker(later + SEC)
        [_, after] = receiver.received
    stamp = int(after.headers["Webhook-Timestamp"])
    signed = after.headers["Webhook-Signature"]
    assert signed == rules.signature(new, after.headers["Webhook-Id"], stamp, after.body)
    assert rules.signature(old, after.headers["Webhook-Id"], stamp, after.body) not in signed
    with app.app_context():
        board = db.session.get(User, world["board"].id)
        with pytest.raises(NotFound):  # someone else's endpoint
            webhooks.rotate_secret(db.session.get(User, world["other_board"].id), endpoint_id, now)
        webhooks.delete(board, endpoint_id, later)
        db.session.commit()
        endpoint = db.session.get(WebhookEndpoint, endpoint_id)
        assert endpoint is not None and (endpoint.secret, endpoint.previous_secret) == ("", None)
        with pytest.raises(NotFound):  # a deleted endpoint has no secret to renew
            webhooks.rotate_secret(board, endpoint_id, later)


def test_a_secret_sealed_under_another_secret_key_fails_with_what_to_do(
    world: dict[str, Any], app: Any, run_worker: Any
) -> None:
    """The site's SECRET_KEY changed: nothing is sent unsigned or wrongly signed; the owner
    reads on the delivery that a new secret is needed."""
    with receiving() as receiver:
        add_endpoint(app, world["board"], receiver.url)
        app.config["SECRET_KEY"] = "another-secret-key-for-this-site"
        now = utcnow()
        suspend(app, world["ky"][0], now)
        run_worker(now + SEC)
        assert receiver.received == []
    [message] = webhook_messages(app)
    assert message.status == "failed" and "Make a new secret" in (message.last_error or "")
