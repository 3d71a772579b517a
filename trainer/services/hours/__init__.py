"""Supervised hours: who supervises whom (links), logging entries (entries), the supervisor's
decisions (decisions), what they add up to (reports) and the daily digest (notices).

Callers use the names below (``from trainer.services import hours``; ``hours.decide(...)``).
"""

from trainer.services.hours.decisions import DecisionResult, decide, reverse
from trainer.services.hours.entries import (
    EntrySubmission,
    edit_entry,
    local_date,
    log_entry,
    own_entry,
    withdraw_entry,
)
from trainer.services.hours.links import (
    active_supervisors,
    assign,
    categories,
    end_link,
    invitations,
    invite_supervisor,
    links,
    program_categories,
    respond,
    supervised_enrolment,
    supervised_enrolments,
    supervises,
    trainee_choices,
    trainee_enrolment,
)
from trainer.services.hours.notices import send_digests
from trainer.services.hours.reports import (
    CSV_HEADER,
    PAGE_SIZE,
    QueueFilter,
    Totals,
    all_totals,
    entries,
    export_rows,
    queue,
    totals,
    verification_pdf,
)

__all__ = [
    "CSV_HEADER",
    "PAGE_SIZE",
    "DecisionResult",
    "EntrySubmission",
    "QueueFilter",
    "Totals",
    "active_supervisors",
    "assign",
    "categories",
    "decide",
    "edit_entry",
    "end_link",
    "entries",
    "export_rows",
    "invitations",
    "invite_supervisor",
    "links",
    "local_date",
    "log_entry",
    "own_entry",
    "queue",
    "respond",
    "reverse",
    "send_digests",
    "supervised_enrolments",
    "trainee_choices",
    "program_categories",
    "supervised_enrolment",
    "supervises",
    "all_totals",
    "totals",
    "trainee_enrolment",
    "verification_pdf",
    "withdraw_entry",
]
