"""What is still missing toward a program, judged by ``domain.requirements.evaluate`` on
the person's progress (the read model in ``services.progress``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from trainer.domain import requirements as req
from trainer.models import Enrolment
from trainer.services import progress


def requirements(
    enrolment: Enrolment,
    now: datetime,
    exam_note: str = "",
    fresh: bool = False,
    known: progress.Progress | None = None,
) -> list[req.Status]:
    """Every requirement of the enrolment's program judged at ``now``. ``fresh`` recomputes
    the stored progress from history first (and stores it): issuance decides on that.
    ``known``: the progress a page has already read."""
    if fresh:
        known = progress.refresh(enrolment, now)
    state = progress.of(enrolment, now, known)
    record = replace(state.record, exam_note=exam_note)
    return req.evaluate(progress.spec_for(enrolment.program_id), record, now)
