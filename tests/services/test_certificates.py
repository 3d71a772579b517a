"""From evidence to exactly one certificate, and what happens to it afterwards."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.support.certificates import (
    TEST_PROG_HOURS,
    approve,
    certificate_of,
    everything_but_hours,
    log_hours,
)
from tests.support.content import write_tree
from tests.support.exams import load
from trainer.clock import utcnow
from trainer.domain import credential as vc
from trainer.domain.errors import NotFound, RuleError
from trainer.extensions import db
from trainer.models import Certificate, User
from trainer.services import certificates


@pytest.fixture
def people(app: Any, tmp_path: Path, make_user: Any) -> dict[str, Any]:
    load(app, write_tree(tmp_path))
    p = {
        "trainee": make_user("trainee", name="Casey Candidate"),
        "sup": make_user("supervisor"),
        "admin": make_user("admin"),
    }
    p["enrolment"] = everything_but_hours(app, p["trainee"], p["sup"], p["admin"])
    return p


def test_last_approved_hour_issues_the_certificate(app: Any, people: dict[str, Any]) -> None:
    ids = log_hours(app, people["trainee"], people["sup"], people["enrolment"], TEST_PROG_HOURS)
    approve(app, people["sup"], ids[:-1])
    assert certificate_of(app, people["trainee"].id) is None  # supervision hours still missing
    approve(app, people["sup"], ids[-1:])
    cert = certificate_of(app, people["trainee"].id)
    assert cert is not None and cert.status == "active"
    assert cert.number.startswith(f"TS-TPS-{cert.issued_at.year}-")
    assert cert.holder_name == "Casey Candidate"
    assert (cert.expires_at - cert.issued_at).days in range(730, 733)
    assert cert.pdf.startswith(b"%PDF") and len(cert.pdf_sha256) == 64
    assert cert.evidence["hours_by_category"] == {"advocacy": 4.0, "ethical-responsibility": 6.0}
    assert cert.evidence["supervision_hours"] == 2.0
    signed = json.loads(cert.credential_json)
    assert "OpenBadgeCredential" in signed["type"]
    with app.app_context():
        claims = vc.verify(signed, certificates.public_key())
    assert claims["id"].endswith(f"/verify/{cert.number}") and cert.number in claims["description"]


def test_requirements_list_says_what_is_missing(app: Any, people: dict[str, Any]) -> None:
    with app.app_context():
        from trainer.models import Enrolment

        statuses = certificates.requirements(
            db.session.get(Enrolment, people["enrolment"]), utcnow()
        )
        missing = {s.key: s.detail for s in statuses if not s.met}
    assert missing["hours:total"] == "10 more approved hours of supervised work."
    assert missing["hours:advocacy"] == "4 more approved hours of Advocacy."
    assert missing["hours:supervision"] == "2 more approved hours of supervision received."
    assert all(
        s.met for s in statuses if s.key.startswith(("module:", "exam", "attestation", "document"))
    )


def test_exactly_one_certificate_under_concurrent_checks(app: Any, people: dict[str, Any]) -> None:
    ids = log_hours(app, people["trainee"], people["sup"], people["enrolment"], TEST_PROG_HOURS)
    with app.app_context():
        from trainer.models import HourEntry

        for entry in db.session.scalars(select(HourEntry).where(HourEntry.id.in_(ids))):
            entry.status, entry.decided_at = "approved", utcnow()  # approved, not yet checked
            entry.decided_by_id = people["sup"].id
        db.session.commit()
    barrier = threading.Barrier(5)
    errors: list[BaseException] = []

    def check() -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                certificates.issue_if_met(
                    db.session.get(User, people["trainee"].id), "test-prog", utcnow()
                )
                db.session.commit()
        except BaseException as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=check) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1


def test_revocation_and_status(app: Any, people: dict[str, Any], make_user: Any) -> None:
    ids = log_hours(app, people["trainee"], people["sup"], people["enrolment"], TEST_PROG_HOURS)
    approve(app, people["sup"], ids)
    cert = certificate_of(app, people["trainee"].id)
    other_board = make_user("board", jurisdiction="KY")
    own_board = make_user("board", jurisdiction="TS")
    with app.app_context():
        now = utcnow()
        assert certificates.public(cert.number, now).status == "active"
        assert certificates.public(cert.number, cert.expires_at).status == "expired"
        with pytest.raises(NotFound):  # another jurisdiction's board cannot see it
            certificates.revoke(db.session.get(User, other_board.id), cert.number, "x", now)
        with pytest.raises(RuleError, match="reason"):
            certificates.revoke(db.session.get(User, own_board.id), cert.number, " ", now)
        certificates.revoke(db.session.get(User, own_board.id), cert.number, "Misconduct", now)
        db.session.commit()
        with pytest.raises(RuleError, match="already revoked"):
            certificates.revoke(db.session.get(User, people["admin"].id), cert.number, "x", now)
        assert certificates.public(cert.number, now).status == "revoked"
        with pytest.raises(NotFound):
            certificates.public("TS-TPS-2026-000001-0", now)  # bad check digit
    assert certificate_of(app, people["trainee"].id).pdf == cert.pdf  # document unchanged


def test_credential_verification_fails_when_altered(app: Any, people: dict[str, Any]) -> None:
    ids = log_hours(app, people["trainee"], people["sup"], people["enrolment"], TEST_PROG_HOURS)
    approve(app, people["sup"], ids)
    cert = certificate_of(app, people["trainee"].id)
    signed = json.loads(cert.credential_json)
    signed["credentialSubject"]["name"] = "Someone Else"
    with app.app_context(), pytest.raises(vc.CredentialError):
        vc.verify(signed, certificates.public_key())


def test_review_programs_queue_before_issuing(
    app: Any, people: dict[str, Any], tmp_path: Path
) -> None:
    tree = tmp_path / "content"
    program = tree / "programs" / "test-prog.yaml"
    program.write_text(program.read_text().replace("issuance: automatic", "issuance: review"))
    load(app, tree)
    ids = log_hours(app, people["trainee"], people["sup"], people["enrolment"], TEST_PROG_HOURS)
    approve(app, people["sup"], ids)
    cert = certificate_of(app, people["trainee"].id)
    assert cert.status == "review" and cert.number is None and cert.pdf is None
    with app.app_context():
        certificates.approve_review(
            db.session.get(User, people["admin"].id), cert.id, utcnow() + timedelta(days=1)
        )
        db.session.commit()
    assert certificate_of(app, people["trainee"].id).status == "active"
