"""Certificate numbers: ``PREFIX-YEAR-SEQUENCE-CHECK``, e.g. ``KY-APSS-2026-000123-7``.

The check digit is Luhn's over the year and sequence digits, so a mistyped digit or two
swapped neighbours is caught before any lookup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

NUMBER_RE = re.compile(
    r"^(?P<prefix>[A-Z0-9]+(?:-[A-Z0-9]+)*)-(?P<year>\d{4})-(?P<seq>\d{6,})"
    r"-(?P<check>\d)$"
)


def luhn_digit(digits: str) -> int:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:  # doubled positions, counted from the right of the payload
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def format_number(prefix: str, year: int, sequence: int) -> str:
    body = f"{year:04d}{sequence:06d}"
    return f"{prefix}-{year:04d}-{sequence:06d}-{luhn_digit(body)}"


@dataclass(frozen=True)
class Parsed:
    prefix: str
    year: int
    sequence: int


def parse_number(text: str) -> Parsed | None:
    """The parts of a well-formed number with a correct check digit, else None."""
    match = NUMBER_RE.match(text.strip().upper())
    if not match:
        return None
    body = match["year"] + match["seq"]
    if luhn_digit(body) != int(match["check"]):
        return None
    return Parsed(match["prefix"], int(match["year"]), int(match["seq"]))


def add_months(when: datetime, months: int) -> datetime:
    """``when`` plus whole calendar months, clamped to the last day (31 Jan + 1 -> 28 Feb)."""
    import calendar

    month_index = when.month - 1 + months
    year = when.year + month_index // 12
    month = month_index % 12 + 1
    day = min(when.day, calendar.monthrange(year, month)[1])
    return when.replace(year=year, month=month, day=day)
