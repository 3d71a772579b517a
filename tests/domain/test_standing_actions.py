"""Which standing changes a board's record page offers, by the certificate's public status."""

from __future__ import annotations

import pytest

from trainer.domain.registry import STATUSES, standing_actions


@pytest.mark.parametrize(
    ("status", "offered"),
    [
        ("active", {"suspend", "condition", "revoke"}),
        ("suspended", {"reinstate", "condition", "revoke"}),
        ("expired", {"condition"}),
        ("revoked", set()),
        ("superseded", set()),
    ],
)
def test_each_status_offers_its_changes(status: str, offered: set[str]) -> None:
    assert standing_actions(status, renewed=False) == offered


@pytest.mark.parametrize("status", STATUSES)
def test_a_renewed_certificate_offers_none(status: str) -> None:
    """Its successor carries the standing; changes go there."""
    assert standing_actions(status, renewed=True) == frozenset()


def test_suspending_and_reinstating_never_show_together() -> None:
    for status in STATUSES:
        assert not {"suspend", "reinstate"} <= standing_actions(status, renewed=False)
