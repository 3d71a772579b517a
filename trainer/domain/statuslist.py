"""W3C Bitstring Status List v1.0 (https://www.w3.org/TR/vc-bitstring-status-list/): one bit
per credential, set when it is revoked, published as a signed credential.

The bitstring is at least 16 KB (131,072 entries, section 6.1 "Herd privacy"), index 0 is
the left-most bit of the first byte, and ``encodedList`` is the GZIP-compressed bitstring as
multibase base64url without padding (a ``u`` prefix), section 2.2.
"""

from __future__ import annotations

import base64
import gzip
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from trainer.domain import jsonld
from trainer.domain.credential import stamp

#: entries in one list: the minimum the specification recommends
SIZE = 131_072


def encode(set_indexes: Iterable[int], size: int = SIZE) -> str:
    """``encodedList`` with the bits at ``set_indexes`` set. Raises ValueError for an index
    outside the list."""
    bits = bytearray(size // 8)
    for index in set_indexes:
        if not 0 <= index < size:
            raise ValueError(f"status index {index} is outside the list of {size}")
        bits[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode()


def decode(encoded: str) -> bytes:
    """The bitstring of an ``encodedList``. Raises ValueError when it is not one."""
    if not encoded.startswith("u"):
        raise ValueError("encodedList is not multibase base64url")
    text = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def is_set(bits: bytes, index: int) -> bool:
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def credential(
    url: str, purpose: str, issuer_did: str, encoded: str, valid_from: datetime
) -> dict[str, Any]:
    """The unsigned BitstringStatusListCredential published at ``url``."""
    return {
        "@context": [jsonld.VC_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_did,
        "validFrom": stamp(valid_from),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encoded,
        },
    }
