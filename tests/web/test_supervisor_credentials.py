"""The pages of supervisor qualifications: a supervisor records a credential (errors beside
their fields, nothing kept on a bad submit), an administrator verifies it from the work queue,
the trainee and the supervisor are told who cannot sign off yet, and the board reads the
credential in the certificate's evidence."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from html import unescape
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from tests.services.test_supervisor_qualifications import PDF, ruled_tree
from tests.support.certificates import TEST_PROG_HOURS, everything_but_hours, log_hours
from tests.support.exams import load
from tests.support.hours import signed_in_client
from trainer.extensions import db
from trainer.models import Certificate, SupervisorQualification


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _form(**changes: Any) -> dict[str, Any]:
    issued = date.today() - timedelta(days=3 * 365)
    values: dict[str, Any] = {
        "credential": "cadc",
        "number": "CADC-77",
        "issuer": "Kentucky Board of Alcohol and Drug Counselors",
        "issued_on": issued.isoformat(),
        "expires_on": "",
        "supervision_training": "y",
        "document": (io.BytesIO(PDF), "cadc.pdf"),
    }
    return {k: v for k, v in {**values, **changes}.items() if v is not None}


def test_supervisor_records_a_credential_and_an_admin_verifies_it(
    app: Any, tmp_path: Path, make_user: Any
) -> None:
    load(app, ruled_tree(tmp_path))
    trainee = make_user("trainee", name="Casey Candidate")
    sup, admin = make_user("supervisor", name="Sam Supervisor"), make_user("admin")
    enrolment = everything_but_hours(app, trainee, sup, admin)
    ids = log_hours(app, trainee, sup, enrolment, TEST_PROG_HOURS)
    supervisor, boss = signed_in_client(app, sup), signed_in_client(app, admin)
    learner = signed_in_client(app, trainee)

    # both sides are told, in the rule's words, before anything is recorded
    home = _text(supervisor.get("/supervise/").text)
    assert "You cannot sign off hours for Test Program yet." in home
    assert "Test Act 1(a) asks for a Certified Alcohol and Drug Counselor (CADC)" in home
    assert "You cannot sign off hours for Test Program yet." in _text(
        supervisor.get("/supervise/queue").text
    )
    mine = _text(learner.get(f"/hours/{enrolment}").text)
    assert "Sam Supervisor cannot sign off hours for this program yet" in mine
    refused = supervisor.post(
        "/supervise/decide",
        data={"entry": [str(i) for i in ids], "action": "approve", "attest": "1"},
        follow_redirects=True,
    )
    assert "You cannot sign off hours for Test Program yet." in _text(refused.text)

    page = supervisor.get("/supervise/qualifications")
    assert page.status_code == 200
    assert "Who may supervise, by program" in page.text and "Test Act 1(a)" in page.text
    bad = supervisor.post(
        "/supervise/qualifications",
        data=_form(
            number="",
            issued_on=(date.today() + timedelta(days=2)).isoformat(),
            document=(io.BytesIO(b"not a pdf"), "x.exe"),
        ),
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422
    assert "There is a problem" in bad.text
    assert 'id="number-error"' in bad.text and "The issue date cannot be in the future." in bad.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SupervisorQualification)) == 0
    bad_file = supervisor.post(
        "/supervise/qualifications",
        data=_form(document=(io.BytesIO(b"MZ not a pdf"), "x.exe")),
        content_type="multipart/form-data",
    )
    assert bad_file.status_code == 422 and "Upload a PDF, PNG or JPEG file." in bad_file.text
    ok = supervisor.post(
        "/supervise/qualifications", data=_form(), content_type="multipart/form-data"
    )
    assert ok.status_code == 302
    listed = _text(supervisor.get("/supervise/qualifications").text)
    assert "CADC-77" in listed and "Waiting for a check" in listed
    with app.app_context():
        qid = db.session.scalar(select(SupervisorQualification.id))
    assert supervisor.get(f"/supervise/qualifications/{qid}/document").data == PDF

    # the admin finds it in the work queue and the navigation, and verifies it
    overview = _text(boss.get("/admin/").text)
    assert "Supervisor's credential to verify: Certified Alcohol and Drug Counselor" in overview
    assert "Supervisors' credentials 1 waiting" in overview
    queue = boss.get("/admin/qualifications").text
    assert "Sam Supervisor" in queue and "CADC-77" in queue
    assert boss.get(f"/admin/qualifications/{qid}/document").data == PDF
    boss.post(f"/admin/qualifications/{qid}/decide", data={"decision": "approve"})
    assert "None waiting." in boss.get("/admin/qualifications").text

    assert "cannot sign off" not in supervisor.get("/supervise/").text
    assert "cannot sign off" not in learner.get(f"/hours/{enrolment}").text
    done = supervisor.post(
        "/supervise/decide",
        data={"entry": [str(i) for i in ids], "action": "approve", "attest": "1"},
        follow_redirects=True,
    )
    assert "3 entries approved." in done.text

    # the board reads which credential the approving supervisor held
    with app.app_context():
        number = db.session.scalar(select(Certificate.number))
    board = signed_in_client(app, make_user("board", jurisdiction="TS"))
    record = _text(board.get(f"/board/registry/{number}").text)
    issued = date.today() - timedelta(days=3 * 365)
    assert (
        "Sam Supervisor: Certified Alcohol and Drug Counselor (CADC) no. CADC-77, Kentucky "
        f"Board of Alcohol and Drug Counselors, issued {issued:%-d %B %Y}" in record
    )


def test_nobody_else_opens_a_credentials_document(app: Any, tmp_path: Path, make_user: Any) -> None:
    load(app, ruled_tree(tmp_path))
    holder = signed_in_client(app, make_user("supervisor"))
    holder.post("/supervise/qualifications", data=_form(), content_type="multipart/form-data")
    with app.app_context():
        qid = db.session.scalar(select(SupervisorQualification.id))
    other = signed_in_client(app, make_user("supervisor"))
    assert other.get(f"/supervise/qualifications/{qid}/document").status_code == 404
    trainee = signed_in_client(app, make_user("trainee"))
    assert trainee.get(f"/admin/qualifications/{qid}/document").status_code == 403
