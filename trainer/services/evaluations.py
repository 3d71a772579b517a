"""Competency evaluations: a qualified supervisor rates every competency of the program's
evaluation form and signs; the trainee reads it, acknowledges it and may respond. Signed
evaluations never change (a correction is a new one); a program may require its final
evaluation at or above a level before the certificate (``domain.requirements``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from trainer import pdf
from trainer.domain import evaluations as rules
from trainer.domain.content.model import EvaluationForm, EvaluationSpec
from trainer.domain.errors import NotFound, RuleError, RuleErrors
from trainer.extensions import db
from trainer.models import CompetencyEvaluation, Enrolment, User
from trainer.services import audit, certificates, evidence, outbox, supervision
from trainer.services import release as releases
from trainer.services.hours.entries import local_date
from trainer.services.hours.links import supervises


def spec_for(program_id: str) -> EvaluationSpec | None:
    program = releases.get().programs.get(program_id)
    return program.spec.evaluations if program else None


def sign(
    supervisor: User,
    enrolment_id: int,
    form_id: str,
    typed: Mapping[str, tuple[str, str]],
    signed_name: str,
    now: datetime,
) -> CompetencyEvaluation:
    """Sign an evaluation. NotFound unless the supervisor supervises the enrolment;
    RuleError when the program's supervisor rule is not met (as at sign-off), RuleErrors for
    an unrated competency or a name that is not the supervisor's."""
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or not supervises(supervisor, enrolment_id):
        raise NotFound(enrolment_id)
    spec = spec_for(enrolment.program_id)
    if spec is None:
        raise NotFound("this program has no evaluation forms")
    qualification = supervision.check(
        supervisor.id, enrolment.program_id, local_date(supervisor, now)
    )
    problems: list[RuleError] = []
    if evidence.normal_name(signed_name) != evidence.normal_name(supervisor.legal_name):
        problems.append(
            RuleError(
                "signed_name",
                f"Type your legal name exactly as in your profile ({supervisor.legal_name}).",
            )
        )
    ratings: dict[str, rules.Rating] = {}
    try:
        ratings = rules.check(spec, form_id, typed)
    except RuleErrors as error:
        problems.extend(error.problems)
    if problems:  # every problem at once, each on its field
        raise RuleErrors(problems)
    row = CompetencyEvaluation(
        enrolment_id=enrolment_id,
        supervisor_id=supervisor.id,
        trainee_id=enrolment.user_id,
        form_id=form_id,
        ratings={k: {"level": r.level, "comment": r.comment} for k, r in ratings.items()},
        lowest_level=rules.lowest(ratings),
        signed_name=signed_name.strip(),
        signed_at=now,
        qualification_id=qualification,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        "supervision.evaluation_signed",
        actor=supervisor,
        subject=row,
        form=form_id,
        lowest=row.lowest_level,
    )
    trainee = enrolment.user
    outbox.queue_mail(
        trainee.email,
        f"Your {form_title(spec, form_id).lower()} is ready",
        f"Hello {trainee.display_name},\n\n{supervisor.display_name} signed your "
        f"{form_title(spec, form_id).lower()}. Read it and acknowledge it:\n"
        f"{outbox.link('hours.evaluation', evaluation_id=row.id)}\n",
        kind="evaluation_signed",
    )
    certificates.issue_if_met(trainee, enrolment.program_id, now)  # may complete a requirement
    return row


def acknowledge(
    trainee: User, evaluation_id: int, response: str, now: datetime
) -> CompetencyEvaluation:
    """The trainee has read it, with an optional response. Once."""
    row = db.session.get(CompetencyEvaluation, evaluation_id)
    if row is None or row.trainee_id != trainee.id:
        raise NotFound(evaluation_id)
    if row.acknowledged_at is not None:
        raise RuleError(None, "You have already acknowledged this evaluation.")
    if len(response) > rules.MAX_RESPONSE:
        raise RuleError("response", f"At most {rules.MAX_RESPONSE} characters.")
    row.acknowledged_at, row.response = now, response.strip() or None
    db.session.flush()
    audit.record("supervision.evaluation_acknowledged", actor=trainee, subject=row)
    return row


def of(enrolment_id: int, supervisor_id: int | None = None) -> list[CompetencyEvaluation]:
    """An enrolment's evaluations, newest first (only this supervisor's when given)."""
    statement = (
        select(CompetencyEvaluation)
        .options(joinedload(CompetencyEvaluation.supervisor).lazyload(User.role_rows))
        .where(CompetencyEvaluation.enrolment_id == enrolment_id)
        .order_by(CompetencyEvaluation.signed_at.desc(), CompetencyEvaluation.id.desc())
    )
    if supervisor_id is not None:
        statement = statement.where(CompetencyEvaluation.supervisor_id == supervisor_id)
    return list(db.session.scalars(statement).unique())


def for_viewer(viewer: User, evaluation_id: int) -> CompetencyEvaluation:
    """The evaluation, for the trainee, the supervisor who signed it, or an administrator."""
    row = db.session.get(CompetencyEvaluation, evaluation_id)
    allowed = row is not None and (
        viewer.id in (row.trainee_id, row.supervisor_id) or viewer.has_role("admin")
    )
    if row is None or not allowed:
        raise NotFound(evaluation_id)
    return row


def form_title(spec: EvaluationSpec, form_id: str) -> str:
    return next((f.title for f in spec.forms if f.id == form_id), form_id)


@dataclass(frozen=True)
class FormStatus:
    form: EvaluationForm
    due: bool
    latest: CompetencyEvaluation | None


def forms(
    enrolment: Enrolment, rows: list[CompetencyEvaluation], approved: float, required: float
) -> list[FormStatus]:
    """Each of the program's forms: whether it is due and its latest signed evaluation."""
    spec = spec_for(enrolment.program_id)
    if spec is None:
        return []
    return [
        FormStatus(
            f,
            rules.due(f, approved, required),
            next((r for r in rows if r.form_id == f.id), None),  # rows are newest first
        )
        for f in spec.forms
    ]


def render_pdf(row: CompetencyEvaluation) -> bytes:
    """The signed evaluation as a PDF (the trainee's, the supervisor's or an admin's copy)."""
    enrolment = db.session.get(Enrolment, row.enrolment_id)
    assert enrolment is not None
    spec = spec_for(enrolment.program_id)
    assert spec is not None
    title = f"{form_title(spec, row.form_id)}: {row.trainee.legal_name}"
    return pdf.render(
        "evaluation.html",
        title=title,
        author=row.signed_name,
        subject=releases.program_title(enrolment.program_id),
        e=row,
        spec=spec,
        scale=dict(spec.scale),
        labels=releases.get().labels("competencies"),
        program=releases.program_title(enrolment.program_id),
    )
