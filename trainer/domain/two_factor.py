"""Rules of two-factor sign-in: TOTP time steps with replay protection, recovery codes.

Pure: the secret and the time are passed in (RFC 6238, 30-second steps, six digits).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp

STEP_SECONDS = 30
#: Codes of the step before and after now are accepted too (a phone's clock a little off).
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
#: How long a half signed-in browser (password right, code still to come) may take.
PENDING_SECONDS = 300


def normalise(code: str) -> str:
    """What the person typed, without spaces and dashes, lower case (codes are read aloud,
    copied with spaces, typed on phones)."""
    return "".join(code.split()).replace("-", "").lower()[:64]


def looks_like_totp(code: str) -> bool:
    code = normalise(code)
    return len(code) == 6 and code.isascii() and code.isdigit()


def new_secret() -> str:
    """A random base32 secret of 160 bits (what authenticator apps expect)."""
    return pyotp.random_base32(32)


def time_step(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def accepted_step(secret: str, code: str, now: datetime, last_step: int | None) -> int | None:
    """The time step whose code ``code`` is, if it is within the drift window of ``now`` and
    later than ``last_step`` (a code, or an older one, is never accepted twice); else None."""
    code = normalise(code)
    if not looks_like_totp(code):
        return None
    totp = pyotp.TOTP(secret)
    current = time_step(now)
    for step in sorted(range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1), reverse=True):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def code_at(secret: str, now: datetime) -> str:
    """The code an authenticator shows at ``now`` (for the demo's scripts and tests)."""
    return pyotp.TOTP(secret).at(time_step(now) * STEP_SECONDS)


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def new_recovery_code() -> str:
    """64 random bits as four groups of four hex digits: ``3f9a-07c2-b1e4-5d60``."""
    raw = secrets.token_hex(8)
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def recovery_hash(code: str) -> str:
    """SHA-256 of the normalised code: enough for 64 random bits (no slow hash needed)."""
    return hashlib.sha256(normalise(code).encode()).hexdigest()
