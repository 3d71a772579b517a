"""Logging hours, issue 18: every problem at once, today's date, work before enrolling,
a pending invitation said plainly, and labels where people read (not internal codes)."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support.content import write_tree
from tests.support.exams import load
from tests.support.hours import good_entry, hour_entries, signed_in_client, supervised_trainee
from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models import Enrolment, User
from trainer.services import hours, learning

PRIOR_DAYS = 30  # the window this file gives the test program
ENROLLED_DAYS_AGO = 60


def write_tree_with_prior_work(root: Path, days: int) -> Path:
    """The small test tree, its program accepting work from ``days`` before enrolling."""
    content = write_tree(root)
    program = content / "programs" / "test-prog.yaml"
    text = program.read_text()
    assert "  supervision: 2\n" in text
    program.write_text(
        text.replace("  supervision: 2\n", f"  supervision: 2\n  prior_work_days: {days}\n")
    )
    return content


@pytest.fixture
def world(app: Any, tmp_path: Path, make_user: Any) -> dict[str, Any]:
    load(app, write_tree_with_prior_work(tmp_path, PRIOR_DAYS))
    people: dict[str, Any] = {
        "trainee": make_user("trainee", name="Terry Trainee"),
        "sup": make_user("supervisor", name="Sue Supervisor"),
        "admin": make_user("admin"),
    }
    people["enrolment"] = supervised_trainee(
        app, people["trainee"], people["sup"], people["admin"], days_ago=ENROLLED_DAYS_AGO
    )
    return people


_client, _good, _entries = signed_in_client, good_entry, hour_entries


def _visible(page: str) -> str:
    """The text a reader sees: no tags, so no attribute values (option values, ids)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def _field_error(page: str, field_id: str) -> str:
    """The error message printed beside a field ('' when there is none)."""
    found = re.search(rf'<p class="error-message" id="{field_id}-error">([^<]*)</p>', page)
    return html.unescape(found.group(1)) if found else ""


def _summary(page: str) -> str:
    found = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    return _visible(found.group(0)) if found else ""


def _enrolled_on(app: Any, w: dict[str, Any]) -> date:
    with app.app_context():
        trainee = db.session.get(User, w["trainee"].id)
        enrolment = db.session.get(Enrolment, w["enrolment"])
        return hours.enrolled_on(trainee, enrolment)


# -- every problem at once ----------------------------------------------------------------------


def test_one_submit_reports_the_forms_and_the_rules_problems_together(
    app: Any, world: dict[str, Any]
) -> None:
    """The form's own checks (an empty description) and the hour rules (a future date,
    hours that are not quarter hours) used to come one per submit."""
    c = _client(app, world["trainee"])
    future = (date.today() + timedelta(days=3)).isoformat()
    r = c.post(
        f"/hours/{world['enrolment']}/new",
        data=_good(world, work_date=future, hours="1.1", description=""),
    )
    assert r.status_code == 200 and _entries(app) == []
    assert "future" in _field_error(r.text, "work_date")
    assert "whole quarter hours" in _field_error(r.text, "hours")
    assert "Describe the work briefly" in _field_error(r.text, "description")
    assert _field_error(r.text, "category") == ""  # a good field has no message
    summary = _summary(r.text)
    assert "There is a problem" in summary
    for text in ("Date of the work: The date cannot be in the future", "Hours: Enter whole"):
        assert text in summary
    assert "What you did: Describe the work briefly" in summary
    # the summary comes first, and links to each field
    assert r.text.index('class="error-summary"') < r.text.index('<form method="post" novalidate')
    for field_id in ("work_date", "hours", "description"):
        assert f'href="#{field_id}"' in r.text
    # what was typed is kept
    assert f'value="{future}"' in r.text and 'value="1.1"' in r.text


def test_rule_problems_alone_are_also_all_reported(app: Any, world: dict[str, Any]) -> None:
    """Every field passes the form's checks; the rules find two problems, both shown."""
    c = _client(app, world["trainee"])
    too_early = (date.today() - timedelta(days=ENROLLED_DAYS_AGO + PRIOR_DAYS + 5)).isoformat()
    r = c.post(
        f"/hours/{world['enrolment']}/new", data=_good(world, work_date=too_early, hours="25")
    )
    assert "earliest date you can log" in _field_error(r.text, "work_date")
    assert "longer than 24 hours" in _field_error(r.text, "hours")
    assert _entries(app) == []


def test_a_field_gets_one_message_not_the_form_and_the_rule_saying_it_twice(
    app: Any, world: dict[str, Any]
) -> None:
    c = _client(app, world["trainee"])
    r = c.post(
        f"/hours/{world['enrolment']}/new",
        data=_good(world, work_date="", hours="", category="astrology"),
    )
    assert _field_error(r.text, "work_date") == "Enter the date, e.g. 2026-03-14."
    assert _field_error(r.text, "hours") == "Enter the hours, e.g. 1.5."
    assert _field_error(r.text, "category") == "Not a valid choice."


