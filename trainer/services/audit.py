"""The one way to write to the audit log."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request

from trainer.extensions import db
from trainer.models import AuditEvent, User


def record(
    action: str,
    actor: User | None = None,
    subject: Any = None,
    subject_type: str | None = None,
    subject_id: Any = None,
    **details: Any,
) -> AuditEvent:
    """Append an audit event for ``action`` by ``actor`` about ``subject``.

    ``subject`` may be a model instance (its class name and id are recorded) or left out in
    favour of explicit ``subject_type``/``subject_id``. The remote address comes from the
    current request, if any.
    """
    if subject is not None:
        subject_type = subject_type or type(subject).__name__
        subject_id = subject_id if subject_id is not None else getattr(subject, "id", None)
    event = AuditEvent(
        actor=actor,
        actor_id=actor.id if actor is not None else None,
        action=action,
        subject_type=subject_type,
        subject_id=None if subject_id is None else str(subject_id),
        details=details,
        remote_addr=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    db.session.flush()
    return event
