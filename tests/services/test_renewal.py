"""Renewal: continuing education approved within the cycle issues a superseding certificate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.conftest import Auth
from tests.support.certificates import TEST_PROG_HOURS, approve, everything_but_hours, log_hours
from tests.support.content import write_tree
from tests.support.exams import load
from trainer.clock import utcnow
from trainer.domain import requirements as req
from trainer.extensions import db
from trainer.models import Certificate
from trainer.services import certificates
from trainer.services.certificates import standing

START = datetime(2026, 1, 1, tzinfo=UTC)
END = datetime(2028, 1, 1, tzinfo=UTC)


def _fact(
    day: int, hours: float, topic: str | None = None, approved: int | None = None
) -> req.CEFact:
    done = START + timedelta(days=day)
    return req.CEFact(done + timedelta(days=approved or 1), done, hours, topic)


def test_renewal_rules() -> None:
    facts = [_fact(10, 14), _fact(20, 6, "ethics")]
    ok = req.evaluate_renewal(20, {"ethics": 6}, facts, START, END, END)
    assert all(s.met for s in ok)
    short = req.evaluate_renewal(20, {"ethics": 6}, facts[:1], START, END, END)
    assert [s.detail for s in short if not s.met] == [
        "6 more approved hours of continuing education.",
        "6 more approved hours in ethics.",
    ]
    before_cycle = [req.CEFact(START, START - timedelta(days=1), 20, None)]
    assert not req.evaluate_renewal(20, {}, before_cycle, START, END, END)[0].met
    late_approval = [_fact(10, 20, approved=900)]  # approved after as_of: not yet
    assert not req.evaluate_renewal(20, {}, late_approval, START, END, START + timedelta(days=100))[
        0
    ].met


def test_ce_renews_and_supersedes(app: Any, tmp_path: Path, make_user: Any) -> None:
    load(app, write_tree(tmp_path))
    trainee, sup, admin = make_user("trainee"), make_user("supervisor"), make_user("admin")
    enrolment = everything_but_hours(app, trainee, sup, admin)
    approve(app, sup, log_hours(app, trainee, sup, enrolment, TEST_PROG_HOURS))
    client = app.test_client()
    Auth(client).login(trainee)
    with app.app_context():
        cert = db.session.query(Certificate).one()
        cert_id, old_number, old_expiry = cert.id, cert.number, cert.expires_at
    today = utcnow().date().isoformat()
    bad = client.post(
        f"/learn/certificates/{cert_id}/ce",
        data={"title": "x", "hours": "abc", "completed_on": today},
        follow_redirects=True,
    )
    assert "hours as a number" in bad.text
    for hours, topic in (("4", ""), ("2", "ethical-responsibility")):
        client.post(
            f"/learn/certificates/{cert_id}/ce",
            data={
                "title": "Ethics refresher",
                "hours": hours,
                "topic": topic,
                "completed_on": today,
            },
        )
    page = client.get("/learn/programs/test-prog").text
    assert "Renewal: continuing education" in page and "pending" in page
    with app.app_context():  # a public condition binds the holder, not one cycle
        standing.add_condition(None, old_number, "Supervised practice", None, utcnow())
        db.session.commit()
    boss = app.test_client()
    Auth(boss).login(admin)
    with app.app_context():
        ids = [e.id for e in certificates.ce_entries(cert_id)]
    assert len(ids) == 2
    for entry_id in ids:
        assert (
            boss.post(f"/admin/ce/{entry_id}/decide", data={"decision": "approve"}).status_code
            == 302
        )
    with app.app_context():
        rows = db.session.query(Certificate).order_by(Certificate.cycle).all()
        assert [r.status for r in rows] == ["superseded", "active"]
        assert rows[1].cycle == 2 and rows[1].number != old_number
        assert rows[1].expires_at.date() > old_expiry.date()
        assert certificates.public(old_number, utcnow()).status == "superseded"
        renewed = certificates.public(rows[1].number, utcnow())
        assert [c["text"] for c in renewed.conditions] == ["Supervised practice"]
    revoke = boss.post(
        "/admin/certificates/revoke",
        data={"number": old_number, "reason": "x"},
        follow_redirects=True,
    )
    assert "superseded by a renewal" in revoke.text
