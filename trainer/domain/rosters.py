"""Employer rosters, the pure part: reading a roster file, and what an employer is told.

A roster file is CSV (as spreadsheets save it): one certificate number per row, optionally
a name or note beside it, optionally a header row naming the columns. Every problem is
reported with its row number as a spreadsheet counts rows ("row 3: ..."), and nothing of a
file with problems is used.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from trainer.domain.errors import RuleError, RuleErrors

#: An uploaded roster file: at most this many bytes and data rows.
MAX_FILE = 256 * 1024
MAX_ROWS = 2_000
MAX_LABEL = 200
#: Row problems listed for one file (the rest are counted).
SHOWN_PROBLEMS = 50

#: The one answer for a number that is malformed, unknown, not yet issued or never existed.
NO_SUCH = "No issued certificate has this number; check it against the certificate."

#: Statuses in words, as the public verify page says them.
STATUS_WORDS = {
    "active": "Valid",
    "expired": "Expired",
    "suspended": "Suspended",
    "revoked": "Revoked",
    "superseded": "Superseded by a renewal",
}
#: The status each event leaves a certificate in.
STATUS_AFTER = {
    "certificate.suspended": "suspended",
    "certificate.reinstated": "active",
    "certificate.revoked": "revoked",
    "certificate.expired": "expired",
}

_HEADER_NUMBER = ("number", "certificate", "cert", "licen", "credential")
_HEADER_LABEL = ("name", "label", "staff", "employee", "note")


@dataclass(frozen=True)
class CsvRow:
    row: int  # the row's number in the file, as a spreadsheet counts it
    number: str  # as written, upper case
    label: str | None


def clean_label(text: str | None, field: str = "label") -> str | None:
    """The employer's note on a row, spaces tidied; RuleError when too long."""
    label = " ".join((text or "").split()) or None
    if label is not None and len(label) > MAX_LABEL:
        raise RuleError(field, f"Shorten the name to {MAX_LABEL} characters.")
    return label


def _text(data: bytes) -> str:
    if len(data) > MAX_FILE:
        raise RuleError(
            "file",
            f"The file is larger than {MAX_FILE // 1024} KB. Split it into smaller files "
            f"(at most {MAX_ROWS:,} rows each); nothing was added.",
        )
    if b"\x00" in data:
        raise RuleError("file", "This is not a CSV file. Save the sheet as CSV and try again.")
    for encoding in ("utf-8-sig", "cp1252"):  # what spreadsheets save
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RuleError("file", "The file's text could not be read; save it as CSV UTF-8.")


def _columns(first: list[str]) -> tuple[bool, int, int | None]:
    """(is a header row, number column, label column) from the file's first row."""
    cells = [c.strip().lower() for c in first]
    # column names have no digits: a mistyped number on the first row is a row, not a header
    is_header = not any(ch.isdigit() for c in cells for ch in c) and any(
        word in c for c in cells for word in _HEADER_NUMBER
    )
    if not is_header:
        return False, 0, 1 if len(cells) > 1 else None
    number = next(i for i, c in enumerate(cells) if any(w in c for w in _HEADER_NUMBER))
    label = next(
        (i for i, c in enumerate(cells) if i != number and any(w in c for w in _HEADER_LABEL)),
        None,
    )
    return True, number, label


def _records(text: str) -> list[tuple[int, list[str]]]:
    """The non-blank records of the file with their row numbers (comma, semicolon or tab
    separated: whichever the first line uses most)."""
    first_line = text.lstrip().split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise RuleError("file", f"The file is not valid CSV ({error}).") from None
    return [(i, r) for i, r in enumerate(records, start=1) if any(c.strip() for c in r)]


def parse_csv(data: bytes) -> list[CsvRow]:
    """The rows of a roster file. Raises RuleError on ``file`` for the file as a whole
    (too large, not text, no numbers, too many rows) and RuleErrors, one per row, for rows
    without a number or with a name that is too long."""
    rows = _records(_text(data))
    if not rows:
        raise RuleError("file", "The file has no certificate numbers.")
    header, number_at, label_at = _columns(rows[0][1])
    rows = rows[1:] if header else rows
    if not rows:
        raise RuleError("file", "The file has a header row but no certificate numbers.")
    if len(rows) > MAX_ROWS:
        raise RuleError(
            "file",
            f"The file has {len(rows):,} rows; upload at most {MAX_ROWS:,} at a time. "
            "Nothing was added.",
        )
    out, problems = [], []
    for i, record in rows:
        number = record[number_at].strip().upper() if number_at < len(record) else ""
        label = record[label_at] if label_at is not None and label_at < len(record) else ""
        try:
            if not number:
                raise RuleError("file", "No certificate number.")
            out.append(CsvRow(i, number, clean_label(label, "file")))
        except RuleError as error:
            problems.append(RuleError("file", f"row {i}: {error.message}"))
    if problems:
        raise shown(problems)
    return out


def shown(problems: list[RuleError]) -> RuleErrors:
    """The problems of a file, the first ``SHOWN_PROBLEMS`` of them and a count of the rest."""
    extra = len(problems) - SHOWN_PROBLEMS
    if extra > 0:
        problems = [*problems[:SHOWN_PROBLEMS], RuleError("file", f"… and {extra:,} more rows.")]
    return RuleErrors(problems)


def news(
    kind: str, data: dict[str, object], told: str, occurred_on: str, expires_on: str
) -> tuple[str | None, str]:
    """What an employer is told of an event about a certificate it watches, and the status
    it then knows. ``told``: the status it was last told. None: nothing new to tell."""
    until = data.get("until")
    if kind == "certificate.renewed":
        return (
            f"It was renewed and the new certificate is valid until {expires_on}. Your roster "
            "now follows the new number.",
            told,
        )
    if kind == "certificate.condition_added":
        return (
            f"A condition now shows with it wherever it is checked"
            f"{f' (until {until})' if until else ''}:\n\n{data.get('text', '')}",
            told,
        )
    status = STATUS_AFTER.get(kind)
    if status is None or status == told:
        return None, told
    text = {
        "suspended": f"It is suspended from {occurred_on} "
        + (f"until {until}" if until else "until the issuing authority reinstates it")
        + ". While suspended it is not valid.",
        "active": f"Its suspension ended on {occurred_on}; it is valid again.",
        "revoked": f"It was revoked on {occurred_on}; it is no longer valid.",
        "expired": f"It expired on {data.get('expired_on') or expires_on}; it is no longer valid.",
    }[status]
    return text, status
