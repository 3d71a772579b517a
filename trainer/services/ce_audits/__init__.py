"""Continuing-education audits: a board samples the renewals of a window whose continuing
education was self-reported, each selected holder evidences every CE entry by a due date,
the board accepts each entry or not, and the audit closes as passed or failed with an outcome
(conditions, suspension, revocation or none) for every holder who failed or did not respond.

The population: the current (active or suspended) certificates of the jurisdiction issued in
the window as renewals (cycle 2 or later) whose predecessor has approved CE entries; those
entries are what the holder evidences. The sample is drawn from a recorded seed
(``domain.ce_audits.select_sample``) and stored as rows, so it never changes. Board members
act on their own jurisdiction only (NotFound otherwise), holders on their own requests only.
Every step is an audit event; every message goes through the outbox.

By job: starting (population, sample, requests), pages (what the pages read), acting
(evidence, decisions, outcomes, the close), notices (the worker's reminders).
"""

from trainer.services.ce_audits.acting import (
    board_file,
    choose_outcome,
    close,
    decide,
    holder_file,
    save_note,
    submit,
    upload,
)
from trainer.services.ce_audits.notices import remind
from trainer.services.ce_audits.pages import (
    AuditPage,
    AuditSummary,
    HolderPage,
    HolderRow,
    ItemView,
    audit_page,
    audits,
    board_of,
    holder_review,
    open_requests,
    open_requests_of,
    request_of,
    requests_of,
)
from trainer.services.ce_audits.starting import population, start

__all__ = [
    "AuditPage",
    "AuditSummary",
    "HolderPage",
    "HolderRow",
    "ItemView",
    "audit_page",
    "audits",
    "board_file",
    "board_of",
    "choose_outcome",
    "close",
    "decide",
    "holder_file",
    "holder_review",
    "open_requests",
    "open_requests_of",
    "population",
    "remind",
    "request_of",
    "requests_of",
    "save_note",
    "start",
    "submit",
    "upload",
]
