"""The one thing a trainee should do next in a program, and how far each requirement has got.

Pure: ``decide`` reads plain facts (the requirement statuses, module progress, the exam
decision, the certificate, uploads waiting for review, supervisors) and answers with a
``Step``: what to do, in plain words, and where (an endpoint and its arguments, which the
page turns into a link or a form). Things the trainee can do come before things they wait
for, so a document waiting for review never hides a module that could be read meanwhile.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from trainer.domain.requirements import Status


@dataclass(frozen=True)
class ModuleFact:
    module_id: str
    title: str
    sections_read: int
    sections_total: int
    quiz_passed: bool

    @property
    def completed(self) -> bool:
        return self.sections_read >= self.sections_total and self.quiz_passed


@dataclass(frozen=True)
class ExamFact:
    allowed: bool
    reason: str  # why not, when not allowed
    next_allowed_at: datetime | None
    questions: int
    minutes: int
    attempts_left: int | None  # None: no limit
    open_attempt_id: int | None  # an attempt in progress
    open_deadline: datetime | None


@dataclass(frozen=True)
class CertificateFact:
    id: int
    number: str | None
    status: str  # review | active | expired | suspended | revoked | superseded (public)
    expires_at: datetime | None
    renewal_short: str  # what renewal still needs ("" when nothing or met)


@dataclass(frozen=True)
class Facts:
    program_id: str
    statuses: Sequence[Status]
    modules: Sequence[ModuleFact]
    exam: ExamFact
    certificate: CertificateFact | None = None
    documents_waiting: Mapping[str, datetime] = field(default_factory=dict)  # id -> uploaded
    documents_rejected: Mapping[str, str] = field(default_factory=dict)  # id -> reason
    supervisor_active: bool = False
    supervisor_invited: Sequence[str] = ()  # names or e-mails of invitations not accepted
    hours_pending: float = 0.0  # hours logged and waiting for the supervisor
    hours_short: float = 0.0  # the largest shortfall among the hour requirements still open
    enrolment_id: int = 0
    review_days: int = 5  # what administrators aim for when reviewing a document


@dataclass(frozen=True)
class Step:
    kind: str
    title: str
    text: str
    action: str = ""  # the button's words ("" when there is nothing to press)
    endpoint: str = ""
    args: Mapping[str, Any] = field(default_factory=dict)
    anchor: str = ""  # a fragment on the target page
    method: str = "get"  # "post" for a form (starting the exam)
    waiting: bool = False  # the trainee waits for someone else

    @property
    def label(self) -> str:
        """The card's small heading."""
        if self.kind == "certificate":
            return "Certified"
        return "Waiting" if self.waiting else "Your next step"


def _when(at: datetime | date) -> str:
    return f"{at:%-d %B %Y}"


def _unmet(statuses: Sequence[Status], prefix: str) -> list[Status]:
    return [s for s in statuses if s.key.startswith(prefix) and not s.met]


def decide(f: Facts, today: date) -> Step:
    """The next step. ``today`` is the trainee's local date (for estimates). A step the
    trainee can take comes before anything they wait for."""
    for rule in (_record_step, _learning_step, _paperwork_step, _hours_step, _exam_step):
        step = rule(f)
        if step is not None:
            return step
    return _waiting_step(f, today)


def _record_step(f: Facts) -> Step | None:
    """A certificate (issued, in review, revoked, expired) or an exam in progress."""
    cert = f.certificate
    if cert is not None and cert.status != "review":
        return _certificate_step(f, cert)
    if cert is not None:
        return Step(
            "review",
            "Every requirement is met",
            "The issuing authority checks your record before it issues the certificate. "
            "You will get an e-mail when it is issued.",
            waiting=True,
        )
    if f.exam.open_attempt_id is not None:
        deadline = f.exam.open_deadline
        return Step(
            "exam-continue",
            "Finish your exam",
            "Your attempt is in progress and the clock keeps running"
            + (f" until {deadline:%H:%M %Z}." if deadline else "."),
            "Continue the exam",
            "exam.question",
            {"attempt_id": f.exam.open_attempt_id, "position": 1},
        )
    return None


def _learning_step(f: Facts) -> Step | None:
    for m in f.modules:
        if m.completed:
            continue
        if m.sections_read < m.sections_total:
            started = m.sections_read > 0
            return Step(
                "read",
                f"{'Continue' if started else 'Start'} the module “{m.title}”",
                f"{m.sections_read} of {m.sections_total} sections read. Read every section, "
                "then pass the module's quiz.",
                f"{'Continue' if started else 'Start'} reading “{m.title}”",
                "learn.module",
                {"module_id": m.module_id},
            )
        return Step(
            "quiz",
            f"Take the quiz for “{m.title}”",
            "You have read every section. Pass the quiz to complete the module.",
            f"Take the quiz for “{m.title}”",
            "learn.quiz_intro",
            {"module_id": m.module_id},
        )
    return None


