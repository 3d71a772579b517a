"""Demo data for ``trainer demo`` and ``make run``: safe to run any number of times."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from io import BytesIO

import segno
from sqlalchemy import select

from trainer.domain import sessions as session_rules
from trainer.domain import two_factor as two_factor_rules
from trainer.domain.exam import option_tokens
from trainer.extensions import db
from trainer.models import Certificate, ExamItem, ItemRevision, ModuleSection, Program, User
from trainer.services import (
    accounts,
    employers,
    evaluations,
    evidence,
    exams,
    hours,
    learning,
    quizzes,
    sessions,
    supervision,
    two_factor,
)
from trainer.services.release import ProgramInfo

#: Demo sign-ins, printed by ``make run``. Demo only: never use these on a real deployment.
DEMO_ACCOUNTS = [
    ("admin@demo.trainer", "Avery Admin", {"admin"}, None, "demo-admin-pass"),
    ("supervisor@demo.trainer", "Sam Supervisor", {"supervisor"}, None, "demo-supervisor-pass"),
    ("board@demo.trainer", "Blake Board", {"board"}, "KY", "demo-board-pass"),
    ("trainee@demo.trainer", "Taylor Trainee", {"trainee"}, None, "demo-trainee-pass"),
    ("certified@demo.trainer", "Casey Certified", {"trainee"}, None, "demo-certified-pass"),
    ("employer@demo.trainer", "Emery Employer", {"employer"}, None, "demo-employer-pass"),
]
#: The demo employer's organisation (an employer account needs one).
DEMO_ORGANISATIONS = {"employer@demo.trainer": "Bluegrass Recovery Center (demo)"}
CERTIFIED_PROGRAM = "ky-apss"
#: Demo accounts that sign in with a TOTP code too (their roles require it); the secret is
#: random per installation, kept in the database and printed with the password.
TWO_FACTOR_ACCOUNTS = ("admin@demo.trainer", "board@demo.trainer")


def seed(now: datetime) -> Iterator[str]:
    for email, name, roles, jurisdiction, password in DEMO_ACCOUNTS:
        if accounts.find_by_email(email) is None:
            accounts.create_user(
                None, email, name, roles, jurisdiction, password=password, now=now,
                organisation=DEMO_ORGANISATIONS.get(email),
            )  # fmt: skip
            status = "created"
        else:
            status = "exists"
        yield f"  {sorted(roles)[0]:<11} {email:<26} password: {password}   ({status})"
        if email in TWO_FACTOR_ACCOUNTS:
            yield _demo_totp(email, now)
    db.session.commit()
    if db.session.get(Program, CERTIFIED_PROGRAM) is not None:
        yield _qualified_supervisor(now)
        db.session.commit()
    line = _certified_trainee(now)
    db.session.commit()
    if line:
        yield line
    line = _employer_roster(now)
    db.session.commit()
    if line:
        yield line


def _demo_totp(email: str, now: datetime) -> str:
    """Enrol a demo account in two-factor sign-in once (a random secret, kept); the line
    prints the secret for an authenticator app or a script (``trainer totp-code EMAIL``)."""
    user = accounts.find_by_email(email)
    assert user is not None
    secret = two_factor.secret_of(user)
    if secret is None:
        secret = two_factor_rules.new_secret()
        two_factor.enrol_with_secret(user, secret, now)
    uri = two_factor_rules.provisioning_uri(secret, email, two_factor.ISSUER)
    return f"  {'':<11} {'':<26} totp secret: {secret}   ({uri})"


def _employer_roster(now: datetime) -> str | None:
    """The demo employer watches the certified demo trainee's certificate."""
    boss = accounts.find_by_email("employer@demo.trainer")
    casey = accounts.find_by_email("certified@demo.trainer")
    cert = casey and db.session.scalar(select(Certificate).where(Certificate.user_id == casey.id))
    if boss is None or not cert or cert.number is None:
        return None
    if not employers.roster(boss, now).total:
        employers.add_number(boss, cert.number, "Casey (peer support team)", now)
    return f"  employer    employer@demo.trainer      watches certificate {cert.number}"


def _certified_trainee(now: datetime) -> str | None:
    """Casey earns a real certificate through the services: reads every module, passes the
    quizzes and the exam, signs the statements, uploads a document an admin approves, and
    logs hours the demo supervisor approves."""
    if db.session.get(Program, CERTIFIED_PROGRAM) is None:
        return "  (no certified demo trainee: load content/ first)"
    casey = accounts.find_by_email("certified@demo.trainer")
    admin = accounts.find_by_email("admin@demo.trainer")
    sup = accounts.find_by_email("supervisor@demo.trainer")
    assert casey and admin and sup
    existing = db.session.scalar(select(Certificate).where(Certificate.user_id == casey.id))
    if existing is None:
        enrolment = learning.enrol(casey, CERTIFIED_PROGRAM, now)
        enrolment.enrolled_at = now - timedelta(days=90)
        hours.assign(admin, casey.email, CERTIFIED_PROGRAM, sup.email, now)
        program = learning.get_program(CERTIFIED_PROGRAM)
        _complete_modules(casey, program, now)
        _pass_exam(casey, now)
        _log_approved_hours(casey, sup, enrolment.id, now)
        _confirmed_sessions(casey, sup, enrolment.id, now)
        _final_evaluation(casey, sup, enrolment.id, now)
        _sign_and_upload(casey, admin, program, now)
        db.session.flush()
        existing = db.session.scalar(select(Certificate).where(Certificate.user_id == casey.id))
    if existing is None or existing.number is None:
        return "  (the certified demo trainee has not earned a certificate: check content/)"
    return (
        f"  certified   certified@demo.trainer     holds certificate {existing.number}"
        f" (verify at /verify/{existing.number})"
    )


