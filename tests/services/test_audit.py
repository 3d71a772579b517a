"""The audit log is append-only."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from trainer.extensions import db
from trainer.models import AppendOnlyError, AuditEvent
from trainer.services import audit


def test_audit_rows_cannot_be_changed_or_deleted(ctx: Any) -> None:
    audit.record("test.event", subject_type="Thing", subject_id=7, note="first")
    db.session.commit()
    event = db.session.scalar(select(AuditEvent))
    assert (event.action, event.subject_id, event.details) == ("test.event", "7", {"note": "first"})
    assert event.at.tzinfo is not None
    event.action = "rewritten"
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.scalar(select(AuditEvent)))
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(AuditEvent)).action == "test.event"


def test_no_code_updates_or_deletes_audit_rows() -> None:
    """A text scan: nothing in the package issues UPDATE/DELETE against audit_events."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "trainer"
    pattern = re.compile(
        r"(update|delete)\(\s*AuditEvent|UPDATE\s+audit_events|DELETE\s+FROM\s+audit_events", re.I
    )
    # the one exception: sealing writes the chain columns of rows not yet sealed, and only
    # those (services.audit_chain); what an event says is never touched
    sealer = root / "services" / "audit_chain.py"
    hits = [str(p) for p in root.rglob("*.py") if p != sealer and pattern.search(p.read_text())]
    assert not hits
    sealing = sealer.read_text()
    assert len(pattern.findall(sealing)) == 1
    assert ".where(AuditEvent.id == e.id, AuditEvent.seq.is_(None))" in sealing
    assert ".values(seq=seq, prev_hash=prev, hash=digest)" in sealing