def _paperwork_step(f: Facts) -> Step | None:
    program = {"program_id": f.program_id}
    statements = _unmet(f.statuses, "attestation:")
    if statements:
        aid = statements[0].key.split(":", 1)[1]
        return Step(
            "sign",
            "Sign a statement",
            statements[0].label.removeprefix("Signed statement: "),
            "Read and sign the statement",
            "learn.program",
            program,
            f"statement-{aid}",
        )
    to_upload = [
        s
        for s in _unmet(f.statuses, "document:")
        if s.key.split(":", 1)[1] not in f.documents_waiting
    ]
    if to_upload:
        did = to_upload[0].key.split(":", 1)[1]
        reason = f.documents_rejected.get(did)
        title = to_upload[0].label.removeprefix("Document: ")
        return Step(
            "upload",
            "Upload a document",
            f"{title}."
            + (f" Your last upload was not accepted: {reason}" if reason else "")
            + " A PDF, PNG or JPEG up to 5 MB.",
            f"Upload: {title}",
            "learn.program",
            program,
            f"document-{did}",
        )
    return None


def _hours_step(f: Facts) -> Step | None:
    hours = _unmet(f.statuses, "hours:")
    # hours waiting for a decision that would cover what is missing: nothing more to log
    needs_logging = f.hours_pending + 1e-9 < f.hours_short
    if hours and not f.supervisor_active and not f.supervisor_invited:
        return Step(
            "supervisor",
            "Add your supervisor",
            "Supervised work counts once a supervisor signs it off. Invite yours by e-mail; "
            "they accept on their supervision page.",
            "Add a supervisor",
            "hours.enrolment",
            {"enrolment_id": f.enrolment_id},
            "supervisors",
        )
    if hours and f.supervisor_active and needs_logging:
        missing = " ".join(s.detail for s in hours)
        return Step(
            "log-hours",
            "Log your supervised hours",
            missing,
            "Log hours",
            "hours.new",
            {"enrolment_id": f.enrolment_id},
        )
    return None


def _exam_step(f: Facts) -> Step | None:
    program = {"program_id": f.program_id}
    exam = _unmet(f.statuses, "exam")
    if exam and f.exam.allowed:
        left = (
            "no limit on attempts"
            if f.exam.attempts_left is None
            else f"{f.exam.attempts_left} attempt{'s' if f.exam.attempts_left != 1 else ''} left"
        )
        return Step(
            "exam",
            "Take the certification exam",
            f"{f.exam.questions} questions in {f.exam.minutes} minutes; {left}. Once you "
            "start, the clock runs on the server even if you close the browser.",
            "Start the exam",
            "exam.start",
            program,
            method="post",
        )
    return None


def _waiting_step(f: Facts, today: date) -> Step:
    """Nothing to do now: what the trainee waits for, the most specific first."""
    program = {"program_id": f.program_id}
    documents = _unmet(f.statuses, "document:")
    hours = _unmet(f.statuses, "hours:")
    exam = _unmet(f.statuses, "exam")
    if documents:
        did = documents[0].key.split(":", 1)[1]
        uploaded = f.documents_waiting[did]
        by = uploaded.date() + timedelta(days=f.review_days)
        title = documents[0].label.removeprefix("Document: ")
        return Step(
            "document-review",
            "Your document is waiting for review",
            f"{title}: uploaded on {_when(uploaded)}. Administrators aim to review documents "
            f"within {f.review_days} days"
            + (f", so by {_when(by)}." if by >= today else "; this one is taking longer."),
            waiting=True,
        )
    if hours and f.supervisor_invited and not f.supervisor_active:
        who = ", ".join(f.supervisor_invited)
        return Step(
            "supervisor-pending",
            "Waiting for your supervisor to accept",
            f"You invited {who}. You can log hours once they accept the invitation on their "
            "supervision page.",
            "See your supervisors",
            "hours.enrolment",
            {"enrolment_id": f.enrolment_id},
            "supervisors",
            waiting=True,
        )
    if hours:
        return Step(
            "hours-pending",
            "Waiting for your supervisor to sign off hours",
            f"{f.hours_pending:g} hours are waiting for your supervisor's decision.",
            "See your hours",
            "hours.enrolment",
            {"enrolment_id": f.enrolment_id},
            waiting=True,
        )
    if exam and f.exam.next_allowed_at is not None:
        return Step(
            "exam-wait",
            "Your next exam attempt",
            f"{f.exam.reason} You can try again from {_when(f.exam.next_allowed_at)}.",
            "See your results",
            "learn.program",
            program,
            "exam",
            waiting=True,
        )
    if exam:
        return Step(
            "exam-closed",
            "The exam is not open to you",
            f.exam.reason,
            "See your results",
            "learn.program",
            program,
            "exam",
            waiting=True,
        )
    return Step(
        "issuing",
        "Every requirement is met",
        "Your certificate is being prepared.",
        waiting=True,
    )


