"""The board registry's query language: filters, sorts and limits, checked in one place.

Both the board's search page and the JSON API hand the raw query parameters to
``parse_filters``; what comes back is either a ``Filters`` value or a message per field.
Nothing here knows about Flask or the database.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime

STATUSES = ("active", "expired", "suspended", "revoked", "superseded")
STATUS_LABELS = {
    "active": "Active",
    "expired": "Expired",
    "suspended": "Suspended",
    "revoked": "Revoked",
    "superseded": "Superseded by renewal",
}

# sort key -> (column name, descending?)
SORTS: dict[str, tuple[str, bool]] = {
    "issued_desc": ("issued_at", True),
    "issued_asc": ("issued_at", False),
    "expires_asc": ("expires_at", False),
    "expires_desc": ("expires_at", True),
    "name_asc": ("holder_name", False),
    "name_desc": ("holder_name", True),
    "number_asc": ("number", False),
}
SORT_LABELS = {
    "issued_desc": "Newest issued first",
    "issued_asc": "Oldest issued first",
    "expires_asc": "Expiring soonest first",
    "expires_desc": "Expiring latest first",
    "name_asc": "Holder name A to Z",
    "name_desc": "Holder name Z to A",
    "number_asc": "Certificate number",
}
FILTER_FIELDS = (
    "q",
    "status",
    "program",
    "issued_from",
    "issued_to",
    "expires_from",
    "expires_to",
    "sort",
)
MAX_QUERY = 200
DEFAULT_LIMIT = 50
MAX_LIMIT = 100


@dataclass(frozen=True)
class Filters:
    """A registry search. ``q`` matches a certificate number exactly or part of a name."""

    q: str = ""
    status: str | None = None
    program: str | None = None
    issued_from: date | None = None
    issued_to: date | None = None
    expires_from: date | None = None
    expires_to: date | None = None
    sort: str = "issued_desc"

    def as_params(self) -> dict[str, str]:
        """The non-empty filters as query parameters (for links and cursors)."""
        out = {}
        for key, value in asdict(self).items():
            if value in (None, ""):
                continue
            if key == "sort" and value == "issued_desc":
                continue
            out[key] = value.isoformat() if isinstance(value, date) else str(value)
        return out


class QueryError(ValueError):
    """One message per offending parameter: {"status": "Choose one of ...", ...}."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def _date(text: str) -> date:
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise ValueError("Enter a date as YYYY-MM-DD, e.g. 2026-01-31.") from None
    if not 1900 <= value.year <= 2999:
        raise ValueError("Enter a year between 1900 and 2999.")
    return value


def parse_filters(
    pairs: Iterable[tuple[str, str]],
    programs: Collection[str],
    extra: Collection[str] = (),
    strict: bool = False,
) -> tuple[Filters, dict[str, str]]:
    """Check raw query parameters. Returns the filters and the values of ``extra`` keys
    (e.g. page, limit, cursor) for the caller to check; raises QueryError naming every
    unknown, repeated or invalid parameter. ``strict`` (the API) also refuses empty values,
    which a search form sends for every field left blank."""
    errors: dict[str, str] = {}
    seen: dict[str, str] = {}
    for key, value in pairs:
        if key not in FILTER_FIELDS and key not in extra:
            errors[key[:40]] = (
                "Unknown parameter. Use " + ", ".join(sorted({*FILTER_FIELDS, *extra})) + "."
            )
        elif key in seen:
            errors[key] = "Give this parameter once."
        elif strict and not value.strip():
            errors[key] = "Give a value, or leave the parameter out."
        else:
            seen[key] = value
    values: dict[str, object] = {}
    q = seen.get("q", "").strip()
    if len(q) > MAX_QUERY:
        errors["q"] = f"Search for at most {MAX_QUERY} characters."
    values["q"] = q
    status = seen.get("status", "").strip()
    if status and status not in STATUSES:
        errors["status"] = "Choose one of " + ", ".join(STATUSES) + "."
    values["status"] = status or None
    program = seen.get("program", "").strip()
    if program and program not in programs:
        errors["program"] = "No such program. Choose one of " + ", ".join(sorted(programs)) + "."
    values["program"] = program or None
    for key in ("issued_from", "issued_to", "expires_from", "expires_to"):
        text = seen.get(key, "").strip()
        values[key] = None
        if text:
            try:
                values[key] = _date(text)
            except ValueError as error:
                errors[key] = str(error)
    for lo, hi in (("issued_from", "issued_to"), ("expires_from", "expires_to")):
        a, b = values.get(lo), values.get(hi)
        if isinstance(a, date) and isinstance(b, date) and a > b and hi not in errors:
            errors[hi] = "This date is before the start of the range."
    sort = seen.get("sort", "").strip() or "issued_desc"
    if sort not in SORTS:
        errors["sort"] = "Choose one of " + ", ".join(SORTS) + "."
    values["sort"] = sort
    if errors:
        raise QueryError(errors)
    extras = {k: v for k, v in seen.items() if k in extra}
    return Filters(**values), extras  # type: ignore[arg-type]  # each value checked above


