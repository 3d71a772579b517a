"""The next step a trainee is shown: what they can do comes before what they wait for."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from trainer.domain.next_step import (
    CertificateFact,
    ExamFact,
    Facts,
    ModuleFact,
    decide,
    gauges,
    waits,
)
from trainer.domain.requirements import Status

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
TODAY = date(2026, 12, 6)
EXAM = ExamFact(True, "", None, 40, 60, 3, None, None)
DONE = [ModuleFact("alpha", "Alpha", 2, 2, True), ModuleFact("beta", "Beta", 2, 2, True)]


def _status(key: str, met: bool, detail: str = "") -> Status:
    labels = {
        "attestation:ethics": "Signed statement: I will follow the code of ethics.",
        "document:letter": "Document: Reference letter",
        "hours:total": "Supervised work: 10 hours",
        "exam": "Certification exam passed",
    }
    return Status(key, labels.get(key, key), met, "" if met else detail or "missing")


def _facts(**changes: object) -> Facts:
    base = Facts(
        program_id="p",
        statuses=[
            _status("attestation:ethics", True),
            _status("document:letter", True),
            _status("hours:total", True),
            _status("exam", False),
        ],
        modules=DONE,
        exam=EXAM,
        enrolment_id=7,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_an_unread_module_comes_first_and_says_how_far_the_trainee_got() -> None:
    modules = [DONE[0], ModuleFact("beta", "Beta", 1, 4, False)]
    step = decide(_facts(modules=modules), TODAY)
    assert step.kind == "read"
    assert step.title == "Continue the module “Beta”"
    assert "1 of 4 sections read" in step.text
    assert (step.endpoint, dict(step.args)) == ("learn.module", {"module_id": "beta"})


def test_a_read_module_leads_to_its_quiz() -> None:
    modules = [ModuleFact("alpha", "Alpha", 2, 2, False)]
    step = decide(_facts(modules=modules), TODAY)
    assert (step.kind, step.endpoint) == ("quiz", "learn.quiz_intro")


def test_statements_then_documents_then_supervisor_then_hours_then_exam() -> None:
    statuses = [
        _status("attestation:ethics", False),
        _status("document:letter", False),
        _status("hours:total", False, "10 more approved hours of supervised work."),
        _status("exam", False),
    ]
    f = _facts(statuses=statuses, hours_short=10.0)
    assert decide(f, TODAY).kind == "sign"
    assert decide(f, TODAY).anchor == "statement-ethics"
    statuses[0] = _status("attestation:ethics", True)
    step = decide(_facts(statuses=statuses, hours_short=10.0), TODAY)
    assert (step.kind, step.anchor) == ("upload", "document-letter")
    statuses[1] = _status("document:letter", True)
    assert decide(_facts(statuses=statuses, hours_short=10.0), TODAY).kind == "supervisor"
    f = _facts(statuses=statuses, hours_short=10.0, supervisor_active=True)
    assert decide(f, TODAY).kind == "log-hours"
    assert decide(f, TODAY).endpoint == "hours.new"
    statuses[2] = _status("hours:total", True)
    step = decide(_facts(statuses=statuses), TODAY)
    assert (step.kind, step.method, step.endpoint) == ("exam", "post", "exam.start")
    assert "40 questions in 60 minutes; 3 attempts left" in step.text


def test_waiting_for_a_document_review_does_not_hide_what_can_be_done() -> None:
    uploaded = NOW - timedelta(days=2)
    statuses = [_status("document:letter", False), _status("exam", False)]
    step = decide(_facts(statuses=statuses, documents_waiting={"letter": uploaded}), TODAY)
    assert step.kind == "exam"  # the exam can be taken meanwhile
    blocked = replace(EXAM, allowed=False, reason="You have passed this exam.")
    step = decide(
        _facts(
            statuses=[_status("document:letter", False)],
            documents_waiting={"letter": uploaded},
            exam=blocked,
        ),
        TODAY,
    )
    assert step.kind == "document-review" and step.waiting
    assert "uploaded on 4 December 2026" in step.text
    assert "within 5 days, so by 9 December 2026" in step.text


def test_a_rejected_document_says_why() -> None:
    step = decide(
        _facts(
            statuses=[_status("document:letter", False)],
            documents_rejected={"letter": "The scan is unreadable."},
        ),
        TODAY,
    )
    assert step.kind == "upload" and "The scan is unreadable." in step.text


def test_an_invitation_not_yet_accepted_is_a_wait_not_a_dead_end() -> None:
    statuses = [_status("hours:total", False, "10 more"), _status("exam", True)]
    step = decide(
        _facts(statuses=statuses, hours_short=10.0, supervisor_invited=["Sam Supervisor"]), TODAY
    )
    assert step.kind == "supervisor-pending" and step.waiting
    assert "Sam Supervisor" in step.text and "once they accept" in step.text


def test_hours_waiting_for_sign_off_that_would_cover_the_target_mean_waiting() -> None:
    statuses = [_status("hours:total", False, "4 more"), _status("exam", True)]
    f = _facts(statuses=statuses, supervisor_active=True, hours_short=4.0, hours_pending=3.0)
    assert decide(f, TODAY).kind == "log-hours"
    f = replace(f, hours_pending=4.0)
    assert decide(f, TODAY).kind == "hours-pending"


def test_exam_waiting_period_and_an_attempt_in_progress() -> None:
    later = NOW + timedelta(days=10)
    waiting = replace(EXAM, allowed=False, reason="The waiting period is not over.")
    step = decide(_facts(exam=replace(waiting, next_allowed_at=later)), TODAY)
    assert step.kind == "exam-wait" and "16 December 2026" in step.text
    open_attempt = replace(EXAM, allowed=False, open_attempt_id=5, open_deadline=NOW)
    step = decide(_facts(exam=open_attempt), TODAY)
    assert (step.kind, dict(step.args)) == ("exam-continue", {"attempt_id": 5, "position": 1})


def test_a_certificate_is_the_last_step_with_its_download_and_renewal() -> None:
    cert = CertificateFact(3, "TS-1", "active", NOW + timedelta(days=700), "6 more hours.")
    step = decide(_facts(certificate=cert), TODAY)
    assert step.kind == "certificate" and step.label == "Certified"
    assert step.endpoint == "learn.certificate_file"
    assert "valid until 5 November 2028" in step.text and "To renew: 6 more hours." in step.text
    review = decide(_facts(certificate=replace(cert, status="review")), TODAY)
    assert review.kind == "review" and review.waiting
    assert decide(_facts(certificate=replace(cert, status="expired")), TODAY).kind == "expired"


def test_gauges_leave_out_requirements_that_are_zero() -> None:
    statuses = [_status("attestation:ethics", True), _status("exam", False)]
    shown = gauges(
        statuses,
        DONE,
        (3.0, 3.0),
        {"hours:total": (0.0, 0.0), "hours:supervision": (1.0, 2.0)},
    )
    assert [g.label for g in shown] == [
        "Modules",
        "Education",
        "Supervision",
        "Statements signed",
        "Exam",
    ]
    by = {g.label: g for g in shown}
    assert by["Supervision"].words == "1 of 2 hours" and by["Supervision"].percent == 50
    assert by["Exam"].words == "Not yet" and not by["Exam"].met
    assert by["Modules"].met and by["Modules"].words == "2 of 2"


def test_what_else_the_trainee_waits_for_is_said_under_a_step_to_do() -> None:
    uploaded = NOW - timedelta(days=7)
    f = _facts(
        statuses=[_status("document:letter", False), _status("exam", False)],
        documents_waiting={"letter": uploaded},
        hours_pending=2.5,
    )
    step = decide(f, TODAY)
    assert step.kind == "exam"
    assert waits(f, step, TODAY) == [
        "Waiting for review: Reference letter, uploaded on 29 November 2026; this one is "
        "taking longer.",
        "2.5 hours are waiting for your supervisor's sign-off.",
    ]
    assert waits(f, replace(step, waiting=True), TODAY) == []
