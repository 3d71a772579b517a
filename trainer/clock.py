"""The wall clock, read in one place.

Rules and services take the time as a parameter (``now``); the edges that start work read it
here: views, commands, the worker, and column defaults. Tests pass their own ``now``.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)
