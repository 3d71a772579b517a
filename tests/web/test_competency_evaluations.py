"""Competency evaluations through the pages: the supervisor rates every competency and signs,
the trainee reads and acknowledges (with a response), a required final evaluation holds the
certificate back until every competency reaches its level, signed ones never change, and
the board sees them in the evidence."""

from __future__ import annotations

import re
import subprocess
from html import unescape
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tests.support.certificates import TEST_PROG_HOURS, approve, everything_but_hours, log_hours
from tests.support.content import write_tree
from tests.support.exams import load
from tests.support.hours import signed_in_client
from trainer.extensions import db
from trainer.models import Certificate, CompetencyEvaluation

EVALUATIONS = """
evaluations:
  source: Test competencies
  scale: {1: Not yet, 2: Developing, 3: Meets, 4: Exceeds}
  competencies: [engagement, support]
  forms:
    - {id: midpoint, title: Mid-point evaluation, due_share: 0.5}
    - {id: final, title: Final evaluation, required_level: 3}
"""


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _rated(form: str, engagement: str, support: str, name: str = "Sam Supervisor") -> dict:
    return {
        "form": form,
        "level-engagement": engagement,
        "comment-engagement": "Builds trust quickly.",
        "level-support": support,
        "comment-support": "Keep practising reflective listening.",
        "signed_name": name,
    }


def _world(app: Any, tmp_path: Path, make_user: Any) -> dict[str, Any]:
    tree = write_tree(tmp_path)
    program = tree / "programs" / "test-prog.yaml"
    program.write_text(program.read_text() + EVALUATIONS)
    load(app, tree)
    trainee = make_user("trainee", name="Casey Candidate")
    sup, admin = make_user("supervisor", name="Sam Supervisor"), make_user("admin")
    enrolment = everything_but_hours(app, trainee, sup, admin)
    approve(app, sup, log_hours(app, trainee, sup, enrolment, TEST_PROG_HOURS))
    return {"trainee": trainee, "sup": sup, "enrolment": enrolment}


def test_a_final_evaluation_below_the_level_holds_the_certificate(
    app: Any, tmp_path: Path, make_user: Any
) -> None:
    w = _world(app, tmp_path, make_user)
    e = w["enrolment"]
    supervisor, learner = signed_in_client(app, w["sup"]), signed_in_client(app, w["trainee"])
    with app.app_context():
        assert db.session.scalars(select(Certificate)).all() == []  # waits for the evaluation
    program = _text(learner.get("/learn/programs/test-prog").text)
    assert "Final evaluation: every competency at level 3 or above" in program
    assert "Your supervisor signs the final evaluation." in program

    page = _text(supervisor.get(f"/supervise/trainees/{e}/evaluations").text)
    assert "Mid-point evaluation" in page and "Due" in page
    bad = supervisor.post(
        f"/supervise/trainees/{e}/evaluations", data=_rated("final", "3", "", name="Sam S")
    )
    assert bad.status_code == 422
    text = _text(bad.text)
    assert "Rate this competency." in text and "Type your legal name exactly" in text
    assert 'value="3" checked' in bad.text  # what was chosen is kept
    with app.app_context():
        assert db.session.scalars(select(CompetencyEvaluation)).all() == []

    assert (
        supervisor.post(
            f"/supervise/trainees/{e}/evaluations", data=_rated("final", "3", "2")
        ).status_code
        == 302
    )
    program = _text(learner.get("/learn/programs/test-prog").text)
    assert "rates a competency at level 2; every competency must be at level 3" in program
    with app.app_context():
        first = db.session.scalar(select(CompetencyEvaluation.id))
        assert db.session.scalars(select(Certificate)).all() == []

    # the trainee reads it, responds, acknowledges once
    view = _text(learner.get(f"/hours/evaluations/{first}").text)
    assert "Final evaluation by Sam Supervisor" in view and "2: Developing" in view
    learner.post(f"/hours/evaluations/{first}/acknowledge", data={"response": "Fair; I agree."})
    again = learner.post(f"/hours/evaluations/{first}/acknowledge", data={}, follow_redirects=True)
    assert "You have already acknowledged this evaluation." in _text(again.text)

    # a correction is a new evaluation; the latest counts and completes the program
    supervisor.post(f"/supervise/trainees/{e}/evaluations", data=_rated("final", "3", "4"))
    with app.app_context():
        rows = db.session.scalars(
            select(CompetencyEvaluation).order_by(CompetencyEvaluation.id)
        ).all()
        assert [r.lowest_level for r in rows] == [2, 3]
        assert rows[0].response == "Fair; I agree." and rows[0].acknowledged_at is not None
        cert = db.session.scalars(select(Certificate)).one()
        evaluated = cert.evidence["evaluations"]
        number = cert.number
    assert [(x["title"], x["lowest_level"]) for x in evaluated] == [
        ("Final evaluation", 2),
        ("Final evaluation", 3),
    ]
    board = signed_in_client(app, make_user("board", jurisdiction="TS"))
    record = _text(board.get(f"/board/registry/{number}").text)
    assert "Final evaluation, signed" in record and "lowest level 3" in record
    assert "Builds trust quickly." not in record  # the ratings' comments stay with the PDF