def test_editing_reports_every_problem_too(app: Any, world: dict[str, Any]) -> None:
    c = _client(app, world["trainee"])
    assert c.post(f"/hours/{world['enrolment']}/new", data=_good(world)).status_code == 302
    entry = _entries(app)[0]
    future = (date.today() + timedelta(days=3)).isoformat()
    r = c.post(f"/hours/entries/{entry.id}/edit", data=_good(world, work_date=future, hours="0.1"))
    assert "future" in _field_error(r.text, "work_date")
    assert "whole quarter hours" in _field_error(r.text, "hours")
    assert _entries(app)[0].minutes == 90  # unchanged


# -- today's date ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Pacific/Kiritimati", "2026-03-11"),
        ("UTC", "2026-03-10"),
        ("America/Chicago", "2026-03-10"),
    ],
)
def test_a_new_entry_is_dated_today_in_the_trainees_time_zone(
    app: Any, world: dict[str, Any], monkeypatch: Any, zone: str, expected: str
) -> None:
    with app.app_context():
        db.session.get(User, world["trainee"].id).timezone = zone
        db.session.commit()
    # 20:00 UTC on 10 March: already 11 March at UTC+14
    monkeypatch.setattr("trainer.web.hours.utcnow", lambda: datetime(2026, 3, 10, 20, tzinfo=UTC))
    form = _client(app, world["trainee"]).get(f"/hours/{world['enrolment']}/new").text
    assert re.search(rf'<input[^>]*id="work_date"[^>]*value="{expected}"', form), form


def test_an_edited_entry_keeps_its_own_date(app: Any, world: dict[str, Any]) -> None:
    c = _client(app, world["trainee"])
    when = (date.today() - timedelta(days=5)).isoformat()
    c.post(f"/hours/{world['enrolment']}/new", data=_good(world, work_date=when))
    form = c.get(f"/hours/entries/{_entries(app)[0].id}/edit").text
    assert f'value="{when}"' in form


# -- work before enrolling ----------------------------------------------------------------------


def test_work_within_the_programs_window_before_enrolling_is_accepted(
    app: Any, world: dict[str, Any]
) -> None:
    earliest = _enrolled_on(app, world) - timedelta(days=PRIOR_DAYS)
    c = _client(app, world["trainee"])
    r = c.post(f"/hours/{world['enrolment']}/new", data=_good(world, work_date=str(earliest)))
    assert r.status_code == 302, _field_error(r.text, "work_date")
    assert [e.work_date for e in _entries(app)] == [earliest]


def test_work_beyond_the_window_is_refused_naming_the_earliest_date(
    app: Any, world: dict[str, Any]
) -> None:
    earliest = _enrolled_on(app, world) - timedelta(days=PRIOR_DAYS)
    c = _client(app, world["trainee"])
    r = c.post(
        f"/hours/{world['enrolment']}/new",
        data=_good(world, work_date=str(earliest - timedelta(days=1))),
    )
    message = _field_error(r.text, "work_date")
    assert f"{earliest:%-d %B %Y}" in message and "before you enrolled" in message
    assert _entries(app) == []


def test_the_supervisor_and_the_trainee_see_work_before_enrolment_marked(
    app: Any, world: dict[str, Any]
) -> None:
    enrolled = _enrolled_on(app, world)
    t = _client(app, world["trainee"])
    for when in (enrolled - timedelta(days=1), enrolled, date.today() - timedelta(days=1)):
        assert (
            t.post(
                f"/hours/{world['enrolment']}/new", data=_good(world, work_date=str(when))
            ).status_code
            == 302
        )
    badge = ">Before enrolment</span>"
    queue = _client(app, world["sup"]).get("/supervise/queue").text
    assert queue.count('name="entry"') == 3 and queue.count(badge) == 1
    # the badge sits in the row of the early entry
    row = re.search(rf"<tr>(?:(?!</tr>).)*{badge}.*?</tr>", queue, re.S)
    assert row and f"{enrolled - timedelta(days=1):%-d %b %Y}" in row.group(0)
    assert "work was done before the trainee enrolled" in queue
    page = t.get(f"/hours/{world['enrolment']}").text
    assert page.count(badge) == 1
    trainee_page = _client(app, world["sup"]).get(f"/supervise/trainees/{world['enrolment']}")
    assert trainee_page.text.count(badge) == 1


# -- a pending invitation -----------------------------------------------------------------------


