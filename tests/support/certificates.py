"""Earning a certificate through the real services: modules, exam, hours, statements, documents."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from tests.support.exams import complete_program_modules, right_tokens
from tests.support.hours import supervised_trainee
from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models import Certificate, ExamItem, ItemRevision, Program, User
from trainer.services import evidence, exams, hours

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def pass_exam(user: User, program_id: str) -> None:
    attempt = exams.start(user, program_id, utcnow())
    for item in db.session.scalars(select(ExamItem).where(ExamItem.attempt_id == attempt.id)):
        content = db.session.scalar(
            select(ItemRevision.content).where(
                ItemRevision.item_id == item.item_id, ItemRevision.revision == item.revision
            )
        )
        tokens = right_tokens({"order": item.option_order}, content)
        exams.save_answer(user, attempt.id, item.position, tokens, False, utcnow())
    assert exams.submit(user, attempt.id, utcnow()).passed


def everything_but_hours(
    app: Any, trainee: Any, sup: Any, admin: Any, program_id: str = "test-prog"
) -> int:
    """Modules, exam, statements and documents done; returns the enrolment id."""
    enrolment_id = supervised_trainee(app, trainee, sup, admin, program_id)
    complete_program_modules(app, trainee.id, program_id)
    with app.app_context():
        user = db.session.get(User, trainee.id)
        pass_exam(user, program_id)
        program = db.session.get(Program, program_id)
        for a in program.definition["attestations"]:
            evidence.sign(user, program_id, a["id"], user.legal_name, utcnow())
        boss = db.session.get(User, admin.id)
        for d in program.definition["documents"]:
            for _ in range(d["count"]):
                doc = evidence.upload(user, program_id, d["id"], "letter.png", PNG, utcnow())
                evidence.decide_document(boss, doc.id, True, "", utcnow())
        db.session.commit()
    return enrolment_id


def log_hours(
    app: Any, trainee: Any, sup: Any, enrolment_id: int, plan: list[tuple[str, str, str]]
) -> list[int]:
    """Log entries (hours, category, kind), one per day going back; returns their ids."""
    ids = []
    with app.app_context():
        user = db.session.get(User, trainee.id)
        for n, (amount, category, kind) in enumerate(plan, start=1):
            form = hours.EntrySubmission(
                hours.local_date(user, utcnow()) - timedelta(days=n),
                amount,
                category,
                "cmhc",
                kind,
                "Supported a peer.",
                sup.id,
            )
            ids.append(hours.log_entry(user, enrolment_id, form, utcnow()).id)
        db.session.commit()
    return ids


def approve(app: Any, sup: Any, ids: list[int]) -> None:
    with app.app_context():
        hours.decide(db.session.get(User, sup.id), ids, "approve", "", True, utcnow())
        db.session.commit()


def certificate_of(app: Any, user_id: int) -> Certificate | None:
    with app.app_context():
        cert = db.session.scalar(select(Certificate).where(Certificate.user_id == user_id))
        if cert is not None:
            _ = cert.pdf
            db.session.expunge(cert)
        return cert


TEST_PROG_HOURS = [
    ("4", "advocacy", "direct"),
    ("4", "ethical-responsibility", "direct"),
    ("2", "ethical-responsibility", "supervision"),
]


def certified(app: Any, make_user: Any, name: str = "Casey Candidate") -> tuple[Any, Any, Any]:
    """A trainee who has earned test-prog's certificate through the real services (content
    loaded by the caller); returns (holder, supervisor, admin)."""
    holder = make_user("trainee", name=name)
    sup, admin = make_user("supervisor"), make_user("admin")
    enrolment = everything_but_hours(app, holder, sup, admin)
    approve(app, sup, log_hours(app, holder, sup, enrolment, TEST_PROG_HOURS))
    return holder, sup, admin
