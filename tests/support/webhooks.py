"""A real webhook receiver on a loopback port, checking signatures with the README's code.

``Receiver`` runs ``http.server`` in a thread on 127.0.0.1 (a random port). It records every
POST with its headers, raw body and whether the signature verified, and answers with the
next status of ``answers`` (200 when empty). ``hang`` makes it accept the request and never
answer; ``trickle`` makes it send its answer one byte at a time. ``tls`` (a PEM file from
``self_signed``) makes it an HTTPS server.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from trainer.clock import utcnow
from trainer.extensions import db
from trainer.services import accounts

#: The receiver's check exactly as README.md shows it ("Verifying a delivery").
RECEIVER_SNIPPET = '''\
import base64, hashlib, hmac, time

def verify(secret: str, headers, body: bytes, tolerance: int = 300) -> bool:
    """Is this delivery from trainer? headers: the request's; body: its raw bytes."""
    msg_id, stamp = headers["Webhook-Id"], headers["Webhook-Timestamp"]
    if abs(time.time() - int(stamp)) > tolerance:
        return False  # too old, or from the future: a replayed request
    key = base64.b64decode(secret.removeprefix("whsec_"))
    mac = hmac.new(key, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
    expected = "v1," + base64.b64encode(mac).decode()
    return any(hmac.compare_digest(expected, s) for s in headers["Webhook-Signature"].split())
'''
_namespace: dict[str, Any] = {}
exec(RECEIVER_SNIPPET, _namespace)  # noqa: S102 (our own snippet, the one the README shows)
verify = _namespace["verify"]


@dataclass(frozen=True)
class Delivery:
    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool


def self_signed(tmp: Path, names: tuple[str, ...] = ("hooks.example.test",)) -> Path:
    """A certificate and key (one PEM file) for ``names`` and 127.0.0.1."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    now = datetime.now(UTC)
    alt = [x509.DNSName(n) for n in names] + [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(alt), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem = tmp / "receiver.pem"
    pem.write_bytes(
        cert.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return pem


class Receiver:
    def __init__(self, tls: Path | None = None) -> None:
        self.secret: str | None = None
        self.answers: list[int] = []
        self.mode = "answer"  # | "hang" | "trickle"
        self.received: list[Delivery] = []
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's hook name)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                ok = receiver.secret is not None and verify(receiver.secret, self.headers, body)
                receiver.received.append(Delivery(self.path, dict(self.headers), body, ok))
                if receiver.mode == "hang":
                    receiver.release.wait(30)
                    return
                status = receiver.answers.pop(0) if receiver.answers else 200
                if receiver.mode == "trickle":
                    for byte in f"HTTP/1.1 {status} OK\r\n\r\n".encode():
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(0.2)
                    return
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.scheme = "http"
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(tls)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            self.scheme = "https"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.server.server_port}/hooks/trainer"

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@contextmanager
def receiving(tls: Path | None = None) -> Iterator[Receiver]:
    receiver = Receiver(tls)
    try:
        yield receiver
    finally:
        receiver.close()


def closed_port() -> int:
    """A loopback port nothing listens on (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fake_dns(monkeypatch: pytest.MonkeyPatch, names: dict[str, list[str]]) -> None:
    """Make ``names`` resolve to the given addresses (others resolve as usual)."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host in names:
            out = []
            for address in names[host]:
                family = socket.AF_INET6 if ":" in address else socket.AF_INET
                sockaddr = (address, port or 0, 0, 0) if ":" in address else (address, port or 0)
                out.append((family, socket.SOCK_STREAM, 6, "", sockaddr))
            return out
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def employer(app: Any, name: str = "Bluegrass Recovery Center") -> Any:
    """An employer account (an employer needs an organisation, which make_user cannot set)."""
    with app.app_context():
        user = accounts.create_user(
            None,
            f"hr{abs(hash(name)) % 10_000}@example.org",
            "Erin Employer",
            {"employer"},
            password="correct horse battery",
            now=utcnow(),
            organisation=name,
        )
        db.session.commit()
        db.session.refresh(user)
        _ = user.role_rows
        db.session.expunge(user)
    return user
