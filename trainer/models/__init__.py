"""Database models. Importing this package registers every table on ``Base.metadata``."""

from trainer.models.accounts import PasswordToken, User, UserRole
from trainer.models.api import ApiToken
from trainer.models.assessment import Accommodation, ExamAttempt, ExamItem, QuizAttempt
from trainer.models.audit import AppendOnlyError, AuditChainCheck, AuditEvent
from trainer.models.base import Base
from trainer.models.certificates import (
    AttestationSignature,
    CEEntry,
    Certificate,
    DocumentUpload,
    RenewalReminder,
    StatusList,
)
from trainer.models.content import (
    ContentRelease,
    Item,
    ItemRevision,
    Module,
    ModuleSection,
    Program,
)
from trainer.models.evaluations import CompetencyEvaluation
from trainer.models.hours import HourEntry, SupervisionLink, SupervisorDigest
from trainer.models.keys import SigningKey
from trainer.models.learning import (
    Enrolment,
    EnrolmentProgress,
    ModulePlace,
    SectionRead,
    SectionTime,
)
from trainer.models.mail import OutboxMessage
from trainer.models.sessions import SupervisionSession
from trainer.models.standing import CertificateCondition, CertificateEvent
from trainer.models.storage import StoredFile
from trainer.models.supervision import SupervisorQualification
from trainer.models.two_factor import RecoveryCode, SignInSession, TwoFactor
from trainer.models.worker import ScheduledJob, WorkerHeartbeat

# tables of the board and employer tools, imported by module (registers them on Base)
from trainer.models import ce_audits, employers, webhooks  # noqa: E402, F401  isort: skip

__all__ = [
    "StoredFile",
    "RecoveryCode",
    "SignInSession",
    "TwoFactor",
    "SigningKey",
    "AuditChainCheck",
    "CertificateCondition",
    "CertificateEvent",
    "ApiToken",
    "AttestationSignature",
    "CEEntry",
    "CompetencyEvaluation",
    "RenewalReminder",
    "ScheduledJob",
    "WorkerHeartbeat",
    "Certificate",
    "DocumentUpload",
    "HourEntry",
    "SupervisionLink",
    "SupervisorDigest",
    "Accommodation",
    "ExamAttempt",
    "ExamItem",
    "QuizAttempt",
    "ContentRelease",
    "Enrolment",
    "EnrolmentProgress",
    "Item",
    "ItemRevision",
    "Module",
    "ModulePlace",
    "ModuleSection",
    "Program",
    "SectionRead",
    "SectionTime",
    "StatusList",
    "SupervisionSession",
    "SupervisorQualification",
    "AppendOnlyError",
    "AuditEvent",
    "Base",
    "OutboxMessage",
    "PasswordToken",
    "User",
    "UserRole",
]
