"""Webhook rules without a database or a network: which addresses a delivery may go to,
how it is signed, what it carries, when it is tried again."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest

from trainer.domain import webhooks as rules
from trainer.domain.errors import RuleError


def _check(url: str, addresses: list[str], allow_loopback: bool = False) -> None:
    rules.check_addresses(rules.parse_url(url), addresses, allow_loopback)


def _refused(url: str, addresses: list[str], allow_loopback: bool = False) -> str:
    with pytest.raises(RuleError) as caught:
        _check(url, addresses, allow_loopback)
    assert caught.value.field == "url"
    return caught.value.message


def test_public_https_addresses_are_accepted() -> None:
    _check("https://hooks.example.org/trainer?x=1", ["93.184.216.34"])
    _check("https://hooks.example.org/", ["64:ff9b::5db8:d822"])  # NAT64 around that address
    _check("https://[2606:4700::1]:8443/in", ["2606:4700::1"])
    target = rules.parse_url("https://Hooks.Example.org:8443/a/b?c=d")
    assert (target.host, target.port, target.path) == ("hooks.example.org", 8443, "/a/b?c=d")
    assert target.host_header == "hooks.example.org:8443"
    assert rules.parse_url("https://[::1]/").host_header == "[::1]"
    assert rules.parse_url("https://h.example").path == "/"


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("10.1.2.3", "private"),
        ("192.168.0.10", "private"),
        ("172.16.5.4", "private"),
        ("169.254.169.254", "link-local"),
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("fd00::1", "private"),
        ("fe80::1", "link-local"),
        ("::ffff:10.0.0.1", "private"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:169.254.169.254", "link-local"),
        ("2002:a00:1::1", "private"),  # 6to4 around 10.0.0.1
        ("64:ff9b::a00:1", "private"),  # NAT64 (RFC 6052) around 10.0.0.1
        ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 around the metadata service
        ("64:ff9b:1::808:808", "reserved"),  # local-use NAT64 (RFC 8215)
        ("0.0.0.0", "unspecified"),  # noqa: S104 (an address refused, not bound)
        ("::", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("100.64.0.1", "not a public"),  # carrier-grade NAT
        ("240.0.0.1", "private"),  # 240/4: reserved, which Python counts as private
    ],
)
def test_addresses_outside_the_public_internet_are_refused(address: str, why: str) -> None:
    message = _refused("https://hooks.example.org/", [address])
    assert why in message and address in message
    assert "only to public internet addresses" in message


def test_a_literal_address_in_the_url_is_checked_too() -> None:
    assert "is a private network address" in _refused("https://10.0.0.1/", ["10.0.0.1"])
    assert "loopback" in _refused("https://[::1]/", ["::1"])


def test_one_private_address_among_public_ones_refuses_the_host() -> None:
    assert "10.0.0.7" in _refused("https://mixed.example.org/", ["93.184.216.34", "10.0.0.7"])


def test_loopback_and_plain_http_only_where_allowed() -> None:
    _check("https://127.0.0.1:9000/hook", ["127.0.0.1"], allow_loopback=True)
    _check("http://127.0.0.1:9000/hook", ["127.0.0.1"], allow_loopback=True)
    _check("http://localhost:9000/", ["::1", "127.0.0.1"], allow_loopback=True)
    assert "loopback" in _refused("http://127.0.0.1:9000/", ["127.0.0.1"])
    assert "https://" in _refused("http://hooks.example.org/", ["93.184.216.34"])
    # allowing loopback allows nothing else: no plain http to the internet, no private nets
    assert "https://" in _refused("http://hooks.example.org/", ["93.184.216.34"], True)
    assert "private" in _refused("https://10.0.0.1/", ["10.0.0.1"], True)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("", "Enter the address"),
        ("   ", "Enter the address"),
        ("ftp://hooks.example.org/", "https://"),
        ("javascript:alert(1)", "https://"),
        ("hooks.example.org/x", "https://"),
        ("https:///path", "host name"),
        ("https://user:pw@hooks.example.org/", "user name and password"),
        ("https://hooks.example.org/#top", "#fragment"),
        ("https://hooks.example.org:99999/", "port"),
        ("https://hooks.example.org/a b", "printable ASCII"),
        ("https://hooks.example.org/\r\nX-Evil: 1", "printable ASCII"),
        ("https://hööks.example.org/", "printable ASCII"),
        ("https://[fe80::1%25eth0]/", "zone"),
        ("https://hooks.example.org/" + "a" * 2000, "at most 2000 characters"),
    ],
)
def test_malformed_addresses_are_refused_with_a_reason(url: str, words: str) -> None:
    with pytest.raises(RuleError) as caught:
        rules.parse_url(url)
    assert caught.value.field == "url" and words in caught.value.message


def test_no_addresses_at_all_is_refused() -> None:
    assert "has no address" in _refused("https://hooks.example.org/", [])


# -- signing ------------------------------------------------------------------------------


def test_secret_and_signature_follow_standard_webhooks() -> None:
    secret = rules.new_secret(bytes(range(32)))
    assert secret.startswith("whsec_")
    assert base64.b64decode(secret.removeprefix("whsec_")) == bytes(range(32))
    body = b'{"type":"certificate.issued"}'
    value = rules.signature(secret, "msg_abc", 1674087231, body)
    expected = hmac.new(bytes(range(32)), b"msg_abc.1674087231." + body, hashlib.sha256).digest()
    assert value == "v1," + base64.b64encode(expected).decode()
    # anything signed changes the signature
    assert rules.signature(secret, "msg_abd", 1674087231, body) != value
    assert rules.signature(secret, "msg_abc", 1674087232, body) != value
    assert rules.signature(secret, "msg_abc", 1674087231, body + b" ") != value


def test_the_spec_example_vector() -> None:
    """The Standard Webhooks reference libraries' test vector."""
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    assert (
        rules.signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)
        == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def test_headers_carry_id_timestamp_and_signature() -> None:
    now = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    secret = rules.new_secret(b"k" * 32)
    headers = rules.headers(secret, "msg_1", now, b"{}")
    assert headers["Webhook-Id"] == "msg_1"
    assert headers["Webhook-Timestamp"] == str(int(now.timestamp()))
    assert headers["Webhook-Signature"] == rules.signature(
        secret, "msg_1", int(now.timestamp()), b"{}"
    )
    assert headers["Content-Type"] == "application/json"