def _qualified_supervisor(now: datetime) -> str:
    """Sam holds a verified CADC of six years with the board's supervision training (KRS
    309.0831(3)(a), for ky-radpss) and a documented peer-supervisor role of three years (the
    IC&RC rule, for icrc-pr)."""
    sup = accounts.find_by_email("supervisor@demo.trainer")
    admin = accounts.find_by_email("admin@demo.trainer")
    assert sup and admin
    if not supervision.of(sup.id):
        today = hours.local_date(sup, now)
        image = BytesIO()
        segno.make("Demo credential").save(image, kind="png", scale=4)
        held = [
            ("cadc", "DEMO-CADC-0001", "Kentucky Board of Alcohol and Drug Counselors", 6, True),
            (
                "peer-supervisor",
                "Peer Services Supervisor (job description)",
                "Demo Recovery Center",
                3,
                False,
            ),
        ]
        for credential, number, issuer, years, trained in held:
            draft = supervision.QualificationDraft(
                credential, number, issuer, today - timedelta(days=365 * years + 2), None, trained
            )
            row = supervision.record(sup, draft, "credential.png", image.getvalue(), now, today)
            supervision.decide(admin, row.id, True, "", now)
    return "  supervisor  supervisor@demo.trainer    holds verified supervising credentials"


def _right_tokens(order: Sequence[str], item_id: str, revision: int) -> list[str]:
    """The answer tokens that choose the correct options of an item revision shown in ``order``."""
    row = db.session.scalar(
        select(ItemRevision).where(
            ItemRevision.item_id == item_id, ItemRevision.revision == revision
        )
    )
    assert row is not None
    return [t for t, k in zip(option_tokens(order), order, strict=True) if k in row.item.answer]


def _complete_modules(casey: User, program: ProgramInfo, now: datetime) -> None:
    for module_id in program.spec.modules:
        for anchor in db.session.scalars(
            select(ModuleSection.anchor).where(ModuleSection.module_id == module_id)
        ):
            learning.mark_read(casey, module_id, anchor, now)
        quiz = quizzes.start(casey, module_id, now)
        answers = {
            f"q{n}": _right_tokens(q.order, q.item_id, q.revision)
            for n, q in enumerate(quiz.questions, start=1)
        }
        quizzes.submit(casey, quiz.id, answers, now)


def _pass_exam(casey: User, now: datetime) -> None:
    attempt = exams.start(casey, CERTIFIED_PROGRAM, now)
    for item in db.session.scalars(select(ExamItem).where(ExamItem.attempt_id == attempt.id)):
        right = _right_tokens(item.option_order, item.item_id, item.revision)
        exams.save_answer(casey, attempt.id, item.position, right, False, now)
    exams.submit(casey, attempt.id, now)


def _log_approved_hours(casey: User, sup: User, enrolment_id: int, now: datetime) -> None:
    entries = []
    for n, category in enumerate(["advocacy", "recovery-wellness", "mentoring-education"]):
        form = hours.EntrySubmission(
            hours.local_date(casey, now) - timedelta(days=10 + n),
            "3",
            category,
            "peer-group",
            "direct",
            "Co-facilitated a peer support group.",
            sup.id,
        )
        entries.append(hours.log_entry(casey, enrolment_id, form, now).id)
    hours.decide(sup, entries, "approve", "", True, now)


def _confirmed_sessions(casey: User, sup: User, enrolment_id: int, now: datetime) -> None:
    """Two face-to-face sessions with Sam this month (the supervision began today), each
    recorded by one and confirmed by the other: Kentucky's cadence is met."""
    today = hours.local_date(sup, now)
    for recorder, other, length, topic in (
        (sup, casey, "0.5", "advocacy"),
        (casey, sup, "1", "recovery-wellness"),
    ):
        draft = session_rules.SessionDraft(
            today, length, "individual", "in-person", (topic,), "Demo: goals for the month."
        )
        row = sessions.record(recorder, enrolment_id, sup.id, draft, now)
        sessions.confirm(other, row.id, now)


def _final_evaluation(casey: User, sup: User, enrolment_id: int, now: datetime) -> None:
    """Sam signs Casey's final evaluation (every competency at "meets expectations") and
    Casey acknowledges it."""
    spec = evaluations.spec_for(CERTIFIED_PROGRAM)
    if spec is None:
        return
    ratings = {c: ("3", "Demo: steady and reliable.") for c in spec.competencies}
    row = evaluations.sign(sup, enrolment_id, "final", ratings, sup.legal_name, now)
    evaluations.acknowledge(casey, row.id, "Thank you.", now)


def _sign_and_upload(casey: User, admin: User, program: ProgramInfo, now: datetime) -> None:
    for statement in program.spec.attestations:
        evidence.sign(casey, CERTIFIED_PROGRAM, statement.id, casey.legal_name, now)
    image = BytesIO()
    segno.make("Demo diploma").save(image, kind="png", scale=4)
    for doc in program.spec.documents:
        for _ in range(doc.count):
            upload = evidence.upload(
                casey, CERTIFIED_PROGRAM, doc.id, "diploma.png", image.getvalue(), now
            )
            evidence.decide_document(admin, upload.id, True, "", now)
