"""A person's record for a program (modules, exam, hours, statements, documents) and
what is still missing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from trainer.domain import requirements as req
from trainer.domain.statuses import EntryStatus, ReviewStatus
from trainer.extensions import db
from trainer.models import (
    AttestationSignature,
    DocumentUpload,
    Enrolment,
    ExamAttempt,
    HourEntry,
    Module,
    ModuleSection,
    Program,
    QuizAttempt,
    SectionRead,
)
from trainer.services import content


def spec_for(program: Program) -> req.Spec:
    d = program.spec
    modules = {m.id: m for m in db.session.scalars(select(Module).where(Module.id.in_(d.modules)))}
    labels = {**content.labels("topics"), **content.labels("domains")}
    return req.Spec(
        modules=d.modules,
        module_titles={k: m.title for k, m in modules.items()},
        module_credit={k: m.meta.get("credit", {}) for k, m in modules.items()},
        education_hours=d.education_hours,
        education_topics=d.education_topics,
        supervised_hours=d.supervised_hours,
        supervised_categories=d.supervised_categories,
        supervision_hours=d.supervision_hours,
        attestations={a.id: a.text for a in d.attestations},
        documents={x.id: (x.title, x.count) for x in d.documents},
        labels=labels,
    )


def record_for(enrolment: Enrolment, exam_note: str = "") -> req.Record:
    """Everything the person did toward the program, with times (a handful of queries)."""
    user_id, program = enrolment.user_id, enrolment.program
    modules = program.spec.modules
    totals = dict(
        db.session.execute(
            select(ModuleSection.module_id, func.count())
            .where(ModuleSection.module_id.in_(modules))
            .group_by(ModuleSection.module_id)
        ).all()
    )
    reads = {
        r[0]: (r[1], r[2])
        for r in db.session.execute(
            select(SectionRead.module_id, func.count(), func.max(SectionRead.read_at))
            .join(
                ModuleSection,
                (ModuleSection.module_id == SectionRead.module_id)
                & (ModuleSection.anchor == SectionRead.anchor),
            )
            .where(SectionRead.user_id == user_id, SectionRead.module_id.in_(modules))
            .group_by(SectionRead.module_id)
        ).all()
    }
    passed = dict(
        db.session.execute(
            select(QuizAttempt.module_id, func.min(QuizAttempt.submitted_at))
            .where(
                QuizAttempt.user_id == user_id,
                QuizAttempt.module_id.in_(modules),
                QuizAttempt.passed.is_(True),
            )
            .group_by(QuizAttempt.module_id)
        ).all()
    )
    completed: dict[str, datetime] = {}
    for m in modules:
        count, last_read = reads.get(m, (0, None))
        quiz_at = passed.get(m)
        if count >= totals.get(m, 0) > 0 and quiz_at is not None and last_read is not None:
            completed[m] = max(last_read, quiz_at)
    exam_at = db.session.scalar(
        select(func.min(ExamAttempt.finished_at)).where(
            ExamAttempt.user_id == user_id,
            ExamAttempt.program_id == program.id,
            ExamAttempt.passed.is_(True),
        )
    )
    # One fact per approval moment and category: a supervisor approves a batch at one
    # instant, so this is exact for the "met on" dates and reads far fewer rows.
    minutes = func.sum(HourEntry.minutes).label("minutes")
    hours = [
        req.HourFact(r.decided_at, int(r.minutes), r.category, r.kind)
        for r in db.session.execute(
            select(HourEntry.decided_at, minutes, HourEntry.category, HourEntry.kind)
            .where(HourEntry.enrolment_id == enrolment.id, HourEntry.status == EntryStatus.APPROVED)
            .group_by(HourEntry.decided_at, HourEntry.category, HourEntry.kind)
        ).all()
        if r.decided_at is not None
    ]
    attestations = dict(
        db.session.execute(
            select(AttestationSignature.attestation_id, AttestationSignature.signed_at).where(
                AttestationSignature.user_id == user_id,
                AttestationSignature.program_id == program.id,
            )
        ).all()
    )
    documents: dict[str, list[datetime]] = {}
    for rid, at in db.session.execute(
        select(DocumentUpload.requirement_id, DocumentUpload.decided_at).where(
            DocumentUpload.user_id == user_id,
            DocumentUpload.program_id == program.id,
            DocumentUpload.status == ReviewStatus.APPROVED,
        )
    ).all():
        if at is not None:  # an approved document always has its decision time
            documents.setdefault(rid, []).append(at)
    return req.Record(completed, exam_at, exam_note, hours, attestations, documents)


def requirements(enrolment: Enrolment, now: datetime, exam_note: str = "") -> list[req.Status]:
    return req.evaluate(spec_for(enrolment.program), record_for(enrolment, exam_note), now)
