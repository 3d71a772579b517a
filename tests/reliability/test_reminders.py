"""Renewal reminders and week-old pending entries, over simulated time (an injected clock)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tests.support.content import write_tree
from tests.support.exams import load
from tests.support.hours import supervised_trainee
from tests.support.registry import BASE, make_certificates
from trainer.clock import utcnow
from trainer.domain import outbox as rules
from trainer.extensions import db
from trainer.models import Certificate, HourEntry, OutboxMessage, RenewalReminder, User
from trainer.services import certificates, hours, reminders


def _cert(number: str) -> Certificate:
    cert = db.session.scalar(select(Certificate).where(Certificate.number == number))
    assert cert is not None
    return cert


def test_reminder_stage_rule() -> None:
    expires = BASE + timedelta(days=100)
    assert rules.reminder_stage(expires, BASE) is None
    assert rules.reminder_stage(expires, expires - timedelta(days=90)) == "90"
    assert rules.reminder_stage(expires, expires - timedelta(days=31)) == "90"
    assert rules.reminder_stage(expires, expires - timedelta(days=30)) == "30"
    assert rules.reminder_stage(expires, expires - timedelta(days=7)) == "7"
    assert rules.reminder_stage(expires, expires - timedelta(seconds=1)) == "7"
    assert rules.reminder_stage(expires, expires) == "expired"
    assert rules.reminder_stage(expires, expires + timedelta(days=6, hours=23)) == "expired"
    assert rules.reminder_stage(expires, expires + timedelta(days=7)) is None


def test_a_simulated_year_of_renewal_reminders(app: Any, tmp_path: Path, make_user: Any) -> None:
    load(app, write_tree(tmp_path))
    t0 = BASE + timedelta(days=400)  # the simulated year starts here

    def issue(status: str, expires_in: int) -> str:
        # issued 730 days (validity) before it expires
        [number] = make_certificates(
            app, 1, "KY", status=status, issued=t0 + timedelta(days=expires_in - 730)
        )
        return number

    plain = issue("active", 120)  # every stage inside the year
    late = issue("active", 45)  # met the system with 45 days left
    revoked = issue("revoked", 100)
    renewed = issue("active", 150)  # renewed on day 80 of the year
    far = issue("active", 500)  # expires after the year: nothing yet
    long_gone = issue("active", -30)  # expired before the year began: no late notice

    admin = make_user("admin")
    sent: dict[str, list[str]] = defaultdict(list)
    with app.app_context():
        ids = {n: _cert(n).id for n in (plain, late, revoked, renewed, far, long_gone)}
        holder_of_renewed = db.session.get(User, _cert(renewed).user_id)
        ce = [  # the cycle's continuing education, logged by the holder, approved on day 80
            certificates.log_ce(
                holder_of_renewed,
                ids[renewed],
                date(2026, 6, 1),
                hours_,
                topic,
                "Ethics course",
                utcnow(),
            ).id
            for hours_, topic in ((4, None), (2, "ethical-responsibility"))
        ]
        db.session.commit()
        step = timedelta(hours=6)
        now = t0
        while now < t0 + timedelta(days=365):
            if now >= t0 + timedelta(days=80) and _cert(renewed).status == "active":
                boss = db.session.get(User, admin.id)
                for entry_id in ce:  # the second approval completes the CE: renewed
                    certificates.decide_ce(boss, entry_id, True, now)
            reminders.renewal_reminders(now)
            assert reminders.renewal_reminders(now) == 0  # a second run at once adds nothing
            db.session.commit()
            now += step
        for number, cert_id in ids.items():
            sent[number] = sorted(
                db.session.scalars(
                    select(RenewalReminder.stage).where(RenewalReminder.certificate_id == cert_id)
                )
            )
        mails = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        holder = db.session.get(User, _cert(plain).user_id)

    everything = sorted(["90", "30", "7", "expired"])
    assert sent[plain] == everything
    assert sent[late] == everything
    assert sent[revoked] == []
    assert sent[renewed] == ["90"]  # before the renewal only
    with app.app_context():
        successor = db.session.scalar(
            select(Certificate).where(
                Certificate.user_id == holder_of_renewed.id, Certificate.cycle == 2
            )
        )
        assert successor is not None and _cert(renewed).status == "superseded"
        assert successor.expires_at > t0 + timedelta(days=365)  # its reminders come later
    assert sent[far] == []
    assert sent[long_gone] == []
    reminders_sent = [m for m in mails if m.kind.startswith("renewal_reminder")]
    assert len(reminders_sent) == 4 + 4 + 1

    to_plain = [m for m in mails if m.to == holder.email]
    assert [m.kind for m in to_plain] == [
        "renewal_reminder_90",
        "renewal_reminder_30",
        "renewal_reminder_7",
        "renewal_reminder_expired",
    ]
    first = to_plain[0]
    assert first.subject == "Your Test Peer Specialist certificate expires in 90 days"
    assert "6 more approved hours of continuing education." in first.body
    assert "2 more approved hours in" in first.body  # the topic the program requires
    assert "http://localhost/learn/programs/test-prog#renewal" in first.body
    assert to_plain[-1].subject == "Your Test Peer Specialist certificate has expired"


def test_supervisors_hear_about_entries_pending_over_a_week(
    app: Any, tmp_path: Path, make_user: Any
) -> None:
    load(app, write_tree(tmp_path))
    trainee, sup, admin = make_user("trainee"), make_user("supervisor"), make_user("admin")
    enrolment = supervised_trainee(app, trainee, sup, admin)
    t = utcnow()
    with app.app_context():
        user = db.session.get(User, trainee.id)
        form = hours.EntrySubmission(
            date.today() - timedelta(days=1),
            "2",
            "advocacy",
            "peer-group",
            "direct",
            "Ran the Tuesday group.",
            sup.id,
        )
        entry = hours.log_entry(user, enrolment, form, t)
        db.session.commit()
        entry_id = entry.id

        assert reminders.stale_pending_reminders(t + timedelta(days=6)) == 0
        assert reminders.stale_pending_reminders(t + timedelta(days=8)) == 1
        assert reminders.stale_pending_reminders(t + timedelta(days=9)) == 0  # weekly
        assert reminders.stale_pending_reminders(t + timedelta(days=15)) == 1
        db.session.get(HourEntry, entry_id).status = "approved"
        assert reminders.stale_pending_reminders(t + timedelta(days=30)) == 0
        db.session.commit()
        nudges = list(
            db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "hours_stale"))
        )
    assert [m.to for m in nudges] == [sup.email, sup.email]
    assert nudges[0].subject == "1 supervised-hour entry has waited over a week"
    assert "2 h on" in nudges[0].body and "http://localhost/supervise/queue" in nudges[0].body