# -- payloads and retries -----------------------------------------------------------------


def test_payload_has_public_facts_only_in_a_stable_form() -> None:
    at = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    body = rules.payload(
        7,
        "certificate.renewed",
        at,
        "KY-2026-000001",
        "https://trainer.example/verify/KY-2026-000001",
        {"renewed_by": "KY-2028-000002", "number": "forged"},
    )
    assert json.loads(body) == {
        "id": 7,
        "type": "certificate.renewed",
        "timestamp": "2026-03-01T12:00:00Z",
        "data": {
            "number": "KY-2026-000001",  # the event's data cannot override the number
            "renewed_by": "KY-2028-000002",
            "verify_url": "https://trainer.example/verify/KY-2026-000001",
        },
    }
    assert " " not in body and body == rules.encode(json.loads(body))


def test_outcomes() -> None:
    assert [rules.outcome(c) for c in (200, 204, 299)] == ["ok"] * 3
    assert rules.outcome(410) == "gone"
    assert [rules.outcome(c) for c in (301, 302, 400, 404, 429, 500, 503)] == ["retry"] * 7


def test_backoff_grows_to_a_cap_and_ends() -> None:
    fixed = [rules.retry_delay(n, rand=lambda: 0.0) for n in range(1, rules.MAX_ATTEMPTS)]
    assert fixed[0] == timedelta(seconds=15) and fixed[1] == timedelta(seconds=30)
    assert all(a <= b for a, b in zip(fixed, fixed[1:], strict=False))
    most = rules.retry_delay(40, rand=lambda: 1.0)
    assert most == timedelta(seconds=rules.RETRY_CAP_SECONDS)
    longest = sum((rules.retry_delay(n, rand=lambda: 1.0) for n in range(1, 15)), timedelta())
    assert timedelta(hours=20) < longest < timedelta(hours=48)  # about a day of trying
