"""The trainee home's cards: for each enrolment, the next step and progress at a glance.

Gathers the facts ``domain.next_step`` decides on for every enrolment of a person in a
fixed number of statements (progress, certificates, exam attempts, documents, supervisors:
one each, whatever the number of programs or the size of the history).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from trainer.domain import exam as exam_rules
from trainer.domain import next_step as steps
from trainer.domain import requirements as req
from trainer.domain.statuses import AttemptStatus, CertificateStatus, LinkStatus, ReviewStatus
from trainer.extensions import db
from trainer.models import (
    Certificate,
    DocumentUpload,
    Enrolment,
    ExamAttempt,
    SupervisionLink,
    User,
)
from trainer.services import ce_audits, exams, learning, progress
from trainer.services import release as releases
from trainer.services.certificates.renewal import renewal_status
from trainer.services.release import ProgramInfo


@dataclass(frozen=True)
class Card:
    enrolment: Enrolment
    program: ProgramInfo
    step: steps.Step
    gauges: list[steps.Gauge]
    certificate: Certificate | None
    waits: list[str]  # what else the trainee waits for
    # continuing-education audit requests waiting for the holder's evidence (per person)
    audit_requests: int = 0


def for_user(user: User, now: datetime) -> list[Card]:
    """A card per enrolment, in enrolment order."""
    if releases.current() is None:  # no content loaded yet, so no enrolment either
        return []
    mine = progress.for_user(user.id)
    ids = [e.id for e, _ in mine]
    certs, audit_requests = _certificates(ids, now)
    attempts = _attempts(user.id, now)
    waiting, rejected = _documents(user.id)
    links = _links(ids)
    programs = releases.get().programs
    cards = [
        card(
            user,
            enrolment,
            programs[enrolment.program_id],
            state,
            now,
            certs.get(enrolment.id),
            attempts.get(enrolment.program_id, []),
            waiting.get(enrolment.program_id, {}),
            rejected.get(enrolment.program_id, {}),
            links.get(enrolment.id, []),
        )
        for enrolment, state in mine
    ]
    return [replace(c, audit_requests=audit_requests) for c in cards]


def for_enrolment(
    user: User,
    enrolment: Enrolment,
    state: progress.Progress,
    now: datetime,
    attempts: list[ExamAttempt],
    cert: Certificate | None,
    documents: list[DocumentUpload],
    renewal: list[req.Status] | None = None,
) -> Card:
    """The card of one enrolment, from what the program page has already read (its
    attempts, certificate, uploads and renewal): one statement of its own (supervisors)."""
    waiting, rejected = _document_state(documents)
    return card(
        user,
        enrolment,
        releases.get().programs[enrolment.program_id],
        state,
        now,
        cert,
        attempts,
        waiting.get(enrolment.program_id, {}),
        rejected.get(enrolment.program_id, {}),
        _links([enrolment.id]).get(enrolment.id, []),
        renewal,
    )


def card(
    user: User,
    enrolment: Enrolment,
    program: ProgramInfo,
    state: progress.Progress,
    now: datetime,
    cert: Certificate | None,
    attempts: list[ExamAttempt],
    waiting: dict[str, datetime],
    rejected: dict[str, str],
    links: list[tuple[str, str]],
    renewal: list[req.Status] | None = None,
) -> Card:
    d = program.spec
    state = progress.of(enrolment, now, state)
    spec = progress.spec_for(program.id)
    module_rows = learning.module_progress(d.modules, state.modules)
    modules = [
        steps.ModuleFact(m.module_id, m.title, m.sections_read, m.sections_total, m.quiz_passed)
        for m in module_rows
    ]
    decision = exam_rules.may_start(
        [exam_rules.PastAttempt(a.started_at, a.finished_at, a.passed) for a in attempts],
        d.exam.attempts_allowed,
        d.exam.wait_days,
        bool(modules) and all(m.completed for m in modules),
        now,
    )
    opened = next((a for a in attempts if a.status == AttemptStatus.OPEN), None)
    statuses = req.evaluate(spec, replace(state.record, exam_note=decision.reason), now)
    tallies = state.record.hour_tallies
    if tallies is None:
        tallies = req.tally_hours(spec, state.record.hours)
    targets = {
        "hours:total": d.supervised_hours,
        "hours:supervision": d.supervision_hours,
        **{f"hours:{c}": h for c, h in d.supervised_categories.items()},
    }
    approved = {k: (tallies[k].amount if k in tallies else 0.0, t) for k, t in targets.items()}
    short = max((t - a for k, (a, t) in approved.items() if t > 0 and a + 1e-9 < t), default=0.0)
    pending = sum(m.pending for m in state.minutes.values()) / 60
    credited = sum(m.credit_minutes for m in module_rows if m.completed) / 60
    facts = steps.Facts(
        program_id=program.id,
        statuses=statuses,
        modules=modules,
        exam=steps.ExamFact(
            decision.allowed,
            decision.reason,
            decision.next_allowed_at,
            d.exam.length,
            d.exam.time_limit_minutes,
            decision.attempts_left,
            opened.id if opened else None,
            opened.deadline.astimezone(_zone(user)) if opened else None,
        ),
        certificate=_certificate_fact(cert, now, renewal),
        documents_waiting=waiting,
        documents_rejected=rejected,
        supervisor_active=any(status == LinkStatus.ACTIVE for status, _ in links),
        supervisor_invited=[who for status, who in links if status == LinkStatus.INVITED],
        hours_pending=round(pending, 2),
        hours_short=round(short, 2),
        enrolment_id=enrolment.id,
        review_days=int(current_app.config["REVIEW_TARGET_DAYS"]),
    )
    today = now.astimezone(_zone(user)).date()
    step = steps.decide(facts, today)
    return Card(
        enrolment,
        program,
        step,
        steps.gauges(statuses, modules, (credited, d.education_hours), approved),
        cert,
        steps.waits(facts, step, today),
    )


def _zone(user: User) -> ZoneInfo:
    return ZoneInfo(user.timezone or "UTC")


def _certificate_fact(
    cert: Certificate | None, now: datetime, renewal: list[req.Status] | None = None
) -> steps.CertificateFact | None:
    if cert is None:
        return None
    status = "review" if cert.status == CertificateStatus.REVIEW else cert.public_status(now)
    short = ""
    if status == "active" and cert.status == CertificateStatus.ACTIVE:
        if renewal is None:
            renewal = renewal_status(cert, now)
        short = " ".join(s.detail for s in renewal if not s.met)
    return steps.CertificateFact(cert.id, cert.number, status, cert.expires_at, short)


def _certificates(enrolment_ids: list[int], now: datetime) -> tuple[dict[int, Certificate], int]:
    """The newest certificate (highest cycle) of each enrolment, and how many audit
    requests wait for the holder's evidence (read in the same statement)."""
    if not enrolment_ids:
        return {}, 0
    out: dict[int, Certificate] = {}
    waiting = 0
    for cert, requests in db.session.execute(
        select(Certificate, ce_audits.open_requests_of(Certificate.user_id, now.date()))
        .where(Certificate.enrolment_id.in_(enrolment_ids))
        .order_by(Certificate.cycle)
    ):
        out[cert.enrolment_id] = cert
        waiting = max(waiting, int(requests or 0))
    return out, waiting


