"""The audit pages: the board starts an audit (bad input beside its field, status 400,
nothing written), reviews a holder's evidence and closes the audit; the holder uploads and
submits; another jurisdiction gets 404; each page stays within 8 SQL statements, the same
with ten times the sample."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from tests.conftest import Auth
from tests.support.audits import PDF, bulk_renewals, renewed
from trainer.extensions import db
from trainer.models import AuditEvent, Certificate, OutboxMessage
from trainer.models.ce_audits import CEAudit, CEAuditHolder, CEAuditItem

BUDGET = 8


def _client(app: Any, user: Any) -> Any:
    client = app.test_client()
    Auth(client).login(user)
    return client


@pytest.fixture
def world(loaded: Any, make_user: Any) -> dict[str, Any]:
    w = renewed(loaded, make_user)
    bulk_renewals(loaded, 2)
    board = make_user("board", jurisdiction="TS", name="Bea Board")
    w.update(
        app=loaded,
        board=_client(loaded, board),
        board_user=board,
        holder_client=_client(loaded, w["holder"]),
        today=datetime.now(UTC).date(),
    )
    return w


def _form(w: dict[str, Any], **overrides: str) -> dict[str, str]:
    form = {
        "program": "",
        "renewed_from": "2026-06-01",
        "renewed_to": w["today"].isoformat(),
        "percent": "100",
        "due_on": (w["today"] + timedelta(days=30)).isoformat(),
    }
    form.update(overrides)
    return form


def _start(w: dict[str, Any], **overrides: str) -> int:
    response = w["board"].post("/board/audits/new", data=_form(w, **overrides))
    assert response.status_code == 302, response.text
    return int(re.search(r"/board/audits/(\d+)$", response.headers["Location"]).group(1))


def _holder_of(app: Any, audit_id: int, number: str) -> tuple[int, list[int]]:
    with app.app_context():
        holder = db.session.scalar(
            select(CEAuditHolder.id)
            .join(Certificate, Certificate.id == CEAuditHolder.certificate_id)
            .where(CEAuditHolder.audit_id == audit_id, Certificate.number == number)
        )
        items = list(
            db.session.scalars(
                select(CEAuditItem.id)
                .where(CEAuditItem.holder_id == holder)
                .order_by(CEAuditItem.id)
            )
        )
    assert holder is not None
    return holder, items


def _written(app: Any) -> tuple[int, int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(CEAudit)) or 0,
            db.session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.kind == "ce_audit_request")
            )
            or 0,
            db.session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action.startswith("ce_audit."))
            )
            or 0,
        )


def test_bad_input_is_shown_beside_its_field_and_nothing_is_saved(world: dict[str, Any]) -> None:
    board = world["board"]
    assert "Start a continuing-education audit" in board.get("/board/audits/new").text
    for percent, message in (
        ("0", "from 1 to 100"),
        ("101", "from 1 to 100"),
        ("abc", "Enter a percentage from 1 to 100"),
    ):
        page = board.post("/board/audits/new", data=_form(world, percent=percent))
        assert page.status_code == 400
        assert re.search(r'id="percent-error">[^<]*' + message, page.text), percent
    past = (world["today"] - timedelta(days=1)).isoformat()
    page = board.post("/board/audits/new", data=_form(world, due_on=past))
    assert page.status_code == 400
    assert 'id="due_on-error">The due date must be in the future.' in page.text
    page = board.post("/board/audits/new", data=_form(world, due_on="2026-02-31"))
    assert page.status_code == 400 and 'id="due_on-error"' in page.text
    page = board.post(
        "/board/audits/new", data=_form(world, renewed_from="2025-01-01", renewed_to="2025-01-31")
    )
    assert page.status_code == 400
    assert "No renewals in this window used continuing education." in page.text
    assert _written(world["app"]) == (0, 0, 0)


def test_a_board_runs_an_audit_and_the_holder_answers(world: dict[str, Any]) -> None:
    app, board, mine = world["app"], world["board"], world["holder_client"]
    audit_id = _start(world, program="test-prog")
    assert _written(app) == (1, 3, 1)
    page = board.get(f"/board/audits/{audit_id}").text
    assert "3 of 3 renewals (100%)" in page and "Casey Candidate" in page
    holder_id, items = _holder_of(app, audit_id, world["number"])
    assert len(items) == 2
    # the holder: the request is listed, evidence uploaded, a note, then submitted
    assert world["number"] in mine.get("/audits/").text
    assert "Ethics refresher" in mine.get(f"/audits/{holder_id}").text
    bad = mine.post(
        f"/audits/{holder_id}/items/{items[0]}/evidence",
        data={f"file{items[0]}-file": (io.BytesIO(b"MZ"), "virus.exe")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400 and "Upload a PDF, PNG or JPEG file." in bad.text
    ok = mine.post(
        f"/audits/{holder_id}/items/{items[0]}/evidence",
        data={f"file{items[0]}-file": (io.BytesIO(PDF), "attendance.pdf")},
        content_type="multipart/form-data",
    )
    assert ok.status_code == 302
    refused = mine.post(f"/audits/{holder_id}/submit", follow_redirects=True)
    assert "Upload evidence or write a note for every entry first" in refused.text
    mine.post(
        f"/audits/{holder_id}/items/{items[1]}/note",
        data={f"note{items[1]}-note": "The course was an in-house training; no certificate."},
    )
    done = mine.post(f"/audits/{holder_id}/submit", follow_redirects=True)
    assert "the board is reviewing your evidence" in done.text
    # the board: download, decide (a reason when not accepted), outcome, close
    evidence = board.get(f"/board/audits/{audit_id}/items/{items[0]}/evidence")
    assert evidence.data == PDF and evidence.headers["X-Content-Type-Options"] == "nosniff"
    decide = f"/board/audits/{audit_id}/holders/{holder_id}/items"
    no_reason = board.post(
        f"{decide}/{items[1]}", data={f"item{items[1]}-decision": "not_accepted"}
    )
    assert no_reason.status_code == 400
    assert f'id="item{items[1]}-reason-error">Give the reason' in no_reason.text
    board.post(f"{decide}/{items[0]}", data={f"item{items[0]}-decision": "accepted"})
    board.post(
        f"{decide}/{items[1]}",
        data={f"item{items[1]}-decision": "not_accepted", f"item{items[1]}-reason": "No proof."},
    )
    review = board.get(f"/board/audits/{audit_id}/holders/{holder_id}").text
    assert "Not accepted: No proof." in review and 'id="outcome-title"' in review
    condition = "Complete 6 approved CE hours by 30 June 2027."
    chosen = board.post(
        f"/board/audits/{audit_id}/holders/{holder_id}/outcome",
        data={"outcome": "conditions", "text": condition},
    )
    assert chosen.status_code == 302
    # the two other holders have not answered and the due date has not passed
    blocked = board.post(f"/board/audits/{audit_id}/close", follow_redirects=True)
    assert "have not submitted evidence and the due date has not passed" in blocked.text
    with app.app_context():
        db.session.execute(update(CEAudit).values(due_on=date(2026, 7, 1)))
        db.session.commit()
    for h in _holders(app, audit_id):
        if h != holder_id:
            board.post(
                f"/board/audits/{audit_id}/holders/{h}/outcome",
                data={"outcome": "none", "text": ""},
            )
    closed = board.post(f"/board/audits/{audit_id}/close", follow_redirects=True)
    assert "The audit is closed: failed." in closed.text
    record = board.get(f"/board/registry/{world['number']}").text
    assert condition in record
    activity = board.get("/board/activity").text
    for what in (
        "Started a continuing-education audit",
        "Decided on audit evidence",
        "Chose an audit outcome",
        "Applied an audit outcome",
        "Closed a continuing-education audit",
        "Downloaded audit evidence",
    ):
        assert what in activity, what
    mine_now = mine.get(f"/audits/{holder_id}").text
    assert "The audit is closed: failed." in mine_now and "No proof." in mine_now


def _holders(app: Any, audit_id: int) -> list[int]:
    with app.app_context():
        return list(
            db.session.scalars(select(CEAuditHolder.id).where(CEAuditHolder.audit_id == audit_id))
        )


def test_after_the_due_date_uploads_are_refused(world: dict[str, Any]) -> None:
    app, mine = world["app"], world["holder_client"]
    audit_id = _start(world)
    holder_id, items = _holder_of(app, audit_id, world["number"])
    with app.app_context():
        db.session.execute(update(CEAudit).values(due_on=world["today"] - timedelta(days=1)))
        db.session.commit()
    page = mine.get(f"/audits/{holder_id}").text
    assert "The due date has passed" in page and "Submit for review" not in page
    late = mine.post(
        f"/audits/{holder_id}/items/{items[0]}/evidence",
        data={f"file{items[0]}-file": (io.BytesIO(PDF), "late.pdf")},
        content_type="multipart/form-data",
    )
    assert late.status_code == 400 and "has passed, so evidence can no longer be uploaded" in (
        late.text
    )
    with app.app_context():
        assert (
            db.session.scalar(select(CEAuditItem.stored_name).where(CEAuditItem.id == items[0]))
            is None
        )


def test_other_boards_and_other_holders_get_404(world: dict[str, Any], make_user: Any) -> None:
    app = world["app"]
    audit_id = _start(world)
    holder_id, items = _holder_of(app, audit_id, world["number"])
    ky = _client(app, make_user("board", jurisdiction="KY"))
    assert "No audits yet." in ky.get("/board/audits").text
    for path in (
        f"/board/audits/{audit_id}",
        f"/board/audits/{audit_id}/holders/{holder_id}",
        f"/board/audits/{audit_id}/items/{items[0]}/evidence",
    ):
        assert ky.get(path).status_code == 404, path
    for path, data in (
        (
            f"/board/audits/{audit_id}/holders/{holder_id}/items/{items[0]}",
            {f"item{items[0]}-decision": "accepted"},
        ),
        (f"/board/audits/{audit_id}/holders/{holder_id}/outcome", {"outcome": "none"}),
        (f"/board/audits/{audit_id}/close", {}),
    ):
        assert ky.post(path, data=data).status_code == 404, path
    stranger = _client(app, make_user("trainee"))
    assert stranger.get(f"/audits/{holder_id}").status_code == 404
    assert stranger.get(f"/audits/{holder_id}/items/{items[0]}/evidence").status_code == 404
    assert stranger.post(f"/audits/{holder_id}/submit").status_code == 404
    assert world["holder_client"].get(f"/board/audits/{audit_id}").status_code == 403


def _measure(
    w: dict[str, Any], count_queries: Any, pages: dict[str, tuple[Any, str]]
) -> dict[str, int]:
    counts = {}
    for name, (client, path) in pages.items():
        client.get(path)  # warm: first reads, caches
        with count_queries() as q:
            response = client.get(path)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = q.count
    return counts


def test_audit_pages_stay_within_the_budget_whatever_the_sample(
    world: dict[str, Any], count_queries: Any
) -> None:
    app, board, mine = world["app"], world["board"], world["holder_client"]

    def pages(audit_id: int, review_number: str) -> dict[str, tuple[Any, str]]:
        mine_id, _ = _holder_of(app, audit_id, world["number"])
        review_id, _ = _holder_of(app, audit_id, review_number)
        return {
            "board audits": (board, "/board/audits"),
            "board audit": (board, f"/board/audits/{audit_id}"),
            "board holder": (board, f"/board/audits/{audit_id}/holders/{review_id}"),
            "holder requests": (mine, "/audits/"),
            "holder request": (mine, f"/audits/{mine_id}"),
        }

    small = _measure(world, count_queries, pages(_start(world), world["number"]))
    over = {name: n for name, n in small.items() if n > BUDGET}
    assert not over, f"over {BUDGET} statements: {over}"
    # ten times the sample, and ten times the entries of the holder reviewed
    more = bulk_renewals(app, 27, entries=20)
    big = _measure(world, count_queries, pages(_start(world), more[0]))
    assert big == small
