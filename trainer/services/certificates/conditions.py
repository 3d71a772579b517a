"""The public conditions and notices in force on certificates (read side; adding and lifting
them is ``standing``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from trainer.extensions import db
from trainer.models import CertificateCondition


@dataclass(frozen=True)
class Condition:
    id: int
    text: str
    until: str | None
    added_on: str

    def as_json(self) -> dict[str, str | None]:
        return {"text": self.text, "until": self.until, "added_on": self.added_on}


def in_force(certificate_ids: list[int], now: datetime) -> dict[int, list[Condition]]:
    """The conditions in force on each certificate (not lifted, end date not passed)."""
    found: dict[int, list[Condition]] = {i: [] for i in certificate_ids}
    if not certificate_ids:
        return found
    rows = db.session.scalars(
        select(CertificateCondition)
        .where(
            CertificateCondition.certificate_id.in_(certificate_ids),
            CertificateCondition.lifted_at.is_(None),
        )
        .order_by(CertificateCondition.added_at, CertificateCondition.id)
    )
    for row in rows:
        if row.until is None or row.until > now.date():
            found[row.certificate_id].append(
                Condition(
                    row.id,
                    row.text,
                    row.until.isoformat() if row.until else None,
                    row.added_at.date().isoformat(),
                )
            )
    return found
