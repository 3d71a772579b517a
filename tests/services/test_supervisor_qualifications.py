"""Supervisors are checked against the program's rule when they sign off hours: a credential
recorded with a document, verified by an administrator, held long enough, not expired."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.support.certificates import PNG, TEST_PROG_HOURS, everything_but_hours, log_hours
from tests.support.content import write_tree
from tests.support.exams import load
from tests.support.hours import local_today
from trainer.clock import utcnow
from trainer.domain.errors import NotFound, RuleError, RuleErrors
from trainer.extensions import db
from trainer.models import Certificate, HourEntry, SupervisorQualification, User
from trainer.services import hours, supervision

RULE = """
supervisors:
  source: Test Act 1(a)
  options:
    - {credential: cadc, min_months: 24, supervision_training: true}
"""
PDF = b"%PDF-1.4 a credential"


def ruled_tree(root: Path) -> Path:
    """The test content with a supervisor rule on test-prog."""
    tree = write_tree(root)
    program = tree / "programs" / "test-prog.yaml"
    program.write_text(program.read_text() + RULE)
    return tree


def draft(**changes: Any) -> supervision.QualificationDraft:
    values: dict[str, Any] = {
        "credential": "cadc",
        "number": "CADC-1234",
        "issuer": "Kentucky Board of Alcohol and Drug Counselors",
        "issued_on": date.today() - timedelta(days=3 * 365),
        "expires_on": None,
        "supervision_training": True,
    }
    return supervision.QualificationDraft(**{**values, **changes})


def record(app: Any, sup: Any, data: bytes = PDF, **changes: Any) -> int:
    with app.app_context():
        row = supervision.record(
            db.session.get(User, sup.id),
            draft(**changes),
            "cadc.pdf",
            data,
            utcnow(),
            date.today(),
        )
        db.session.commit()
        return row.id


def verify(app: Any, admin: Any, qualification_id: int) -> None:
    with app.app_context():
        supervision.decide(db.session.get(User, admin.id), qualification_id, True, "", utcnow())
        db.session.commit()


def try_approve(app: Any, sup: Any, ids: list[int]) -> RuleError | None:
    with app.app_context():
        try:
            hours.decide(db.session.get(User, sup.id), ids, "approve", "", True, utcnow())
        except RuleError as error:
            db.session.rollback()
            return error
        db.session.commit()
        return None


def statuses(app: Any, ids: list[int]) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(HourEntry.status).where(HourEntry.id.in_(ids))))


@pytest.fixture
def world(app: Any, tmp_path: Path, make_user: Any) -> dict[str, Any]:
    load(app, ruled_tree(tmp_path))
    trainee = make_user("trainee", name="Casey Candidate")
    sup, admin = make_user("supervisor", name="Sam Supervisor"), make_user("admin")
    enrolment = everything_but_hours(app, trainee, sup, admin)
    ids = log_hours(app, trainee, sup, enrolment, TEST_PROG_HOURS)
    return {"trainee": trainee, "sup": sup, "admin": admin, "ids": ids, "enrolment": enrolment}


def test_sign_off_waits_for_a_verified_credential_that_meets_the_rule(
    app: Any, world: dict[str, Any]
) -> None:
    sup, ids = world["sup"], world["ids"]
    refused = try_approve(app, sup, ids)
    assert refused is not None
    assert refused.message.startswith("You cannot sign off hours for Test Program yet.")
    assert "Test Act 1(a) asks for a Certified Alcohol and Drug Counselor (CADC)" in refused.message
    assert "No qualifying credential is recorded yet." in refused.message
    assert statuses(app, ids) == {"pending"}  # nothing decided

    qid = record(app, sup)
    refused = try_approve(app, sup, ids)
    assert refused is not None and "waiting for an administrator to verify it" in refused.message
    assert statuses(app, ids) == {"pending"}

    verify(app, world["admin"], qid)
    assert try_approve(app, sup, ids) is None
    with app.app_context():
        entries = db.session.scalars(select(HourEntry).where(HourEntry.id.in_(ids))).all()
        assert {e.status for e in entries} == {"approved"}
        assert {e.qualification_id for e in entries} == {qid}
        cert = db.session.scalars(select(Certificate)).one()
        held = cert.evidence["supervisor_qualifications"]
    assert held == [
        {
            "supervisor": "Sam Supervisor",
            "credential": "cadc",
            "credential_label": "Certified Alcohol and Drug Counselor (CADC)",
            "number": "CADC-1234",
            "issuer": "Kentucky Board of Alcohol and Drug Counselors",
            "issued_on": (date.today() - timedelta(days=3 * 365)).isoformat(),
        }
    ]
    json.dumps(cert.evidence)  # the snapshot stays plain JSON


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"issued_on": date.today() - timedelta(days=200)}, "has been held for 6 months"),
        ({"supervision_training": False}, "without the board's supervision training"),
        (
            {
                "issued_on": local_today() - timedelta(days=5 * 365),
                "expires_on": local_today() - timedelta(days=1),
            },
            "expired on",
        ),
        ({"credential": "lcadc"}, "No qualifying credential is recorded yet."),
    ],
)
def test_a_credential_that_does_not_meet_the_rule_is_refused_with_the_reason(
    app: Any, world: dict[str, Any], changes: dict[str, Any], why: str
) -> None:
    verify(app, world["admin"], record(app, world["sup"], **changes))
    refused = try_approve(app, world["sup"], world["ids"])
    assert refused is not None and why in refused.message
    assert statuses(app, world["ids"]) == {"pending"}


def test_return_and_reject_need_no_credential(app: Any, world: dict[str, Any]) -> None:
    with app.app_context():
        sup = db.session.get(User, world["sup"].id)
        hours.decide(sup, world["ids"][:1], "return", "Fix the date.", False, utcnow())
        db.session.commit()
    assert statuses(app, world["ids"][:1]) == {"returned"}


def test_the_trainee_and_the_supervisor_are_told_who_cannot_sign_yet(
    app: Any, world: dict[str, Any]
) -> None:
    today = date.today()
    with app.app_context():
        why = supervision.standing(world["sup"].id, "test-prog", today)
        assert why is not None and why.startswith("Test Act 1(a) asks for")
        assert supervision.blocked_programs(world["sup"].id, ["test-prog"], today) == {
            "test-prog": why
        }
    verify(app, world["admin"], record(app, world["sup"]))
    with app.app_context():
        assert supervision.standing(world["sup"].id, "test-prog", today) is None


def test_every_problem_of_a_credential_is_reported_at_once(app: Any, world: dict[str, Any]) -> None:
    with pytest.raises(RuleErrors) as caught:
        record(
            app,
            world["sup"],
            data=b"",
            credential="astrologer",
            number="  ",
            issuer="",
            issued_on=date.today() + timedelta(days=1),
        )
    fields = {p.field for p in caught.value.problems}
    assert fields == {"credential", "number", "issuer", "issued_on", "document"}
    with pytest.raises(RuleErrors) as caught:
        record(app, world["sup"], expires_on=date.today() - timedelta(days=4 * 365))
    assert {p.field for p in caught.value.problems} == {"expires_on"}
    with pytest.raises(RuleError) as bad_file:
        record(app, world["sup"], data=b"MZ\x90 an executable")
    assert bad_file.value.field == "document" and "PDF, PNG or JPEG" in bad_file.value.message
    with app.app_context():
        assert db.session.scalars(select(SupervisorQualification)).all() == []


def test_only_the_holder_and_administrators_open_the_document(
    app: Any, world: dict[str, Any], make_user: Any
) -> None:
    qid = record(app, world["sup"], data=PNG)
    stranger = make_user("supervisor")
    with app.app_context():
        holder = db.session.get(User, world["sup"].id)
        admin = db.session.get(User, world["admin"].id)
        assert supervision.document_for(holder, qid)[1] == PNG
        assert supervision.document_for(admin, qid)[1] == PNG
        other = db.session.get(User, stranger.id)
        with pytest.raises(NotFound):
            supervision.document_for(other, qid)


def test_a_decision_is_made_once_and_a_refusal_needs_a_reason(
    app: Any, world: dict[str, Any]
) -> None:
    qid = record(app, world["sup"])
    with app.app_context():
        admin = db.session.get(User, world["admin"].id)
        with pytest.raises(RuleError, match="Give the reason"):
            supervision.decide(admin, qid, False, " ", utcnow())
        supervision.decide(admin, qid, False, "The number is not in the board's lookup.", utcnow())
        db.session.commit()
        with pytest.raises(RuleError, match="already decided"):
            supervision.decide(admin, qid, True, "", utcnow())