@pytest.fixture
def invited(app: Any, tmp_path: Path, make_user: Any) -> dict[str, Any]:
    """A trainee who has invited a supervisor who has not answered yet."""
    load(app, write_tree(tmp_path))
    trainee = make_user("trainee", name="Ina Invite")
    sup = make_user("supervisor", name="Sam Slow", email="sam.slow@example.org")
    with app.app_context():
        enrolment = learning.enrol(db.session.get(User, trainee.id), "test-prog", utcnow())
        db.session.commit()
        eid = enrolment.id
    c = _client(app, trainee)
    assert c.get(f"/hours/{eid}").status_code == 200
    no_supervisor = c.get(f"/hours/{eid}").text
    r = c.post(f"/hours/{eid}/supervisors", data={"email": sup.email})
    assert r.status_code == 302
    return {"client": c, "enrolment": eid, "sup": sup, "before": no_supervisor}


def test_without_an_accepted_supervisor_log_hours_is_not_offered(
    invited: dict[str, Any],
) -> None:
    eid = invited["enrolment"]
    before = invited["before"]
    assert f'href="/hours/{eid}/new"' not in before
    assert "Add your supervisor first" in _visible(before)
    page = invited["client"].get(f"/hours/{eid}").text
    assert f'href="/hours/{eid}/new"' not in page  # no "Log hours" button that bounces
    text = " ".join(_visible(page).split())
    assert "Your supervisor has not accepted yet" in text
    assert "once Sam Slow (sam.slow@example.org) accepts your invitation" in text
    assert "invite another supervisor" in text
    assert "Add your supervisor first" not in text


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_logging_anyway_says_the_invitation_is_not_accepted_yet(
    invited: dict[str, Any], method: str
) -> None:
    c, eid = invited["client"], invited["enrolment"]
    ask = c.get if method == "GET" else c.post
    r = ask(f"/hours/{eid}/new", data={"hours": "1"}, follow_redirects=True)
    text = " ".join(_visible(r.text).split())
    assert "Your invitation is not accepted yet" in text
    assert "Sam Slow (sam.slow@example.org)" in text
    assert "Add a supervisor first" not in text


def test_with_no_supervisor_at_all_the_message_says_add_one(
    app: Any, tmp_path: Path, make_user: Any
) -> None:
    load(app, write_tree(tmp_path))
    trainee = make_user("trainee")
    with app.app_context():
        eid = learning.enrol(db.session.get(User, trainee.id), "test-prog", utcnow()).id
        db.session.commit()
    r = _client(app, trainee).get(f"/hours/{eid}/new", follow_redirects=True)
    assert "Add a supervisor first" in r.text


# -- labels, not codes --------------------------------------------------------------------------


def test_hours_and_supervision_pages_show_labels_not_codes(app: Any, world: dict[str, Any]) -> None:
    t = _client(app, world["trainee"])
    t.post(
        f"/hours/{world['enrolment']}/new",
        data=_good(world, category="ethical-responsibility", setting="cmhc"),
    )
    s = _client(app, world["sup"])
    pages = {
        "queue": s.get("/supervise/queue").text,
        "supervisor's trainee page": s.get(f"/supervise/trainees/{world['enrolment']}").text,
        "supervision home": s.get("/supervise/").text,
        "trainee's hours": t.get(f"/hours/{world['enrolment']}").text,
    }
    for name, page in pages.items():
        text = _visible(page)
        for code in ("test-prog", "ethical-responsibility", "cmhc", "peer-group"):
            assert code not in text, (name, code)
        if name != "supervision home":  # the home lists people and programs, no categories
            assert "Ethical Responsibility" in text, name
    assert "Community mental health center" in _visible(pages["queue"])
    assert "Community mental health center" in _visible(pages["trainee's hours"])
    # the trainee filter: the person's name and the program's title
    option = re.search(r'<select id="trainee".*?</select>', pages["queue"], re.S)
    assert option and "Terry Trainee (Test Program)" in _visible(option.group(0))


def test_the_trainee_filter_lists_a_person_once_with_each_program(
    app: Any, world: dict[str, Any], tmp_path: Path
) -> None:
    """Two programs, one person: one choice (the filter is by person), both titles."""
    from tests.support.content import PROGRAM

    content = write_tree_with_prior_work(tmp_path / "second", PRIOR_DAYS)
    (content / "programs" / "other-prog.yaml").write_text(
        PROGRAM.replace("id: test-prog", "id: other-prog")
        .replace("title: Test Program", "title: Other Program")
        .replace("number_prefix: TS-TPS", "number_prefix: TS-OPS")
    )
    load(app, content)
    with app.app_context():
        trainee = db.session.get(User, world["trainee"].id)
        learning.enrol(trainee, "other-prog", utcnow())
        hours.assign(
            db.session.get(User, world["admin"].id),
            trainee.email,
            "other-prog",
            world["sup"].email,
            utcnow(),
        )
        db.session.commit()
    queue = _client(app, world["sup"]).get("/supervise/queue").text
    select_html = re.search(r'<select id="trainee".*?</select>', queue, re.S)
    assert select_html
    options = re.findall(r"<option[^>]*>([^<]*)</option>", select_html.group(0))
    assert options == ["Everyone", "Terry Trainee (Test Program, Other Program)"]