def waits(f: Facts, step: Step, today: date) -> list[str]:
    """What the trainee also waits for, when the step itself is something to do: an
    upload in review (with the date it should be reviewed by), an invitation not accepted,
    hours waiting for sign-off. A waiting step already says its own."""
    if step.waiting or step.kind in ("certificate", "revoked", "expired"):
        return []
    out = []
    unmet = {
        s.key.removeprefix("document:"): s.label.removeprefix("Document: ")
        for s in f.statuses
        if s.key.startswith("document:") and not s.met
    }
    for did, uploaded in f.documents_waiting.items():
        if did in unmet:
            by = uploaded.date() + timedelta(days=f.review_days)
            out.append(
                f"Waiting for review: {unmet[did]}, uploaded on {_when(uploaded)}"
                + (f"; expected by {_when(by)}." if by >= today else "; this one is taking longer.")
            )
    if f.supervisor_invited and not f.supervisor_active and step.kind != "supervisor-pending":
        out.append(f"Waiting for {', '.join(f.supervisor_invited)} to accept your invitation.")
    if f.hours_pending and step.kind != "hours-pending":
        out.append(f"{f.hours_pending:g} hours are waiting for your supervisor's sign-off.")
    return out


def _certificate_step(f: Facts, cert: CertificateFact) -> Step:
    files = {"certificate_id": cert.id, "kind": "certificate.pdf"}
    if cert.status == "revoked":
        return Step(
            "revoked",
            "Your certificate was revoked",
            "Contact the issuing authority about your certificate.",
        )
    if cert.status == "suspended":
        return Step(
            "revoked",
            "Your certificate is suspended",
            "It is not valid while it is suspended. The issuing authority's e-mail gave the "
            "reason and how long; contact them with questions.",
        )
    if cert.status == "expired":
        return Step(
            "expired",
            "Your certificate has expired",
            f"It expired on {_when(cert.expires_at)}." if cert.expires_at else "It expired.",
            "See renewal",
            "learn.program",
            {"program_id": f.program_id},
            "renewal",
        )
    until = f" It is valid until {_when(cert.expires_at)}." if cert.expires_at else ""
    renew = f" To renew: {cert.renewal_short}" if cert.renewal_short else ""
    return Step(
        "certificate",
        f"Your certificate {cert.number}",
        f"You are certified.{until}{renew}",
        "Download the certificate (PDF)",
        "learn.certificate_file",
        files,
    )


@dataclass(frozen=True)
class Gauge:
    """Progress toward one kind of requirement, for a compact visual."""

    label: str
    done: float
    total: float
    unit: str  # "" for counts, "h" for hours, "pass" for passed or not

    @property
    def met(self) -> bool:
        return self.done + 1e-9 >= self.total

    @property
    def percent(self) -> int:
        return 100 if self.total <= 0 else min(100, int(round(100 * self.done / self.total)))

    @property
    def words(self) -> str:
        if self.unit == "pass":
            return "Passed" if self.met else "Not yet"
        if self.unit == "h":
            return f"{min(self.done, self.total):g} of {self.total:g} hours"
        return f"{self.done:g} of {self.total:g}"


def gauges(
    statuses: Sequence[Status],
    modules: Sequence[ModuleFact],
    education: tuple[float, float],
    hours: Mapping[str, tuple[float, float]],
) -> list[Gauge]:
    """One gauge per kind of requirement the program has (none for zero requirements).
    ``education``: (credited, required) hours; ``hours``: requirement key -> (approved,
    required) for supervised work and supervision."""
    out = []
    if modules:
        out.append(Gauge("Modules", sum(m.completed for m in modules), len(modules), ""))
    if education[1] > 0:
        out.append(Gauge("Education", round(education[0], 2), education[1], "h"))
    for key, label in (("hours:total", "Supervised work"), ("hours:supervision", "Supervision")):
        if key in hours and hours[key][1] > 0:
            out.append(Gauge(label, round(hours[key][0], 2), hours[key][1], "h"))
    for prefix, label in (("attestation:", "Statements signed"), ("document:", "Documents")):
        group = [s for s in statuses if s.key.startswith(prefix)]
        if group:
            out.append(Gauge(label, sum(s.met for s in group), len(group), ""))
    exam = [s for s in statuses if s.key == "exam"]
    if exam:
        out.append(Gauge("Exam", 1 if exam[0].met else 0, 1, "pass"))
    return out