def parse_int(text: str | None, name: str, default: int, lo: int, hi: int) -> int:
    """A bounded whole number from a query parameter; QueryError if it is not one."""
    if text is None or text.strip() == "":
        return default
    try:
        value = int(text.strip())
    except ValueError:
        raise QueryError({name: "Enter a whole number."}) from None
    if not lo <= value <= hi:
        raise QueryError({name: f"Enter a number from {lo} to {hi}."})
    return value


def parse_timestamp(text: str | None, name: str) -> datetime:
    """An ISO 8601 timestamp with a time zone (e.g. 2026-11-01T00:00:00Z)."""
    if not text or not text.strip():
        raise QueryError({name: "Give a timestamp, e.g. 2026-11-01T00:00:00Z."})
    raw = text.strip()
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise QueryError(
            {name: "Enter an ISO 8601 timestamp with a zone, e.g. 2026-11-01T00:00:00Z."}
        ) from None
    if value.tzinfo is None:
        raise QueryError({name: "Give the time zone too, e.g. a trailing Z for UTC."})
    if not 1900 <= value.year <= 2999:
        raise QueryError({name: "Enter a year between 1900 and 2999."})
    return value


def public_status(status: str, expires_at: datetime | None, now: datetime) -> str:
    """What a certificate's status means today: an active one past its expiry is expired."""
    if status == "active" and expires_at is not None and now >= expires_at:
        return "expired"
    return status


#: What a board may do to a certificate in each public status (the standing forms a record
#: page offers; services.certificates.standing and public.revoke enforce the same rules)
STANDING_ACTIONS: dict[str, frozenset[str]] = {
    "active": frozenset({"suspend", "condition", "revoke"}),
    "suspended": frozenset({"reinstate", "condition", "revoke"}),
    "expired": frozenset({"condition"}),  # a condition still tells an employer something
}


def standing_actions(status: str, renewed: bool) -> frozenset[str]:
    """The standing changes a record page offers: none once the certificate was renewed
    (its successor carries the standing) or revoked."""
    return frozenset() if renewed else STANDING_ACTIONS.get(status, frozenset())


def month_starts(now: datetime, count: int) -> list[date]:
    """The first days of the last ``count`` months, oldest first, ending with this month."""
    year, month = now.year, now.month
    out = []
    for _ in range(count):
        out.append(date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return out[::-1]


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


def bar_chart(
    values: list[tuple[str, int]], width: float = 600, height: float = 180
) -> tuple[list[Bar], int]:
    """Geometry for a simple bar chart drawn as SVG (labels below, scale from zero)."""
    top = max((v for _, v in values), default=0) or 1
    slot = width / max(len(values), 1)
    bars = []
    for i, (label, value) in enumerate(values):
        h = height * value / top
        bars.append(Bar(label, value, i * slot + slot * 0.15, height - h, slot * 0.7, h))
    return bars, top
