"""Debian's ``wrk`` as the external load generator: a C program, so the client does not
share (or contend for) the Python interpreter of bench/load.py.

Each measurement is ``wrk -t C -c C -d S`` against one GET page with the page's session
cookie; gunicorn's sync workers close every connection, so wrk reconnects per request as a
browser without keep-alive would. Answers other than 2xx/3xx count as errors.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass

from bench.common import USER_AGENT


@dataclass(frozen=True)
class WrkResult:
    rps: float
    requests: int
    errors: int  # non-2xx/3xx answers, socket errors (other than the closed connections)
    p50_ms: float
    p99_ms: float


def available() -> bool:
    return shutil.which("wrk") is not None


def _find(pattern: str, text: str) -> str:
    found = re.search(pattern, text)
    if found is None:
        raise RuntimeError(f"wrk printed no {pattern!r}:\n{text}")
    return found.group(1)


def _ms(text: str) -> float:
    value, unit = _find(r"([\d.]+)", text), _find(r"[\d.]+(us|ms|s)", text)
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run(url: str, clients: int, seconds: float, cookie: str | None = None) -> WrkResult:
    command = ["wrk", "-t", str(clients), "-c", str(clients), "-d", f"{seconds:g}s", "--latency"]
    command += ["-H", f"User-Agent: {USER_AGENT}"]
    if cookie:
        command += ["-H", f"Cookie: session={cookie}"]
    done = subprocess.run(  # noqa: S603 (wrk from PATH, our own arguments)
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 60
    )
    out = done.stdout
    rps = float(_find(r"Requests/sec:\s+([\d.]+)", out))
    requests = int(_find(r"(\d+) requests in", out))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = int(non_2xx.group(1)) if non_2xx else 0
    sockets = re.search(r"Socket errors: connect (\d+), read \d+, write (\d+), timeout (\d+)", out)
    if sockets:  # read errors are the connections gunicorn closes after each answer
        errors += sum(int(g) for g in sockets.groups())
    p50 = re.search(r"50%\s+([\d.]+\w+)", out)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out)
    return WrkResult(
        rps,
        requests,
        errors,
        _ms(p50.group(1)) if p50 else 0.0,
        _ms(p99.group(1)) if p99 else 0.0,
    )
