"""Setting up a trainee with a supervisor, through the services."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models import User
from trainer.services import hours, learning


def supervised_trainee(
    app: Any,
    trainee: Any,
    supervisor: Any,
    admin: Any,
    program_id: str = "test-prog",
    days_ago: int = 60,
) -> int:
    """Enrol ``trainee`` (backdated) and assign ``supervisor``; returns the enrolment id."""
    with app.app_context():
        person = db.session.get(User, trainee.id)
        enrolment = learning.enrol(person, program_id, utcnow())
        enrolment.enrolled_at = utcnow() - timedelta(days=days_ago)
        hours.assign(
            db.session.get(User, admin.id), trainee.email, program_id, supervisor.email, utcnow()
        )
        db.session.commit()
        return enrolment.id
