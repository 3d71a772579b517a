"""Demo data for ``trainer demo`` and ``make run``: safe to run any number of times."""

from __future__ import annotations

from collections.abc import Iterator

from trainer.extensions import db
from trainer.services import accounts

#: Demo sign-ins, printed by ``make run``. Demo only: never use these on a real deployment.
DEMO_ACCOUNTS = [
    ("admin@demo.trainer", "Avery Admin", {"admin"}, None, "demo-admin-pass"),
    ("supervisor@demo.trainer", "Sam Supervisor", {"supervisor"}, None, "demo-supervisor-pass"),
    ("board@demo.trainer", "Blake Board", {"board"}, "KY", "demo-board-pass"),
    ("trainee@demo.trainer", "Taylor Trainee", {"trainee"}, None, "demo-trainee-pass"),
]


def seed() -> Iterator[str]:
    for email, name, roles, jurisdiction, password in DEMO_ACCOUNTS:
        if accounts.find_by_email(email) is None:
            accounts.create_user(None, email, name, roles, jurisdiction, password=password)
            status = "created"
        else:
            status = "exists"
        yield f"  {sorted(roles)[0]:<11} {email:<26} password: {password}   ({status})"
    db.session.commit()
