"""One try of a webhook delivery over HTTP: connect only to addresses checked at that
moment, follow no redirect, give up after a fixed time. No database here: the worker's
``services.webhook_channel.WebhookChannel`` records what came back."""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass

from trainer.domain import webhooks as rules
from trainer.domain.errors import RuleError


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    error: str | None
    duration_ms: int
    refused: bool = False  # the address is not allowed (now): trying again cannot help
    unreachable: bool = False  # no connection or no answer in time


def _tls_context() -> ssl.SSLContext:
    return ssl.create_default_context()


def _connect(target: rules.Target, allow_loopback: bool) -> socket.socket:
    """A connection to an address the host resolves to now, checked before connecting (so
    a name re-pointed since registration cannot reach a private address)."""
    infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    rules.check_addresses(target, [str(i[4][0]) for i in infos], allow_loopback)
    error: OSError = OSError("no address")
    for family, kind, proto, _, address in infos[:2]:
        sock = socket.socket(family, kind, proto)
        sock.settimeout(rules.CONNECT_TIMEOUT)
        try:
            sock.connect(address)
        except OSError as failed:
            sock.close()
            error = failed
            continue
        return sock
    raise error


def _exchange(target: rules.Target, headers: dict[str, str], body: bytes, loopback: bool) -> int:
    """POST ``body`` and return the answer's status code (the body is not read; redirects
    are not followed). The whole exchange ends after TOTAL_TIMEOUT whatever the server does:
    a timer shuts the socket of one that trickles its answer."""
    sock = _connect(target, loopback)
    current = [sock]
    timer = threading.Timer(rules.TOTAL_TIMEOUT, lambda: _shut(current[0]))
    timer.start()
    conn = http.client.HTTPConnection(target.host, target.port, timeout=rules.TOTAL_TIMEOUT)
    try:
        sock.settimeout(rules.TOTAL_TIMEOUT)
        if target.scheme == "https":
            current[0] = _tls_context().wrap_socket(sock, server_hostname=target.host)
        conn.sock = current[0]
        conn.request("POST", target.path, body, {"Host": target.host_header, **headers})
        response = conn.getresponse()
        status = response.status
        response.close()
        return status
    finally:
        timer.cancel()
        conn.close()
        current[0].close()


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed: the exchange ended by itself
        sock.shutdown(socket.SHUT_RDWR)


def post(url: str, headers: dict[str, str], body: bytes, allow_loopback: bool) -> Answer:
    """One try: what the endpoint answered, or why there was no answer."""
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        target = rules.parse_url(url)
        status = _exchange(target, headers, body, allow_loopback)
    except RuleError as refused:
        return Answer(None, f"Refused: {refused.message}", took(), refused=True)
    except TimeoutError:
        return Answer(None, "No answer in time.", took(), unreachable=True)
    except ssl.SSLError as error:
        return Answer(None, f"TLS failed: {error}"[:300], took(), unreachable=True)
    except socket.gaierror:
        return Answer(None, "The host name could not be resolved.", took(), unreachable=True)
    except ConnectionRefusedError:
        return Answer(None, "Connection refused.", took(), unreachable=True)
    except (OSError, http.client.HTTPException) as error:
        late = took() >= rules.TOTAL_TIMEOUT * 1000
        text = "No complete answer in time." if late else f"No valid answer: {error!r}"
        return Answer(None, text[:300], took(), unreachable=True)
    return Answer(status, None, took())
