"""A board member revokes certificates of their own jurisdiction only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.cert_helpers import TEST_PROG_HOURS, approve, everything_but_hours, log_hours
from tests.conftest import Auth
from tests.content_fixture import write_tree
from tests.exam_helpers import load
from trainer.extensions import db
from trainer.models import Certificate


def test_board_revokes_only_in_its_jurisdiction(app: Any, tmp_path: Path, make_user: Any) -> None:
    load(app, write_tree(tmp_path))
    trainee, sup, admin = make_user("trainee"), make_user("supervisor"), make_user("admin")
    enrolment = everything_but_hours(app, trainee, sup, admin)
    approve(app, sup, log_hours(app, trainee, sup, enrolment, TEST_PROG_HOURS))
    with app.app_context():
        number = db.session.query(Certificate).one().number
    elsewhere = app.test_client()
    Auth(elsewhere).login(make_user("board", jurisdiction="KY"))
    assert number not in elsewhere.get("/board/").text
    r = elsewhere.post(
        "/board/revoke", data={"number": number, "reason": "x"}, follow_redirects=True
    )
    assert "No certificate of your jurisdiction" in r.text
    own = app.test_client()
    Auth(own).login(make_user("board", jurisdiction="TS"))
    assert number in own.get("/board/").text
    r = own.post(
        "/board/revoke",
        data={"number": number, "reason": "Board decision 12"},
        follow_redirects=True,
    )
    assert f"Certificate {number} is revoked." in r.text
    with app.app_context():
        cert = db.session.query(Certificate).one()
        assert cert.status == "revoked" and cert.revoke_reason == "Board decision 12"
