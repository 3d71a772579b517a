"""Employer roster monitoring. (To be built: the interface below is what
``services.certificates.events`` calls.)"""

from __future__ import annotations

from datetime import datetime

from trainer.models import CertificateEvent


def watchers(event: CertificateEvent) -> set[int]:
    """Employer users with the event's certificate on their roster."""
    return set()


def on_event(event: CertificateEvent, now: datetime) -> int:
    """E-mail the employers watching the certificate; returns how many were queued."""
    return 0
