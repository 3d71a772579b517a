"""Setting up a trainee with a supervisor, through the services."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from tests.conftest import Auth
from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models import HourEntry, User
from trainer.services import hours, learning


def local_today() -> date:
    """Today for the test people (the default time zone, America/New_York), which is what the
    hours and session rules count: from midnight UTC until it is midnight in New York, the
    machine's ``date.today()`` is a day ahead of it."""
    return utcnow().astimezone(ZoneInfo("America/New_York")).date()


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


def signed_in_client(app: Any, user: Any) -> Any:
    """A test client signed in as ``user``."""
    c = app.test_client()
    Auth(c).login(user)
    return c


def good_entry(w: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The hour form's fields for a good entry two days ago (``w["sup"]`` supervises),
    with ``changes``."""
    data = {
        "work_date": (date.today() - timedelta(days=2)).isoformat(),
        "hours": "1.5",
        "category": "advocacy",
        "setting": "peer-group",
        "kind": "direct",
        "supervisor": str(w["sup"].id),
        "description": "Facilitated a peer support group.",
    }
    data.update(changes)
    return data


def hour_entries(app: Any) -> list[HourEntry]:
    """Every hour entry, in the order they were made."""
    with app.app_context():
        return list(db.session.scalars(select(HourEntry).order_by(HourEntry.id)))
