"""A mail server that refuses, hangs or errors changes nothing a user sees: every request
answers as it does with the server up, nothing is rolled back, and once the server is back
the worker delivers every message exactly once."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.conftest import Auth
from tests.support.certificates import everything_but_hours
from tests.support.content import write_tree
from tests.support.exams import load
from tests.support.smtp import SMTPSink
from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models import Certificate, HourEntry, OutboxMessage, PasswordToken


@pytest.fixture
def app_config(smtp: SMTPSink) -> dict[str, Any]:
    return {"SMTP_URL": smtp.url, "SMTP_TIMEOUT": 0.5}


def _client(app: Any, user: Any = None) -> Any:
    client = app.test_client()
    if user is not None:
        Auth(client).login(user)
    return client


def _answer(response: Any) -> tuple[int, str]:
    return response.status_code, response.headers.get("Location", "")


def _outbox(app: Any) -> list[OutboxMessage]:
    with app.app_context():
        return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


@pytest.mark.parametrize("mode", ["up", "refuse", "hang", "4xx", "5xx"])
def test_users_never_notice_the_mail_server(
    app: Any, tmp_path: Path, make_user: Any, smtp: SMTPSink, run_worker: Any, mode: str
) -> None:
    load(app, write_tree(tmp_path))
    trainee = make_user("trainee", name="Robin Reyes")
    sup, admin = make_user("supervisor"), make_user("admin")
    enrolment = everything_but_hours(app, trainee, sup, admin)
    before = len(_outbox(app))
    smtp.set_mode(mode)
    if mode == "up":
        app.config["SMTP_TIMEOUT"] = 10  # an answering server (see the outage's end below)

    answers = {"forgot": _answer(_client(app).post("/forgot", data={"email": trainee.email}))}
    me = _client(app, trainee)
    for n, (amount, category, kind) in enumerate(
        [
            ("4", "advocacy", "direct"),
            ("4", "ethical-responsibility", "direct"),
            ("2", "ethical-responsibility", "supervision"),
        ],
        start=1,
    ):
        answers[f"log {n}"] = _answer(
            me.post(
                f"/hours/{enrolment}/new",
                data={
                    "work_date": (date.today() - timedelta(days=n)).isoformat(),
                    "hours": amount,
                    "category": category,
                    "setting": "peer-group",
                    "kind": kind,
                    "supervisor": str(sup.id),
                    "description": "Co-facilitated a recovery group.",
                },
            )
        )
    with app.app_context():
        ids = [str(i) for i in db.session.scalars(select(HourEntry.id))]
    answers["approve"] = _answer(
        _client(app, sup).post(
            "/supervise/decide", data={"entry": ids, "action": "approve", "attest": "1"}
        )
    )
    with app.app_context():
        cert = db.session.scalar(select(Certificate))
        assert cert is not None and cert.status == "active" and cert.number
        number = cert.number
    answers["revoke"] = _answer(
        _client(app, admin).post(
            "/admin/certificates/revoke", data={"number": number, "reason": "Issued in error."}
        )
    )

    # the same answers as with the server up (the "up" case runs the same assertions)
    assert answers == {
        "forgot": (302, "/login"),
        "log 1": (302, f"/hours/{enrolment}"),
        "log 2": (302, f"/hours/{enrolment}"),
        "log 3": (302, f"/hours/{enrolment}"),
        "approve": (302, "/supervise/queue"),
        "revoke": (302, "/admin/certificates"),
    }
    with app.app_context():  # nothing was rolled back
        assert db.session.scalar(select(Certificate.status)) == "revoked"
        assert set(db.session.scalars(select(HourEntry.status))) == {"approved"}
        assert db.session.scalar(select(func.count()).select_from(PasswordToken)) == 1
    kinds = Counter(m.kind for m in _outbox(app)[before:])
    assert kinds == {
        "password_reset": 1,
        "hours_decision": 3,
        "certificate_issued": 1,
        "certificate_revoked": 1,
    }
    assert smtp.received == []  # no request talked to the mail server

    now = utcnow()
    run_worker(now)
    run_worker(now + timedelta(hours=1))  # the hourly and daily jobs add a digest, maybe
    queued = _outbox(app)
    if mode == "up":
        assert {m.status for m in queued} == {"sent"}
    else:
        assert {m.status for m in queued} == {"queued"}  # waiting to be tried again
        assert all(m.attempts >= 1 and m.last_error for m in queued)
        assert all(m.next_attempt_at > now for m in queued)
        assert smtp.received == []
        smtp.set_mode("up")
        # back up, the server answers; only the outage needed the short timeout. (With 0.5 s
        # a starved machine can answer a DATA it accepted too late: the worker then counts
        # a failure and sends again, SMTP's at-least-once, which is not what this checks.)
        app.config["SMTP_TIMEOUT"] = 10
        run_worker(now + timedelta(days=1))
        run_worker(now + timedelta(days=2))

    delivered = Counter(smtp.message_ids())
    rows = _outbox(app)
    assert {m.status for m in rows} == {"sent"}
    assert delivered == Counter({m.message_id: 1 for m in rows})  # each exactly once
    by_subject = {r.subject for r in smtp.received}
    assert "Reset your trainer password" in by_subject
    assert any(s.startswith(f"Your certificate {number} was revoked") for s in by_subject)


def test_a_refused_recipient_fails_at_once_and_an_admin_retries_it(
    app: Any, make_user: Any, smtp: SMTPSink, run_worker: Any
) -> None:
    person = make_user("trainee", email="gone@example.org")
    admin = make_user("admin")
    smtp.refused_recipients.add(person.email)
    _client(app).post("/forgot", data={"email": person.email})
    run_worker()
    [message] = _outbox(app)
    assert message.status == "failed" and message.attempts == 1
    assert "550" in message.last_error and "No such user" in message.last_error

    boss = _client(app, admin)
    assert "1 message could not be delivered." in boss.get("/admin/").text
    page = boss.get("/admin/outbox?state=failed").text
    assert ">Failed</span>" in page and "No such user here" in page

    smtp.refused_recipients.clear()  # the address was fixed at the other end
    r = boss.post(f"/admin/outbox/{message.id}/retry", follow_redirects=True)
    assert "is queued again" in r.text
    assert "could not be delivered" not in boss.get("/admin/").text
    run_worker()
    assert [m.status for m in _outbox(app)] == ["sent"]
    assert [r.to for r in smtp.received] == [person.email]
    # retrying a message that is not failed is refused with a message, not an error
    again = boss.post(f"/admin/outbox/{message.id}/retry", follow_redirects=True)
    assert "Only a failed message can be retried." in again.text
    assert boss.post("/admin/outbox/999999/retry").status_code == 404


def test_backoff_grows_and_gives_up_after_the_last_attempt(
    app: Any, make_user: Any, smtp: SMTPSink, run_worker: Any
) -> None:
    app.config["OUTBOX_MAX_ATTEMPTS"] = 4
    person = make_user("trainee")
    smtp.set_mode("refuse")
    _client(app).post("/forgot", data={"email": person.email})
    now = utcnow()
    waits = []
    for _ in range(4):
        run_worker(now)
        [message] = _outbox(app)
        waits.append(message.next_attempt_at - now)
        now = message.next_attempt_at
    assert message.status == "failed" and message.attempts == 4
    assert "cannot reach the mail server" in message.last_error
    base = app.config["OUTBOX_RETRY_BASE_SECONDS"]
    for n, wait in enumerate(waits[:3]):  # equal jitter: between half and all of base * 2^n
        assert base * 2**n / 2 <= wait.total_seconds() <= base * 2**n
    run_worker(now + timedelta(days=30))
    assert _outbox(app)[0].status == "failed" and _outbox(app)[0].attempts == 4


def test_a_change_that_fails_after_queueing_mail_sends_nothing(
    app: Any, make_user: Any, monkeypatch: Any, run_worker: Any, smtp: SMTPSink
) -> None:
    """The message is part of the transaction: if anything later in the same change fails,
    the message goes with the rollback and nobody is told of a change that did not happen."""
    from trainer.services import accounts, audit

    person = make_user("trainee")

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "record", broken)  # runs after the reset mail is queued
    with app.app_context():
        with pytest.raises(RuntimeError):
            accounts.request_password_reset(person.email, utcnow())
        db.session.rollback()
    r = _client(app).post("/forgot", data={"email": person.email})
    assert r.status_code == 500 and "Nothing was saved" in r.text
    monkeypatch.undo()
    assert _outbox(app) == []
    run_worker()
    assert smtp.received == []
