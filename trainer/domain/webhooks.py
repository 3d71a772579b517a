"""Rules of webhooks, as pure functions: which addresses a delivery may go to, how it is
signed, what it carries and when a failed one is tried again.

Deliveries follow the Standard Webhooks specification (standardwebhooks.com): a JSON body,
``Webhook-Id`` / ``Webhook-Timestamp`` / ``Webhook-Signature`` headers, and the signature
``v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`` with a ``whsec_`` secret.

Nothing here looks up a name or opens a connection: the caller resolves the host and passes
the addresses in, so the same check runs when an endpoint is registered and again, on the
addresses actually connected to, when each delivery is made (DNS rebinding).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from trainer.domain import outbox as outbox_rules
from trainer.domain.errors import RuleError
from trainer.domain.statuses import CertificateEventKind

#: What an owner can subscribe to, in the words the form shows.
EVENT_LABELS: dict[str, str] = {
    CertificateEventKind.ISSUED: "Certificate issued",
    CertificateEventKind.RENEWED: "Certificate renewed",
    CertificateEventKind.SUSPENDED: "Certificate suspended",
    CertificateEventKind.REINSTATED: "Certificate reinstated",
    CertificateEventKind.REVOKED: "Certificate revoked",
    CertificateEventKind.EXPIRED: "Certificate expired",
    CertificateEventKind.CONDITION_ADDED: "Condition added to a certificate",
}
#: The type of the event the "send a test event" button delivers (to any endpoint).
TEST_EVENT = "webhook.test"

MAX_URL = 2000
MAX_DESCRIPTION = 200
SECRET_PREFIX = "whsec_"  # noqa: S105 (the spec's prefix, not a secret)
SECRET_BYTES = 32  # the spec asks for at least 24
#: how long a replaced secret keeps signing beside the new one (time to update the receiver)
ROTATION_GRACE = timedelta(hours=24)

#: Seconds to open the connection, and for the whole exchange (the spec suggests 15 to 30;
#: a receiver should answer at once and do its work afterwards).
CONNECT_TIMEOUT = 5.0
TOTAL_TIMEOUT = 10.0

#: Tries before a delivery is given up: with the delays below, about a day of trying.
MAX_ATTEMPTS = 15
RETRY_BASE_SECONDS = 30
RETRY_CAP_SECONDS = 6 * 3600

HTTPS_ONLY = "Use an https:// address: deliveries carry signed data and travel encrypted."


# -- addresses ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """Where a delivery goes: a checked URL taken apart."""

    url: str
    scheme: str  # "https", or "http" for loopback in development
    host: str  # a lower-case name or an IP address (IPv6 without brackets)
    port: int
    path: str  # path and query, at least "/"

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


def parse_url(url: str) -> Target:
    """Check an endpoint address's form (not where it leads: see ``check_addresses``).

    Raises RuleError("url", ...) for anything but an absolute http(s) URL of printable
    ASCII, at most MAX_URL characters, without user name, password or fragment.
    """
    url = url.strip()
    if not url:
        raise RuleError("url", "Enter the address that should receive the events.")
    if len(url) > MAX_URL:
        raise RuleError("url", f"Use at most {MAX_URL} characters.")
    if any(not (32 < ord(c) < 127) for c in url):
        raise RuleError(
            "url", "Use only printable ASCII without spaces; percent-encode other characters."
        )
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("https", "http"):
        raise RuleError("url", HTTPS_ONLY)
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        raise RuleError("url", "The port number is not valid.") from None
    if not host:
        raise RuleError("url", "The address needs a host name, e.g. https://hooks.example.org/.")
    if parts.username is not None or parts.password is not None:
        raise RuleError(
            "url", "Leave out the user name and password; the signature proves who sent a delivery."
        )
    if parts.fragment or url.endswith("#"):
        raise RuleError("url", "Leave out the #fragment; it is never sent to a server.")
    if "%" in host:
        raise RuleError("url", "An IPv6 zone (the part after %) cannot be used.")
    scheme = parts.scheme.lower()
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(url, scheme, host.rstrip("."), port or (443 if scheme == "https" else 80), path)


#: RFC 6052's well-known NAT64 prefix: the last 32 bits are an IPv4 address, reached through
#: a translator on this server's network (RFC 8215's local-use 64:ff9b:1::/48 is refused
#: as reserved, like the rest of ::/8)
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def _nat64(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in NAT64 else None


def _why_refused(
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address, allow_loopback: bool
) -> str | None:
    """Why a delivery may not go to ``ip``, or None when it may."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or _nat64(ip)
        if embedded is not None:
            why = _why_refused(embedded, allow_loopback)
            return f"{why} (written as IPv6)" if why else None
    if ip.is_loopback:
        return None if allow_loopback else "a loopback address (this server itself)"
    for refused, why in (
        (ip.is_unspecified, "the unspecified address"),
        (ip.is_link_local, "a link-local address (such as a cloud metadata service)"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_private, "a private network address"),
        (ip.is_reserved, "a reserved address"),
        (not ip.is_global, "not a public internet address"),
    ):
        if refused:
            return why
    return None


