"""What the web layer accepts from a request before any service sees it.

- Ids: ASCII digits only, at most ``MAX_ID`` (the largest value an INTEGER column holds on
  PostgreSQL; SQLite's limit is larger). Bigger, negative or non-ASCII numbers are not ids:
  the URL converter answers 404, ``parse_id`` returns None.
- Redirect targets taken from the request: same-site paths only (``safe_target``).
- Dates typed into forms: between ``MIN_DATE`` and ``MAX_DATE``, so no arithmetic on them
  can leave Python's date range (``DateRange`` for WTForms).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from werkzeug.routing import BaseConverter, ValidationError
from wtforms import DecimalField, IntegerField
from wtforms.validators import ValidationError as FieldError

from trainer.domain.hours import PLAIN_NUMBER

MAX_ID = 2**31 - 1
_ID = re.compile(r"[0-9]{1,10}")
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2199, 12, 31)


class IdConverter(BaseConverter):
    """``<int:...>`` in every route: ASCII digits, 0..MAX_ID; anything else is no match."""

    regex = r"[0-9]{1,10}"
    weight = 50
    part_isolating = True

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValidationError()
        return number

    def to_url(self, value: Any) -> str:
        return str(int(value))


def parse_id(value: str | None) -> int | None:
    """An id from a query or form value, or None when it is not one."""
    if value is None or not _ID.fullmatch(value):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def parse_page(value: str | None, last: int = 100_000) -> int:
    """A page number from ``?page=``; 1 for anything that is not a page number."""
    number = parse_id(value)
    return number if number is not None and number <= last else 1


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def safe_target(value: str | None, fallback: str) -> str:
    """``value`` if it is a path on this site, else ``fallback``.

    Refused: absolute and scheme-relative URLs (``https://x``, ``//x``), backslashes (which
    browsers read as slashes: ``/\\x``), other schemes (``javascript:``) and control
    characters (a newline would split the header).
    """
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return fallback
    if "\\" in value or _CONTROL.search(value):
        return fallback
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return fallback
    return value


class DateRange:
    """WTForms validator: the date lies between MIN_DATE and MAX_DATE."""

    def __call__(self, form: Any, field: Any) -> None:
        if field.data is not None and not MIN_DATE <= field.data <= MAX_DATE:
            raise FieldError(f"Enter a date between {MIN_DATE.year} and {MAX_DATE.year}.")


class IdField(IntegerField):
    """An id typed into a form: ASCII digits, 1..MAX_ID (WTForms' IntegerField takes "٣")."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or valuelist[0] == "":
            self.data = None
            return
        self.data = parse_id(str(valuelist[0]).strip())
        if self.data is None:
            raise ValueError("Enter the number as digits, e.g. 1234.")


class PlainDecimalField(DecimalField):
    """A decimal typed as people type it: ASCII digits and one point, nothing else."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if (
            valuelist
            and valuelist[0] != ""
            and not PLAIN_NUMBER.fullmatch(str(valuelist[0]).strip())
        ):
            self.data = None
            raise ValueError("Enter a number such as 1.5.")
        super().process_formdata(valuelist)
