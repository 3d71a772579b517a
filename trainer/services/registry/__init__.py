"""The board registry: a read model over certificates, scoped to one jurisdiction.

Every function takes the jurisdiction first and returns small frozen dataclasses built from
selected columns, never ORM objects, so no template or JSON answer can show a field the
board should not see (hour descriptions, the holder's e-mail, anything of another state).
A certificate of another jurisdiction does not exist here: NotFound, as for a wrong number.

By job: rows (the row and the search), cursors (the API's pages and changes), record (one
certificate), exports (roster CSV, ZIP of PDFs), overview (the board's overview, activity).
"""

from trainer.services.registry.cursors import (
    CursorPage,
    changes,
    search_after,
)
from trainer.services.registry.exports import (
    EXPORT_MAX,
    MANIFEST_COLUMNS,
    ROSTER_COLUMNS,
    export_zip,
    record_export,
    roster_csv,
)
from trainer.services.registry.overview import (
    Activity,
    Overview,
    activity,
    overview,
)
from trainer.services.registry.record import (
    CertificateRecord,
    Evidence,
    HistoryEvent,
    StoredPdf,
    download_pdf,
    holds,
    open_record,
    pdf,
    record,
)
from trainer.services.registry.rows import (
    RegistryRow,
    SearchPage,
    count,
    programs,
    search,
)

__all__ = [
    "Activity",
    "CertificateRecord",
    "CursorPage",
    "EXPORT_MAX",
    "Evidence",
    "HistoryEvent",
    "MANIFEST_COLUMNS",
    "Overview",
    "ROSTER_COLUMNS",
    "RegistryRow",
    "SearchPage",
    "StoredPdf",
    "activity",
    "changes",
    "count",
    "export_zip",
    "record_export",
    "holds",
    "overview",
    "download_pdf",
    "open_record",
    "pdf",
    "programs",
    "record",
    "roster_csv",
    "search",
    "search_after",
]