def check_addresses(target: Target, addresses: Iterable[str], allow_loopback: bool) -> None:
    """Refuse a target whose host leads anywhere but the public internet.

    ``addresses`` are every address the host resolved to: one refused address refuses the
    target (an attacker's name may resolve to a public and a private address). Loopback is
    allowed only with ``allow_loopback`` (development and tests), and only there may the
    scheme be plain http.
    """
    found = list(addresses)
    if not found:
        raise RuleError("url", f"The host {target.host} has no address.")
    loopback_only = True
    for text in found:
        try:
            ip = ipaddress.ip_address(text.split("%", 1)[0])
        except ValueError:
            raise RuleError("url", f"The host {target.host} gave an unusable address.") from None
        why = _why_refused(ip, allow_loopback)
        if why is not None:
            shown = "" if text == target.host else f" resolves to {text}, which"
            raise RuleError(
                "url",
                f"{target.host}{shown} is {why}. Webhooks are delivered only to public "
                "internet addresses.",
            )
        mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None
        loopback_only = loopback_only and (mapped or ip).is_loopback
    if target.scheme != "https" and not (allow_loopback and loopback_only):
        raise RuleError("url", HTTPS_ONLY)


# -- signing -----------------------------------------------------------------------------


def new_secret(random_bytes: bytes) -> str:
    """A signing secret as shown to its owner: ``whsec_`` and the base64 of the key."""
    return SECRET_PREFIX + base64.b64encode(random_bytes).decode("ascii")


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``Webhook-Signature`` value: ``v1,`` and the base64 HMAC-SHA256 of
    ``{id}.{timestamp}.{body}`` keyed with the decoded secret."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def headers(
    secret: str, message_id: str, now: datetime, body: bytes, previous: str | None = None
) -> dict[str, str]:
    """Every header of a delivery made at ``now`` (a fresh timestamp on every try). With
    ``previous`` (a secret replaced less than ``ROTATION_GRACE`` ago), the signature header
    lists a signature by each, space-delimited, as Standard Webhooks defines it for
    rotating a secret without downtime: a receiver accepts a delivery if any one matches."""
    timestamp = int(now.timestamp())
    signed = [signature(secret, message_id, timestamp, body)]
    if previous:
        signed.append(signature(previous, message_id, timestamp, body))
    return {
        "Content-Type": "application/json",
        "User-Agent": "trainer-webhooks/1",
        "Webhook-Id": message_id,
        "Webhook-Timestamp": str(timestamp),
        "Webhook-Signature": " ".join(signed),
    }


# -- what a delivery carries -------------------------------------------------------------


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def encode(document: Mapping[str, Any]) -> str:
    """The body as sent and signed: compact JSON with sorted keys."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def payload(
    event_id: int,
    kind: str,
    occurred_at: datetime,
    number: str,
    verify_url: str,
    data: Mapping[str, Any],
) -> str:
    """A certificate event as delivered: only public facts (what the verify page shows)."""
    return encode(
        {
            "id": event_id,
            "type": kind,
            "timestamp": _stamp(occurred_at),
            "data": {**data, "number": number, "verify_url": verify_url},
        }
    )


def sample_payload(now: datetime, endpoint_id: int) -> str:
    return encode(
        {
            "id": None,
            "type": TEST_EVENT,
            "timestamp": _stamp(now),
            "data": {"endpoint": endpoint_id, "message": "A test delivery; nothing happened."},
        }
    )


# -- outcomes and retries ----------------------------------------------------------------


def outcome(status_code: int) -> str:
    """What an answer means: "ok" (2xx), "gone" (410: the receiver wants no more; the
    endpoint is disabled) or "retry" (anything else, redirects included: they are not
    followed, the owner should update the address)."""
    if 200 <= status_code < 300:
        return "ok"
    return "gone" if status_code == 410 else "retry"


def retry_delay(attempts: int, rand: Callable[[], float] = random.random) -> timedelta:
    """How long to wait after the ``attempts``-th failed try: exponential from 30 seconds,
    at most 6 hours, with jitter (domain.outbox.retry_delay)."""
    return outbox_rules.retry_delay(attempts, RETRY_BASE_SECONDS, RETRY_CAP_SECONDS, rand)
