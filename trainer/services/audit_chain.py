"""Sealing and checking the audit log's hash chain (rules: ``domain.audit_chain``).

Events are written by many transactions at once, so they are not chained as they are
written (that would make every audited request queue behind one lock). The worker's
``seal`` job chains them afterwards, in order, once each has been in the log for ``SETTLE``
(so a transaction still open is not skipped): the chain then covers everything older than a
few minutes. ``verify`` recomputes the whole chain, compares it with the head the last check
reached (so events cut off the end are noticed too) and records the result, which the admin
home shows. For an anchor outside the database, keep the head hash that ``trainer audit
verify`` prints.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from trainer.domain import audit_chain as chain
from trainer.extensions import db
from trainer.models import AuditChainCheck, AuditEvent

#: how long an event waits before it is sealed (longer than any transaction)
SETTLE = timedelta(minutes=2)
BATCH = 2000


def _head() -> chain.Head | None:
    row = db.session.execute(
        select(AuditEvent.seq, AuditEvent.hash)
        .where(AuditEvent.seq.is_not(None))
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    ).first()
    return chain.Head(row.seq, row.hash) if row else None


def seal(now: datetime) -> int:
    """Chain every unsealed event older than ``SETTLE``, oldest first (the worker's job; one
    worker at a time holds it). Returns how many were sealed."""
    head = _head()
    seq, prev = (head.seq, head.hash) if head else (0, chain.GENESIS)
    rows = db.session.execute(
        select(AuditEvent)
        .where(AuditEvent.seq.is_(None), AuditEvent.at < now - SETTLE)
        .order_by(AuditEvent.at, AuditEvent.id)
        .limit(BATCH)
    ).scalars()
    sealed = 0
    for e in list(rows):
        seq += 1
        digest = chain.digest(
            e.id,
            e.at,
            e.actor_id,
            e.action,
            e.subject_type,
            e.subject_id,
            e.details,
            e.remote_addr,
            seq,
            prev,
        )
        # a Core UPDATE: the ORM refuses any change to an audit event (models.audit)
        db.session.execute(
            update(AuditEvent)
            .where(AuditEvent.id == e.id, AuditEvent.seq.is_(None))
            .values(seq=seq, prev_hash=prev, hash=digest)
            .execution_options(synchronize_session=False)
        )
        prev = digest
        sealed += 1
    return sealed


def _sealed() -> Iterator[chain.Sealed]:
    last = 0
    while True:
        rows = db.session.execute(
            select(
                AuditEvent.id,
                AuditEvent.at,
                AuditEvent.actor_id,
                AuditEvent.action,
                AuditEvent.subject_type,
                AuditEvent.subject_id,
                AuditEvent.details,
                AuditEvent.remote_addr,
                AuditEvent.seq,
                AuditEvent.prev_hash,
                AuditEvent.hash,
            )
            .where(AuditEvent.seq > last)
            .order_by(AuditEvent.seq)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        for r in rows:
            yield chain.Sealed(*r)
        last = rows[-1].seq


def last_check() -> AuditChainCheck | None:
    return db.session.scalar(
        select(AuditChainCheck).order_by(AuditChainCheck.checked_at.desc()).limit(1)
    )


def last_good() -> AuditChainCheck | None:
    return db.session.scalar(
        select(AuditChainCheck)
        .where(AuditChainCheck.problem.is_(None))
        .order_by(AuditChainCheck.checked_at.desc())
        .limit(1)
    )


def verify(now: datetime) -> AuditChainCheck:
    """Check the whole chain and record the result (``problem`` None: it held)."""
    events = db.session.scalar(select(func.count()).where(AuditEvent.seq.is_not(None))) or 0
    problem = None
    head = None
    try:
        head = chain.check(_sealed())
        problem = _cut_off(head)
    except chain.ChainBroken as broken:
        problem = broken.message
    check = AuditChainCheck(
        checked_at=now,
        events=events,
        head_seq=head.seq if head else None,
        head_hash=head.hash if head else None,
        problem=problem,
    )
    db.session.add(check)
    db.session.flush()
    return check


def _cut_off(head: chain.Head | None) -> str | None:
    """Whether events a previous check saw at the end of the chain are gone or changed."""
    before = last_good()
    if before is None or before.head_seq is None:
        return None
    if head is None or head.seq < before.head_seq:
        return (
            f"The chain ends at place {head.seq if head else 0}, but the check of "
            f"{before.checked_at:%Y-%m-%d %H:%M} UTC reached place {before.head_seq}: "
            "events were removed from the end."
        )
    kept = db.session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == before.head_seq))
    if kept != before.head_hash:
        return f"The event at place {before.head_seq} is not the one an earlier check saw."
    return None


def job_seal(now: datetime) -> int:
    return seal(now)


def job_verify(now: datetime) -> int:
    """The daily check; returns 1 when the chain held, 0 when it did not."""
    return 0 if verify(now).problem else 1
