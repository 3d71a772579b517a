"""The audit log's hash chain: what one event's hash covers, and how a run of sealed events is
checked. Pure: the service reads the rows and hands them here.

Each sealed event's hash is SHA-256 over a canonical JSON document of its content, its place
in the chain (``seq``) and the previous event's hash, so changing, removing or reordering any
sealed event breaks every hash after it; a check reports the first place it breaks.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

#: the previous hash of the first event in the chain
GENESIS = "0" * 64


@dataclass(frozen=True)
class Sealed:
    """One audit event as stored, with its chain columns."""

    id: int
    at: datetime
    actor_id: int | None
    action: str
    subject_type: str | None
    subject_id: str | None
    details: dict[str, Any]
    remote_addr: str | None
    seq: int
    prev_hash: str
    hash: str


def digest(
    event_id: int,
    at: datetime,
    actor_id: int | None,
    action: str,
    subject_type: str | None,
    subject_id: str | None,
    details: dict[str, Any],
    remote_addr: str | None,
    seq: int,
    prev_hash: str,
) -> str:
    """The hash of one event at place ``seq`` after ``prev_hash``."""
    document = {
        "id": event_id,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "action": action,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "details": details,
        "remote_addr": remote_addr,
        "seq": seq,
        "prev": prev_hash,
    }
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def hash_of(e: Sealed) -> str:
    return digest(
        e.id,
        e.at,
        e.actor_id,
        e.action,
        e.subject_type,
        e.subject_id,
        e.details,
        e.remote_addr,
        e.seq,
        e.prev_hash,
    )


@dataclass(frozen=True)
class Head:
    """Where a check got to: the last sealed event's place and hash."""

    seq: int
    hash: str


class ChainBroken(ValueError):
    """The first place the chain does not hold, in words; ``event_id`` is the event at fault
    (None when the fault is a missing event)."""

    def __init__(self, message: str, event_id: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.event_id = event_id


def check(events: Iterable[Sealed], after: Head | None = None) -> Head | None:
    """Walk sealed events in ``seq`` order from the start of the chain (or from ``after``,
    a head already checked); return the head reached. Raises ChainBroken at the first event
    altered, removed or reordered."""
    seq, prev = (after.seq, after.hash) if after else (0, GENESIS)
    head = after
    for e in events:
        if e.seq != seq + 1:
            raise ChainBroken(
                f"The chain skips from place {seq} to {e.seq}: "
                f"{e.seq - seq - 1} event(s) before event {e.id} were removed.",
                None,
            )
        if e.prev_hash != prev:
            raise ChainBroken(
                f"Event {e.id} (place {e.seq}) does not follow the event before it: events "
                "were removed, reordered or the previous one was altered.",
                e.id,
            )
        if hash_of(e) != e.hash:
            raise ChainBroken(
                f"Event {e.id} (place {e.seq}, {e.action}) was altered after it was sealed.",
                e.id,
            )
        seq, prev = e.seq, e.hash
        head = Head(seq, prev)
    return head
