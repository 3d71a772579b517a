"""Errors that carry the form field they belong to, so a view can show them beside it."""

from __future__ import annotations


class RuleError(ValueError):
    """A broken rule. ``field`` names the input at fault (or ``None`` for the whole form)."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class RuleErrors(RuleError):
    """Several broken rules at once, each a RuleError naming its field (``problems``), so one
    submit shows them all; ``field`` and ``message`` are the first problem's."""

    def __init__(self, problems: list[RuleError]) -> None:
        super().__init__(problems[0].field, problems[0].message)
        self.problems = tuple(problems)


class NotAllowed(PermissionError):
    """The actor may not do this (a 403)."""


class NotFound(LookupError):
    """The thing does not exist, or the actor may not know that it does (a 404)."""


class StorageError(Exception):
    """A file could not be stored or read: its store is misconfigured, unreachable, or holds
    other bytes than were stored (a 503: nothing a person did wrong)."""
