"""Database models. Importing this package registers every table on ``Base.metadata``."""

from trainer.models.accounts import PasswordToken, User, UserRole
from trainer.models.audit import AppendOnlyError, AuditEvent
from trainer.models.base import Base
from trainer.models.mail import OutboxMessage

__all__ = [
    "AppendOnlyError",
    "AuditEvent",
    "Base",
    "OutboxMessage",
    "PasswordToken",
    "User",
    "UserRole",
]
