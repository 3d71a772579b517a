"""The one way to write to the audit log."""

from __future__ import annotations

from contextvars import ContextVar, Token
from typing import Any

from trainer.extensions import db
from trainer.models import AuditEvent, User
from trainer.services import db_util

#: The network address the current change comes from. The web layer states it at the start
#: of every request (``web.__init__``); commands, the worker and tests leave it empty. Audit
#: events, signatures and hour decisions record it.
_origin: ContextVar[str | None] = ContextVar("origin", default=None)


def set_origin(address: str | None) -> Token[str | None]:
    return _origin.set(address)


def reset_origin(token: Token[str | None]) -> None:
    _origin.reset(token)


def origin() -> str | None:
    """Where the current change comes from (None outside a web request)."""
    return _origin.get()


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
    favour of explicit ``subject_type``/``subject_id``. The remote address is ``origin()``.
    In a page that only reads (a board member opening a record) the event is written in a
    short transaction of its own (``db_util.writing``); elsewhere it joins the caller's.
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
        remote_addr=origin(),
    )
    with db_util.writing():
        db.session.add(event)
        db.session.flush()
    return event