def test_the_pdf_states_every_rating_and_only_the_two_and_admins_open_it(
    app: Any, tmp_path: Path, make_user: Any
) -> None:
    w = _world(app, tmp_path, make_user)
    supervisor = signed_in_client(app, w["sup"])
    supervisor.post(
        f"/supervise/trainees/{w['enrolment']}/evaluations", data=_rated("midpoint", "2", "3")
    )
    with app.app_context():
        eid = db.session.scalar(select(CompetencyEvaluation.id))
    pdf = signed_in_client(app, w["trainee"]).get(f"/hours/evaluations/{eid}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    path = tmp_path / "evaluation.pdf"
    path.write_bytes(pdf.data)
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert "Mid-point evaluation: Casey Candidate" in text
    assert "Engages peers in collaborative and caring relationships" in text
    assert "2: Developing" in text and "Keep practising reflective listening." in text
    assert supervisor.get(f"/supervise/evaluations/{eid}.pdf").status_code == 200
    other = signed_in_client(app, make_user("trainee"))
    assert other.get(f"/hours/evaluations/{eid}").status_code == 404
    assert other.get(f"/hours/evaluations/{eid}.pdf").status_code == 404
    stranger = signed_in_client(app, make_user("supervisor"))
    assert stranger.get(f"/supervise/evaluations/{eid}.pdf").status_code == 404
    assert stranger.get(f"/supervise/trainees/{w['enrolment']}/evaluations").status_code == 404


def test_the_evaluation_pages_stay_within_the_statement_budget(
    app: Any, tmp_path: Path, make_user: Any, count_queries: Any
) -> None:
    """Issue 14's budget (8), and the same count with more evaluations signed."""
    w = _world(app, tmp_path, make_user)
    supervisor, learner = signed_in_client(app, w["sup"]), signed_in_client(app, w["trainee"])
    page = f"/supervise/trainees/{w['enrolment']}/evaluations"
    supervisor.post(page, data=_rated("midpoint", "2", "3"))
    with app.app_context():
        eid = db.session.scalar(select(CompetencyEvaluation.id))

    def measure() -> list[int]:
        counts = []
        for client, url in ((supervisor, page), (learner, f"/hours/evaluations/{eid}")):
            client.get(url)  # warm
            with count_queries() as q:
                assert client.get(url).status_code == 200
            counts.append(q.count)
        return counts

    before = measure()
    assert max(before) <= 8, before
    for _ in range(5):
        supervisor.post(page, data=_rated("final", "3", "4"))
    assert measure() == before


def test_a_supervisor_not_qualified_for_the_program_cannot_evaluate(
    app: Any, tmp_path: Path, make_user: Any
) -> None:
    from tests.services.test_supervisor_qualifications import RULE

    tree = write_tree(tmp_path)
    program = tree / "programs" / "test-prog.yaml"
    program.write_text(program.read_text() + EVALUATIONS + RULE)
    load(app, tree)
    trainee = make_user("trainee", name="Casey Candidate")
    sup, admin = make_user("supervisor", name="Sam Supervisor"), make_user("admin")
    enrolment = everything_but_hours(app, trainee, sup, admin)
    supervisor = signed_in_client(app, sup)
    page = f"/supervise/trainees/{enrolment}/evaluations"
    assert "You cannot sign off hours for Test Program yet." in _text(supervisor.get(page).text)
    refused = supervisor.post(page, data=_rated("midpoint", "3", "3"))
    assert refused.status_code == 422
    assert "Test Act 1(a) asks for a Certified Alcohol and Drug Counselor" in _text(refused.text)
    with app.app_context():
        assert db.session.scalars(select(CompetencyEvaluation)).all() == []
