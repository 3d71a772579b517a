"""Continuing-education audits through the services: starting (bad input refused, nothing
written; a sample reproducible from its seed), the holder's evidence, the board's decisions,
outcomes and the close, and the worker's reminders (each exactly once)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.support.audits import PDF, WINDOW, bulk_renewals
from trainer.domain import ce_audits as rules
from trainer.domain.errors import NotFound, RuleError, RuleErrors
from trainer.extensions import db
from trainer.models import (
    AuditEvent,
    CEEntry,
    Certificate,
    CertificateEvent,
    OutboxMessage,
    User,
)
from trainer.models.ce_audits import CEAudit, CEAuditHolder, CEAuditItem, CEAuditNotice
from trainer.services import ce_audits, jobs
from trainer.services.certificates import conditions, standing

NOW = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
DUE = date(2026, 7, 31)


def _count(model: Any, *where: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _actions(prefix: str = "ce_audit.") -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.action.startswith(prefix))
            .order_by(AuditEvent.id)
        )
    )


def _user(person: Any) -> User:
    user = db.session.get(User, person.id)
    assert user is not None
    return user


def _start(board: Any, percent: str = "100", due: date = DUE, **kw: Any) -> CEAudit:
    row = ce_audits.start(
        _user(board),
        kw.get("program"),
        kw.get("renewed_from", WINDOW[0]),
        kw.get("renewed_to", WINDOW[1]),
        percent,
        due,
        kw.get("now", NOW),
    )
    db.session.commit()
    return row


@pytest.fixture
def board(loaded: Any, make_user: Any) -> Any:
    return make_user("board", jurisdiction="TS", name="Bea Board")


def _refused(board: Any, **kw: Any) -> dict[str | None, str]:
    with pytest.raises(RuleError) as caught:
        _start(board, **kw)
    db.session.rollback()
    problems = getattr(caught.value, "problems", (caught.value,))
    return {p.field: p.message for p in problems}


def test_bad_requests_are_refused_beside_their_field_and_nothing_is_written(
    loaded: Any, board: Any
) -> None:
    bulk_renewals(loaded, 3)
    with loaded.app_context():
        for percent in ("0", "101", "abc", "", "12.55", "-5"):
            assert "percent" in _refused(board, percent=percent), percent
        assert _refused(board, due=NOW.date() - timedelta(days=1))["due_on"] == (
            "The due date must be in the future."
        )
        assert "due_on" in _refused(board, due=NOW.date())
        assert "due_on" in _refused(board, due=NOW.date() + timedelta(days=400))
        assert "renewed_to" in _refused(board, renewed_to=NOW.date() + timedelta(days=1))
        assert "renewed_to" in _refused(board, renewed_from=date(2026, 6, 20), renewed_to=WINDOW[0])
        assert "program" in _refused(board, program="no-such-program")
        several = _refused(board, percent="abc", due=date(2020, 1, 1))
        assert set(several) == {"percent", "due_on"}
        empty = _refused(board, renewed_from=date(2025, 1, 1), renewed_to=date(2025, 1, 31))
        assert empty == {None: "No renewals in this window used continuing education."}
        assert _count(CEAudit) == _count(CEAuditHolder) == _count(OutboxMessage) == 0
        assert _actions() == []
        assert isinstance(RuleErrors([RuleError("x", "y")]), RuleError)


def test_the_sample_is_drawn_from_a_recorded_seed_and_each_holder_is_asked(
    loaded: Any, board: Any
) -> None:
    numbers = bulk_renewals(loaded, 20)
    bulk_renewals(loaded, 3, with_ce=False)  # renewed without CE: not in the population
    bulk_renewals(loaded, 2, jurisdiction="KY")  # another jurisdiction
    bulk_renewals(loaded, 2, renewed_at=datetime(2026, 5, 1, tzinfo=UTC))  # before the window
    with loaded.app_context():
        row = _start(board, percent="12.5")
        ids = ce_audits.population("TS", None, *WINDOW)
        assert sorted(
            db.session.scalars(select(Certificate.number).where(Certificate.id.in_(ids)))
        ) == sorted(numbers)
        assert row.population == 20 and row.percent == 12.5
        sample = sorted(
            db.session.scalars(
                select(CEAuditHolder.certificate_id).where(CEAuditHolder.audit_id == row.id)
            )
        )
        assert len(sample) == 3  # ceil(20 x 12.5%) = 3 (2.5 rounds up)
        # anyone holding the seed draws the same sample from the same population
        assert rules.select_sample(ids, 12.5, row.seed) == sample
        assert rules.select_sample(reversed(ids), 12.5, row.seed) == sample
        assert _count(CEAuditItem) == 3 * 2
        mails = db.session.scalars(select(OutboxMessage)).all()
        assert len(mails) == 3 and {m.kind for m in mails} == {"ce_audit_request"}
        assert all("Course 1" in m.body and "/audits/" in m.body for m in mails)
        started = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "ce_audit.started")
        )
        chosen = db.session.scalars(select(Certificate.number).where(Certificate.id.in_(sample)))
        assert started.details["sample"] == sorted(chosen)
        assert started.details["seed"] == str(row.seed)
        assert started.details["population_ids"] == sorted(ids)
        redrawn = rules.select_sample(started.details["population_ids"], 12.5, row.seed)
        assert redrawn == sample
        assert started.actor_id == board.id


def _audit_of(loaded: Any, board: Any, count: int = 3) -> tuple[CEAudit, list[CEAuditHolder]]:
    bulk_renewals(loaded, count)
    row = _start(board)
    holders = db.session.scalars(
        select(CEAuditHolder).where(CEAuditHolder.audit_id == row.id).order_by(CEAuditHolder.id)
    ).all()
    return row, list(holders)


def _items(holder: CEAuditHolder) -> list[int]:
    return list(
        db.session.scalars(
            select(CEAuditItem.id)
            .where(CEAuditItem.holder_id == holder.id)
            .order_by(CEAuditItem.id)
        )
    )


def _evidence_all(holder: CEAuditHolder, now: datetime = NOW) -> None:
    owner = db.session.get(User, holder.user_id)
    for item in _items(holder):
        ce_audits.upload(owner, holder.id, item, PDF, now)
    ce_audits.submit(owner, holder.id, now)
    db.session.commit()


def test_the_holder_uploads_notes_and_submits_until_the_due_date(
    loaded: Any, board: Any, make_user: Any
) -> None:
    with loaded.app_context():
        row, holders = _audit_of(loaded, board, 2)
        holder = holders[0]
        owner = db.session.get(User, holder.user_id)
        first, second = _items(holder)
        with pytest.raises(NotFound):  # someone else's request
            ce_audits.upload(db.session.get(User, holders[1].user_id), holder.id, first, PDF, NOW)
        with pytest.raises(NotFound):  # an entry of another request
            ce_audits.upload(owner, holder.id, _items(holders[1])[0], PDF, NOW)
        with pytest.raises(RuleError, match="PDF, PNG or JPEG"):
            ce_audits.upload(owner, holder.id, first, b"MZ not a pdf", NOW)
        ce_audits.upload(owner, holder.id, first, PDF, NOW)
        with pytest.raises(RuleError, match="every entry first"):
            ce_audits.submit(owner, holder.id, NOW)
        ce_audits.save_note(owner, holder.id, second, "  The provider  closed; no receipt. ", NOW)
        assert ce_audits.open_requests(owner, NOW) == 1
        page = ce_audits.request_of(owner, holder.id, NOW)
        assert [i.has_file for i in page.items] == [True, False]
        assert page.items[1].note == "The provider closed; no receipt."
        assert page.holder.evidenced == 2 and page.holder.state == rules.HolderState.REQUESTED
        name, kind, data = ce_audits.holder_file(owner, holder.id, first)
        assert (kind, data) == ("application/pdf", PDF) and name.endswith(".pdf")
        ce_audits.submit(owner, holder.id, NOW)
        db.session.commit()
        assert ce_audits.open_requests(owner, NOW) == 0
        with pytest.raises(RuleError, match="submitted"):
            ce_audits.upload(owner, holder.id, first, PDF, NOW)
        # the other holder lets the due date pass: uploads are refused, with the date
        late = holders[1]
        late_owner = db.session.get(User, late.user_id)
        after = datetime.combine(DUE + timedelta(days=1), datetime.min.time(), UTC)
        ce_audits.upload(late_owner, late.id, _items(late)[0], PDF, after - timedelta(hours=1))
        with pytest.raises(RuleError, match="31 July 2026\\) has passed") as refused:
            ce_audits.upload(late_owner, late.id, _items(late)[0], PDF, after)
        assert refused.value.field == "file"
        with pytest.raises(RuleError, match="has passed"):
            ce_audits.submit(late_owner, late.id, after)
        assert ce_audits.requests_of(late_owner, after)[0].state == rules.HolderState.NO_RESPONSE
        assert _actions() == [
            "ce_audit.started",
            "ce_audit.evidence_uploaded",
            "ce_audit.note_saved",
            "ce_audit.submitted",
            "ce_audit.evidence_uploaded",
        ]


def test_decisions_outcomes_and_the_close(loaded: Any, board: Any, make_user: Any) -> None:
    with loaded.app_context():
        row, holders = _audit_of(loaded, board, 4)
        me = _user(board)
        passing, refused, suspended, silent = holders
        for h in (passing, refused, suspended):
            _evidence_all(h)
        with pytest.raises(RuleError, match="not submitted evidence yet"):
            ce_audits.decide(me, row.id, silent.id, _items(silent)[0], "accepted", "", NOW)
        with pytest.raises(RuleError) as no_reason:
            ce_audits.decide(me, row.id, refused.id, _items(refused)[0], "not_accepted", " ", NOW)
        assert no_reason.value.field == "reason"
        with pytest.raises(RuleError) as no_choice:
            ce_audits.decide(me, row.id, refused.id, _items(refused)[0], "maybe", "", NOW)
        assert no_choice.value.field == "decision"
        for h in (passing, refused, suspended):
            for item in _items(h):
                ce_audits.decide(me, row.id, h.id, item, "accepted", "", NOW)
        ce_audits.decide(
            me, row.id, refused.id, _items(refused)[1], "not_accepted", "Not a CE provider.", NOW
        )
        ce_audits.decide(
            me, row.id, suspended.id, _items(suspended)[0], "not_accepted", "Forged.", NOW
        )
        db.session.commit()
        # the silent holder's due date has not passed: the audit cannot close yet
        with pytest.raises(RuleError, match="not submitted evidence and the due date"):
            ce_audits.close(me, row.id, NOW)
        after = datetime.combine(DUE + timedelta(days=2), datetime.min.time(), UTC)
        with pytest.raises(RuleError, match="Choose an outcome"):
            ce_audits.close(me, row.id, after)
        with pytest.raises(RuleError) as passing_outcome:
            ce_audits.choose_outcome(me, row.id, passing.id, "suspension", "x", None, after)
        assert passing_outcome.value.field == "outcome"
        with pytest.raises(RuleError) as no_text:
            ce_audits.choose_outcome(me, row.id, refused.id, "conditions", "", None, after)
        assert no_text.value.field == "text"
        with pytest.raises(RuleError) as past:
            ce_audits.choose_outcome(me, row.id, refused.id, "conditions", "x", after.date(), after)
        assert past.value.field == "until"
        until = date(2027, 6, 30)
        ce_audits.choose_outcome(
            me, row.id, refused.id, "conditions", "Complete 6 approved CE hours.", until, after
        )
        ce_audits.choose_outcome(me, row.id, suspended.id, "suspension", "Forged CE.", None, after)
        ce_audits.choose_outcome(me, row.id, silent.id, "revocation", "No response.", None, after)
        db.session.commit()
        page = ce_audits.audit_page("TS", row.id, after)
        assert page.closing_problem is None
        states = {h.id: h.state for h in page.holders}
        assert states == {
            passing.id: "passed",
            refused.id: "failed",
            suspended.id: "failed",
            silent.id: "no_response",
        }
        closed = ce_audits.close(me, row.id, after)
        db.session.commit()
        assert (closed.status, closed.result) == ("closed", "failed")
        certs = {h.id: db.session.get(Certificate, h.certificate_id) for h in holders}
        assert certs[suspended.id].status == "suspended"
        assert certs[suspended.id].suspend_reason == "Forged CE."
        assert certs[silent.id].status == "revoked"
        assert certs[passing.id].status == certs[refused.id].status == "active"
        shown = conditions.in_force([certs[refused.id].id], after)[certs[refused.id].id]
        assert [c.text for c in shown] == ["Complete 6 approved CE hours."]
        kinds = set(db.session.scalars(select(CertificateEvent.kind)))
        assert {"certificate.suspended", "certificate.revoked", "certificate.condition_added"} <= (
            kinds
        )
        results = dict(db.session.execute(select(CEAuditHolder.id, CEAuditHolder.result)).all())
        assert results[passing.id] == "passed" and results[silent.id] == "no_response"
        actions = _actions()
        assert actions.count("ce_audit.entry_decided") == 8
        assert actions.count("ce_audit.outcome_chosen") == 3
        assert actions.count("ce_audit.outcome_applied") == 3
        assert actions[-1] == "ce_audit.closed"
        decided = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "ce_audit.entry_decided")
        ).all()
        assert all(e.actor_id == board.id and e.details["number"] for e in decided)
        assert _count(OutboxMessage, OutboxMessage.kind == "ce_audit_closed") == 4
        with pytest.raises(RuleError, match="already closed"):
            ce_audits.close(me, row.id, after)
        with pytest.raises(RuleError, match="closed"):
            ce_audits.decide(me, row.id, passing.id, _items(passing)[0], "accepted", "", after)


def test_an_audit_where_everyone_passes_passes(loaded: Any, board: Any) -> None:
    with loaded.app_context():
        row, holders = _audit_of(loaded, board, 2)
        me = _user(board)
        for h in holders:
            _evidence_all(h)
            for item in _items(h):
                ce_audits.decide(me, row.id, h.id, item, "accepted", "", NOW)
        closed = ce_audits.close(me, row.id, NOW)  # everyone answered: no need to wait
        db.session.commit()
        assert closed.result == "passed"
        assert _count(CertificateEvent, CertificateEvent.kind != "certificate.issued") == 0


def test_a_suspension_that_cannot_apply_leaves_the_audit_open(loaded: Any, board: Any) -> None:
    with loaded.app_context():
        row, holders = _audit_of(loaded, board, 1)
        me = _user(board)
        _evidence_all(holders[0])
        item = _items(holders[0])[0]
        ce_audits.decide(me, row.id, holders[0].id, item, "not_accepted", "No proof.", NOW)
        ce_audits.choose_outcome(me, row.id, holders[0].id, "suspension", "No proof.", None, NOW)
        number = db.session.get(Certificate, holders[0].certificate_id).number
        standing.suspend(me, number, "Something else.", None, NOW)  # suspended meanwhile
        db.session.commit()
        with pytest.raises(RuleError, match="already suspended"):
            ce_audits.close(me, row.id, NOW)
        db.session.rollback()
        assert db.session.get(CEAudit, row.id).status == "open"
        assert "ce_audit.closed" not in _actions()


def test_another_jurisdiction_cannot_see_or_touch_an_audit(
    loaded: Any, board: Any, make_user: Any
) -> None:
    other = make_user("board", jurisdiction="KY")
    with loaded.app_context():
        row, holders = _audit_of(loaded, board, 1)
        ky = _user(other)
        assert ce_audits.audits("KY", NOW) == []
        item = _items(holders[0])[0]
        for call in (
            lambda: ce_audits.audit_page("KY", row.id, NOW),
            lambda: ce_audits.holder_review("KY", row.id, holders[0].id, NOW),
            lambda: ce_audits.decide(ky, row.id, holders[0].id, item, "accepted", "", NOW),
            lambda: ce_audits.choose_outcome(ky, row.id, holders[0].id, "none", "", None, NOW),
            lambda: ce_audits.close(ky, row.id, NOW),
            lambda: ce_audits.board_file(ky, row.id, item),
        ):
            with pytest.raises(NotFound):
                call()


def test_reminders_and_the_overdue_notices_go_out_exactly_once(loaded: Any, board: Any) -> None:
    with loaded.app_context():
        row, holders = _audit_of(loaded, board, 3)
        _evidence_all(holders[0])  # submitted: no reminders

        def run(day: date) -> int:
            at = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=10)
            sent = ce_audits.remind(at)
            db.session.commit()
            return sent

        assert run(DUE - timedelta(days=8)) == 0
        assert run(DUE - timedelta(days=7)) == 2
        assert run(DUE - timedelta(days=6)) == 0
        assert run(DUE - timedelta(days=1)) == 2
        assert run(DUE) == 0
        assert run(DUE + timedelta(days=1)) == 3  # two holders and the board
        assert run(DUE + timedelta(days=1)) == 0
        assert run(DUE + timedelta(days=5)) == 0
        kinds = sorted(db.session.scalars(select(OutboxMessage.kind)))
        assert kinds.count("ce_audit_7_days") == 2 and kinds.count("ce_audit_1_day") == 2
        assert kinds.count("ce_audit_overdue") == 2
        assert kinds.count("ce_audit_overdue_board") == 1
        to_board = db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.kind == "ce_audit_overdue_board")
        )
        assert to_board.to == board.email and "2 holders did not respond" in to_board.subject
        assert _count(CEAuditNotice) == 6


def test_the_job_is_scheduled_hourly() -> None:
    job = next(j for j in jobs.JOBS if j.name == "ce_audits.notices")
    assert job.every == timedelta(hours=1)


def test_a_renewal_through_the_real_services_is_in_the_population(
    loaded: Any, make_user: Any
) -> None:
    from tests.support.audits import renewed

    world = renewed(loaded, make_user)
    with loaded.app_context():
        today = datetime.now(UTC).date()
        ids = ce_audits.population("TS", "test-prog", today, today)
        assert [db.session.get(Certificate, i).number for i in ids] == [world["number"]]
        approved = db.session.scalars(select(CEEntry.id).where(CEEntry.status == "approved"))
        assert sorted(approved) == sorted(world["entries"])
