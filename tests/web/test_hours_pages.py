"""Hours pages: who may do what, bad input, constant queries, CSV and the verification PDF."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert

from tests.support.hours import good_entry, hour_entries, signed_in_client, supervised_trainee
from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models import HourEntry


@pytest.fixture
def world(app: Any, supervised: dict[str, Any], make_user: Any) -> dict[str, Any]:
    """The shared supervised trainee, and another trainee with their own supervisor."""
    other, other_sup = make_user("trainee"), make_user("supervisor")
    return {
        **supervised,
        "other": other,
        "other_sup": other_sup,
        "other_enrolment": supervised_trainee(app, other, other_sup, supervised["admin"]),
    }


_client, _good, _entries = signed_in_client, good_entry, hour_entries


def test_trainee_logs_and_sees_status_and_totals(app: Any, world: dict[str, Any]) -> None:
    c = _client(app, world["trainee"])
    form = c.get(f"/hours/{world['enrolment']}/new").text
    assert "Never write the names" in form
    r = c.post(f"/hours/{world['enrolment']}/new", data=_good(world))
    assert r.status_code == 302
    page = c.get(f"/hours/{world['enrolment']}").text
    assert "Pending" in page and "1.5 h" in page.replace("1.5 h", "1.5 h")
    assert "4.0 h to go" in page  # advocacy minimum 4 hours, nothing approved yet


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"hours": "-1"}, "more than zero"),
        ({"hours": "0"}, "more than zero"),
        ({"hours": "1.1"}, "whole quarter hours"),
        ({"hours": "25"}, "longer than 24 hours"),
        ({"work_date": (date.today() + timedelta(days=2)).isoformat()}, "future"),
        ({"work_date": "2001-01-01"}, "before you enrolled"),
        ({"work_date": "not a date"}, "Not a valid date"),
        ({"category": "astrology"}, "Not a valid choice"),
        ({"description": ""}, "Describe the work briefly"),
        ({"supervisor": "99999"}, "Not a valid choice"),
    ],
)
def test_bad_entries_rerender_with_the_error_and_save_nothing(
    app: Any, world: dict[str, Any], change: dict[str, str], message: str
) -> None:
    c = _client(app, world["trainee"])
    r = c.post(f"/hours/{world['enrolment']}/new", data=_good(world, **change))
    assert r.status_code == 200 and message in r.text
    assert 'role="alert"' in r.text
    assert _entries(app) == []


def test_more_than_24_hours_on_one_day(app: Any, world: dict[str, Any]) -> None:
    c = _client(app, world["trainee"])
    assert (
        c.post(f"/hours/{world['enrolment']}/new", data=_good(world, hours="20")).status_code == 302
    )
    r = c.post(f"/hours/{world['enrolment']}/new", data=_good(world, hours="5"))
    assert "more than 24 hours on one day" in r.text and len(_entries(app)) == 1


def test_nobody_touches_anothers_entries(app: Any, world: dict[str, Any]) -> None:
    c = _client(app, world["trainee"])
    c.post(f"/hours/{world['enrolment']}/new", data=_good(world))
    entry = _entries(app)[0]
    intruder = _client(app, world["other"])
    assert intruder.get(f"/hours/{world['enrolment']}").status_code == 404
    assert intruder.get(f"/hours/entries/{entry.id}/edit").status_code == 404
    assert intruder.post(f"/hours/entries/{entry.id}/withdraw").status_code == 404
    assert intruder.get(f"/hours/{world['enrolment']}/hours.csv").status_code == 404
    # a trainee posting a decision is refused by role; another supervisor by duty
    assert (
        intruder.post(
            "/supervise/decide", data={"entry": entry.id, "action": "approve", "attest": "1"}
        ).status_code
        == 403
    )
    other_sup = _client(app, world["other_sup"])
    r = other_sup.post(
        "/supervise/decide", data={"entry": entry.id, "action": "approve", "attest": "1"}
    )
    assert r.status_code == 403
    assert other_sup.get(f"/supervise/trainees/{world['enrolment']}").status_code == 404
    assert _entries(app)[0].status == "pending"


def test_supervisor_queue_filters_and_bulk_approval(app: Any, world: dict[str, Any]) -> None:
    t = _client(app, world["trainee"])
    for n, cat in enumerate(["advocacy", "advocacy", "ethical-responsibility"], start=1):
        t.post(
            f"/hours/{world['enrolment']}/new",
            data=_good(
                world, category=cat, work_date=(date.today() - timedelta(days=n)).isoformat()
            ),
        )
    s = _client(app, world["sup"])
    queue = s.get("/supervise/queue").text
    assert queue.count('name="entry"') == 3 and "Terry Trainee" in queue
    only = s.get("/supervise/queue", query_string={"category": "ethical-responsibility"}).text
    assert only.count('name="entry"') == 1
    bad = s.get("/supervise/queue", query_string={"from": "yesterday"})
    assert bad.status_code == 200 and "Not a date" in bad.text
    ids = [e.id for e in _entries(app)][:2]
    refused = s.post(
        "/supervise/decide", data={"entry": ids, "action": "approve"}, follow_redirects=True
    )
    assert "Confirm that you supervised" in refused.text
    assert {e.status for e in _entries(app)} == {"pending"}
    ok = s.post(
        "/supervise/decide",
        data={"entry": ids, "action": "approve", "attest": "1"},
        follow_redirects=True,
    )
    assert "2 entries approved." in ok.text
    # the decision records where it came from (the web layer states the address)
    assert {e.decided_from for e in _entries(app) if e.id in ids} == {"127.0.0.1"}
    again = s.post(
        "/supervise/decide",
        data={"entry": ids, "action": "approve", "attest": "1"},
        follow_redirects=True,
    )  # a double-submitted form changes nothing
    assert "2 had already been decided" in again.text
    assert [e.status for e in _entries(app)] == ["approved", "approved", "pending"]
    page = t.get(f"/hours/{world['enrolment']}").text
    assert "3.0 of 4.0 h" in page  # approved advocacy moved


def test_hours_page_and_queue_run_constant_queries(
    app: Any, world: dict[str, Any], count_queries: Any
) -> None:
    t = _client(app, world["trainee"])
    s = _client(app, world["sup"])

    def measure() -> tuple[int, int]:
        t.get(f"/hours/{world['enrolment']}")
        with count_queries() as a:
            assert t.get(f"/hours/{world['enrolment']}").status_code == 200
        with count_queries() as b:
            assert s.get("/supervise/queue").status_code == 200
        return a.count, b.count

    def add(n: int) -> None:
        with app.app_context():
            start = date.today() - timedelta(days=3000)
            db.session.execute(
                insert(HourEntry),
                [
                    {
                        "enrolment_id": world["enrolment"],
                        "trainee_id": world["trainee"].id,
                        "supervisor_id": world["sup"].id,
                        "work_date": start + timedelta(days=i % 2900),
                        "minutes": 15,
                        "category": "advocacy",
                        "setting": "cmhc",
                        "kind": "direct",
                        "description": f"Entry {i}",
                        "status": "pending" if i % 3 else "approved",
                        "created_at": utcnow(),
                        "updated_at": utcnow(),
                    }
                    for i in range(n)
                ],
            )
            db.session.commit()

    add(5)
    few = measure()
    add(5000)
    many = measure()
    assert few == many, (few, many)


def test_csv_and_verification_pdf(app: Any, world: dict[str, Any], tmp_path: Path) -> None:
    from pypdf import PdfReader

    t = _client(app, world["trainee"])
    t.post(f"/hours/{world['enrolment']}/new", data=_good(world, hours="2.25"))
    t.post(
        f"/hours/{world['enrolment']}/new",
        data=_good(
            world,
            hours="1",
            kind="supervision",
            category="ethical-responsibility",
            work_date=(date.today() - timedelta(days=3)).isoformat(),
        ),
    )
    t.post(
        f"/hours/{world['enrolment']}/new",
        data=_good(world, hours="4", work_date=(date.today() - timedelta(days=4)).isoformat()),
    )
    ids = [e.id for e in _entries(app)][:2]
    _client(app, world["sup"]).post(
        "/supervise/decide", data={"entry": ids, "action": "approve", "attest": "1"}
    )
    rows = list(csv.reader(io.StringIO(t.get(f"/hours/{world['enrolment']}/hours.csv").text)))
    assert rows[0][:3] == ["entry", "date", "hours"] and len(rows) == 4
    response = t.get(f"/hours/{world['enrolment']}/verification.pdf")
    assert response.mimetype == "application/pdf"
    path = tmp_path / "v.pdf"
    path.write_bytes(response.data)
    reader = PdfReader(path)
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Supervised Experience Verification" in text and "Terry Trainee" in text
    assert "Total approved" in text and "3.25" in text  # 2.25 + 1; the pending 4 h is not
    assert "4.00" not in text.split("Total approved")[1].split("\n")[0]
    assert "Sue Supervisor" in text and "I supervised this work" in text
    assert "Facilitated a peer support group" not in text  # no descriptions: privacy
    assert reader.metadata.title.startswith("Supervised Experience Verification")
    sup_pdf = _client(app, world["sup"]).get(
        f"/supervise/trainees/{world['enrolment']}/verification.pdf"
    )
    assert sup_pdf.status_code == 200


def test_admin_reverses_an_approved_entry(app: Any, world: dict[str, Any]) -> None:
    t = _client(app, world["trainee"])
    t.post(f"/hours/{world['enrolment']}/new", data=_good(world))
    entry = _entries(app)[0]
    _client(app, world["sup"]).post(
        "/supervise/decide", data={"entry": entry.id, "action": "approve", "attest": "1"}
    )
    a = _client(app, world["admin"])
    bad = a.post(
        "/admin/supervision/reverse", data={"reverse-entry_id": "99999", "reverse-reason": "x"}
    )
    assert "No entry has that number" in bad.text
    ok = a.post(
        "/admin/supervision/reverse",
        data={"reverse-entry_id": str(entry.id), "reverse-reason": "Logged twice"},
    )
    assert ok.status_code == 302
    rows = _entries(app)
    assert rows[0].minutes == 90 and rows[0].status == "approved"
    assert rows[1].minutes == -90 and rows[1].reverses_id == entry.id
    assert "reverses an approved entry" in t.get(f"/hours/{world['enrolment']}").text


def test_a_supervisor_pages_through_all_of_a_trainees_entries(
    app: Any, world: dict[str, Any], monkeypatch: Any
) -> None:
    """The trainee page lists every entry, a page at a time, not only the newest few."""
    from trainer.services.hours import reports

    monkeypatch.setattr(reports, "PAGE_SIZE", 2)
    t = _client(app, world["trainee"])
    for days in (3, 4, 5):
        when = (date.today() - timedelta(days=days)).isoformat()
        t.post(f"/hours/{world['enrolment']}/new", data=_good(world, work_date=when))
    assert len(_entries(app)) == 3
    s = _client(app, world["sup"])
    first = s.get(f"/supervise/trainees/{world['enrolment']}")
    assert first.status_code == 200 and first.text.count(" h, ") == 2
    assert f'href="/supervise/trainees/{world["enrolment"]}?page=2" rel="next"' in first.text
    second = s.get(f"/supervise/trainees/{world['enrolment']}?page=2")
    assert second.text.count(" h, ") == 1
    oldest = (date.today() - timedelta(days=5)).strftime("%-d %b %Y")
    assert oldest in second.text and oldest not in first.text