def _attempts(user_id: int, now: datetime) -> dict[str, list[ExamAttempt]]:
    """The person's exam attempts per program; an attempt past its deadline is scored."""
    query = select(ExamAttempt).where(ExamAttempt.user_id == user_id)
    out: dict[str, list[ExamAttempt]] = defaultdict(list)
    for attempt in db.session.scalars(query.order_by(ExamAttempt.started_at)):
        exams.finalize_due(attempt, now)
        out[attempt.program_id].append(attempt)
    return out


def _documents(user_id: int) -> tuple[dict[str, dict[str, datetime]], dict[str, dict[str, str]]]:
    return _document_state(
        db.session.scalars(
            select(DocumentUpload)
            .where(DocumentUpload.user_id == user_id)
            .order_by(DocumentUpload.uploaded_at)
        )
    )


def _document_state(
    uploads: Iterable[DocumentUpload],
) -> tuple[dict[str, dict[str, datetime]], dict[str, dict[str, str]]]:
    """Per program: requirement -> when the oldest upload still waiting was made, and
    requirement -> why the newest decided upload was rejected (when it was)."""
    waiting: dict[str, dict[str, datetime]] = defaultdict(dict)
    rejected: dict[str, dict[str, str]] = defaultdict(dict)
    for doc in sorted(uploads, key=lambda d: d.uploaded_at):
        if doc.status == ReviewStatus.PENDING:
            waiting[doc.program_id].setdefault(doc.requirement_id, doc.uploaded_at)
        elif doc.status == ReviewStatus.REJECTED:
            rejected[doc.program_id][doc.requirement_id] = doc.reason or "no reason given."
        else:
            rejected[doc.program_id].pop(doc.requirement_id, None)
    return waiting, rejected


def _links(enrolment_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """Per enrolment: (status, supervisor's name) of invited and active supervisors."""
    if not enrolment_ids:
        return {}
    out: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for link, preferred, legal in db.session.execute(
        select(SupervisionLink, User.preferred_name, User.legal_name)
        .join(User, User.id == SupervisionLink.supervisor_id)
        .where(
            SupervisionLink.enrolment_id.in_(enrolment_ids),
            SupervisionLink.status.in_((LinkStatus.ACTIVE, LinkStatus.INVITED)),
        )
    ).all():
        out[link.enrolment_id].append((link.status, preferred or legal))
    return out
