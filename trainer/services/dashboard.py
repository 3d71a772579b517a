"""What the trainee's program page shows about earning and keeping the credential.

It sits above ``certificates`` and ``evidence`` (it reads both), so that evidence can call
``certificates.issue_if_met`` without an import cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from trainer.domain import requirements as req
from trainer.domain.statuses import CertificateStatus
from trainer.models import (
    Certificate,
    Enrolment,
)
from trainer.services import content, evidence, progress
from trainer.services.certificates.issuance import current
from trainer.services.certificates.record import requirements
from trainer.services.certificates.renewal import ce_entries, renewal_status


@dataclass(frozen=True)
class Dashboard:
    """What the trainee's program page shows about earning and keeping the credential."""

    statuses: list[req.Status]
    documents: list[Any]
    certificate: Certificate | None
    renewal: list[req.Status] | None  # while a certificate is active
    ce: list[Any]
    topics: dict[str, str]


def for_enrolment(
    enrolment: Enrolment,
    next_exam_at: datetime | None,
    exam_reason: str,
    now: datetime,
    state: progress.Progress | None = None,
) -> Dashboard:
    """Every requirement with what is missing in plain words (dates in the trainee's zone)."""
    note = exam_reason
    if next_exam_at is not None:
        local = next_exam_at.astimezone(ZoneInfo(enrolment.user.timezone or "UTC"))
        note = f"Pass the certification exam: next attempt allowed on {local:%-d %B %Y}."
    cert = current(enrolment.id)
    active = cert is not None and cert.status == CertificateStatus.ACTIVE
    ce = ce_entries(cert.id) if cert is not None else []
    return Dashboard(
        statuses=requirements(enrolment, now, note, known=state),
        documents=evidence.documents(enrolment.user, enrolment.program_id),
        certificate=cert,
        renewal=renewal_status(cert, now, ce) if active and cert is not None else None,
        ce=ce,
        topics=content.labels("topics"),
    )
