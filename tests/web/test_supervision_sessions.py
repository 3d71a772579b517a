"""Supervision sessions, through the pages: one records, the other confirms, confirmed
sessions count toward the supervision hours (and may complete the program), notes stay with
the two of them, and a program's cadence shows month by month."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tests.support.certificates import approve, everything_but_hours, log_hours
from tests.support.content import write_tree
from tests.support.exams import load
from tests.support.hours import local_today, signed_in_client
from trainer.extensions import db
from trainer.models import Certificate, SupervisionSession

CADENCE = """
supervision_cadence:
  source: Test Reg 2:220
  sessions_per_month: 2
  in_person: true
  one_at_least_minutes: 30
"""


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _session(day: date, **changes: Any) -> dict[str, Any]:
    values = {
        "held_on": day.isoformat(),
        "hours": "2",
        "format": "individual",
        "mode": "in-person",
        "domains": ["advocacy"],
        "notes": "Talked through boundaries with a hard case.",
    }
    return {**values, **changes}


def _world(app: Any, tmp_path: Path, make_user: Any) -> dict[str, Any]:
    tree = write_tree(tmp_path)
    program = tree / "programs" / "test-prog.yaml"
    program.write_text(program.read_text() + CADENCE)
    load(app, tree)
    trainee = make_user("trainee", name="Casey Candidate")
    sup, admin = make_user("supervisor", name="Sam Supervisor"), make_user("admin")
    enrolment = everything_but_hours(app, trainee, sup, admin)
    # the supervised work is there (10 h direct); supervision (2 h) is what is missing
    approve(
        app,
        sup,
        log_hours(
            app,
            trainee,
            sup,
            enrolment,
            [("4", "advocacy", "direct"), ("6", "ethical-responsibility", "direct")],
        ),
    )
    return {"trainee": trainee, "sup": sup, "admin": admin, "enrolment": enrolment}


def test_a_session_counts_once_the_other_confirms_it(
    app: Any, tmp_path: Path, make_user: Any
) -> None:
    w = _world(app, tmp_path, make_user)
    e = w["enrolment"]
    supervisor, learner = signed_in_client(app, w["sup"]), signed_in_client(app, w["trainee"])
    day = local_today()  # the supervision began today: earlier dates fall outside it

    bad = supervisor.post(
        f"/supervise/trainees/{e}/sessions",
        data=_session(local_today() + timedelta(days=1), hours="9", domains=[]),
    )
    assert bad.status_code == 422
    text = _text(bad.text)
    assert "The session cannot be in the future." in text
    assert "A session cannot be longer than 8 hours." in text and "Choose the domains" in text
    with app.app_context():
        assert db.session.scalars(select(SupervisionSession)).all() == []

    ok = supervisor.post(f"/supervise/trainees/{e}/sessions", data=_session(day))
    assert ok.status_code == 302
    with app.app_context():
        sid = db.session.scalar(select(SupervisionSession.id))
        assert db.session.scalars(select(Certificate)).all() == []  # not counted yet
    mine = _text(supervisor.get(f"/supervise/trainees/{e}/sessions").text)
    assert "Waiting for the other to confirm" in mine
    # the recorder cannot confirm their own
    supervisor.post(
        f"/supervise/sessions/{sid}/confirm", data={"back": f"/supervise/trainees/{e}/sessions"}
    )
    with app.app_context():
        assert db.session.get(SupervisionSession, sid).confirmed_at is None

    page = _text(learner.get(f"/hours/{e}/sessions").text)
    assert "To confirm" in page and "Talked through boundaries" in page  # the two of them
    assert "Not met" in page  # one session this month, the rule asks for two
    learner.post(f"/hours/sessions/{sid}/confirm", data={"back": f"/hours/{e}/sessions"})
    with app.app_context():
        assert db.session.get(SupervisionSession, sid).confirmed_at is not None
        cert = db.session.scalars(select(Certificate)).one()  # supervision completed it
        sessions = cert.evidence["supervision_sessions"]
    assert sessions["confirmed"] == 1 and sessions["hours"] == 2.0
    assert sessions["cadence"][0]["met"] is False
    assert "Talked through" not in str(cert.evidence)  # notes never reach the evidence
    with app.app_context():
        number = db.session.scalar(select(Certificate.number))
    board = signed_in_client(app, make_user("board", jurisdiction="TS"))
    record = _text(board.get(f"/board/registry/{number}").text)
    assert "Supervision sessions 1 confirmed by both, 2 h" in record
    assert "not met (1 of 2 sessions in person)" in record and "Talked through" not in record


def test_notes_are_for_the_two_of_them_only(app: Any, tmp_path: Path, make_user: Any) -> None:
    w = _world(app, tmp_path, make_user)
    e = w["enrolment"]
    signed_in_client(app, w["sup"]).post(
        f"/supervise/trainees/{e}/sessions", data=_session(local_today())
    )
    with app.app_context():
        sid = db.session.scalar(select(SupervisionSession.id))
    other_sup = make_user("supervisor", name="Olive Other")
    stranger = signed_in_client(app, other_sup)
    assert stranger.get(f"/supervise/trainees/{e}/sessions").status_code == 404
    assert stranger.post(f"/supervise/sessions/{sid}/confirm").status_code == 404
    other_trainee = signed_in_client(app, make_user("trainee"))
    assert other_trainee.get(f"/hours/{e}/sessions").status_code == 404
    assert other_trainee.post(f"/hours/sessions/{sid}/confirm").status_code == 404
    for role in ("admin", "board"):
        client = signed_in_client(app, make_user(role, jurisdiction="TS"))
        for url in (f"/supervise/trainees/{e}/sessions", f"/hours/{e}/sessions"):
            response = client.get(url)
            assert response.status_code == 403 and "Talked through" not in response.text


def test_a_trainee_names_only_their_own_supervisors(
    app: Any, tmp_path: Path, make_user: Any
) -> None:
    """The form offers the supervisors whose supervision is or was in force; anyone else
    typed into the request is refused on the field, and nothing is written."""
    w = _world(app, tmp_path, make_user)
    learner = signed_in_client(app, w["trainee"])
    page = learner.get(f"/hours/{w['enrolment']}/sessions").text
    assert "Sam Supervisor" in page
    stranger = make_user("supervisor", name="Olive Other")
    r = learner.post(
        f"/hours/{w['enrolment']}/sessions",
        data={**_session(local_today()), "supervisor": str(stranger.id)},
    )
    assert r.status_code == 422 and 'id="supervisor-error"' in r.text
    with app.app_context():
        assert db.session.scalars(select(SupervisionSession)).all() == []
    ok = learner.post(
        f"/hours/{w['enrolment']}/sessions",
        data={**_session(local_today()), "supervisor": str(w["sup"].id)},
    )
    assert ok.status_code == 302
