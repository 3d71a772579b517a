"""``trainer content``: check, load and inspect the content tree (see content/README.md)."""

from __future__ import annotations

import click


@click.group()
def content() -> None:
    """Check, load and inspect content/."""
