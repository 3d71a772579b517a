"""Webhooks: signed deliveries of certificate events to boards' and employers' endpoints.
(To be built: the interface below is what ``services.certificates.events`` calls.)"""

from __future__ import annotations

from datetime import datetime

from trainer.models import CertificateEvent


def board_owners(jurisdiction: str) -> set[int]:
    """Users whose endpoints hear every event of ``jurisdiction`` (its board members)."""
    return set()


def fan_out(event: CertificateEvent, owner_ids: set[int], now: datetime) -> int:
    """Queue a delivery of ``event`` to each endpoint of ``owner_ids`` subscribed to its kind."""
    return 0
