"""Which kind of transaction the database work of the current request or command needs.

A request that only reads (GET, HEAD) runs in **read mode**: on SQLite its transactions
start with a plain (deferred) ``BEGIN``, so readers share the write-ahead log side by side
instead of queueing for the write lock. Everything else (POST requests, commands, the
worker) runs in **write mode**: ``BEGIN IMMEDIATE`` on SQLite, so concurrent writers wait for
each other (busy_timeout) instead of failing to upgrade a read lock. PostgreSQL needs neither.

A read-mode request that must record something (a section marked read, a board member's
access audited, an attempt scored past its deadline) does it in a short write transaction of
its own, ``services.db_util.writing()``; a write statement outside one is refused
(``WriteInReadMode``), so a read never fails with ``SQLITE_BUSY_SNAPSHOT``.
"""

from __future__ import annotations

from contextvars import ContextVar, Token

READ, WRITE = "read", "write"
_mode: ContextVar[str] = ContextVar("trainer_transaction_mode", default=WRITE)


class WriteInReadModeError(RuntimeError):
    """A statement that writes ran in read mode outside ``db_util.writing()``."""


def mode() -> str:
    return _mode.get()


def set_mode(value: str) -> Token[str]:
    return _mode.set(value)


def reset(token: Token[str]) -> None:
    _mode.reset(token)
