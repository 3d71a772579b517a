"""A real SMTP server in the test process (aiosmtpd) that a test can break on purpose.

Modes: ``up`` (accepts and records), ``refuse`` (nothing listens: connection refused),
``hang`` (the port accepts connections but never greets: the client times out), ``4xx``
(451 to every message's DATA), ``5xx`` (554 to MAIL FROM: the whole service refuses).
Addresses in ``refused_recipients`` always get 550 (no such user).
"""

from __future__ import annotations

import asyncio
import email
import socket
import threading
from dataclasses import dataclass
from email import policy
from typing import Any

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Received:
    message_id: str
    to: str
    subject: str
    body: str


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Handler:
    def __init__(self, sink: SMTPSink) -> None:
        self.sink = sink

    async def handle_MAIL(  # noqa: N802 (aiosmtpd's hook names)
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.sink.mode == "5xx":
            return "554 5.7.1 Service unavailable"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.sink.refused_recipients:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.sink.mode == "4xx":
            return "451 4.3.0 Mail server temporarily rejected message"
        if self.sink.delay:
            await asyncio.sleep(self.sink.delay)
        msg = email.message_from_bytes(envelope.content, policy=policy.default)
        body = msg.get_body(("plain",))
        with self.sink.lock:
            self.sink.received.append(
                Received(
                    str(msg["Message-ID"]),
                    ",".join(envelope.rcpt_tos),
                    str(msg["Subject"]),
                    body.get_content() if body is not None else "",
                )
            )
        return "250 Message accepted for delivery"


class SMTPSink:
    def __init__(self) -> None:
        self.port = free_port()
        self.mode = "up"
        self.delay = 0.0  # seconds per accepted message
        self.refused_recipients: set[str] = set()
        self.received: list[Received] = []
        self.lock = threading.Lock()
        self._controller: Controller | None = None
        self._silent: socket.socket | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def set_mode(self, mode: str) -> None:
        assert mode in ("up", "refuse", "hang", "4xx", "5xx"), mode
        listening = mode in ("up", "4xx", "5xx")
        self._stop()
        self.mode = mode
        if listening:
            self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
            self._controller.start()
        elif mode == "hang":
            # Listening without ever accepting: the kernel completes the connection, the
            # greeting never comes.
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", self.port))
            s.listen(64)
            self._silent = s

    def _stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
        if self._silent is not None:
            self._silent.close()
            self._silent = None

    def close(self) -> None:
        self._stop()

    def message_ids(self) -> list[str]:
        with self.lock:
            return [r.message_id for r in self.received]
