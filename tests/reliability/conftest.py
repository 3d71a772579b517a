"""Fixtures for the fault-injection tests: a breakable SMTP server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.smtp_sink import SMTPSink


@pytest.fixture
def smtp() -> Iterator[SMTPSink]:
    sink = SMTPSink()
    sink.set_mode("up")
    try:
        yield sink
    finally:
        sink.close()
