"""A small threaded HTTP load generator, and the gunicorn bench server it drives.

Why not locust: on this 2-core machine locust's gevent runner, its stats thread and its
reporting cost CPU that the server under test also needs, and its ramp-up makes short,
repeated, same-run comparisons noisy. Here each simulated client is a thread that sends a
fixed sequence of requests over fresh loopback connections (gunicorn's sync workers close
every connection) as fast as answers come back; the figure is completed requests per second
during a fixed window after a warm-up, and every response code is counted.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from bench.common import CODE, USER_AGENT, VENV_BIN, server_env


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    cookie: str | None = None
    form: dict[str, Any] | None = None
    expect: tuple[int, ...] = (200,)


#: A scenario gives client number i the requests it repeats, in order.
Scenario = Callable[[int], Sequence[Request]]


@dataclass
class Result:
    requests: int = 0
    seconds: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)
    unexpected: int = 0
    latencies: list[float] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def send(host: str, port: int, req: Request, timeout: float = 60) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    headers = {"User-Agent": USER_AGENT, "Connection": "close"}
    if req.cookie:
        headers["Cookie"] = f"session={req.cookie}"
    body = None
    if req.form is not None:
        body = urlencode(req.form, doseq=True)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(req.method, req.path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        return response.status, data
    finally:
        conn.close()


def run(
    host: str, port: int, scenario: Scenario, clients: int, seconds: float, warmup: float = 1.0
) -> Result:
    """``clients`` threads repeat their requests; count what completes in the window."""
    start = time.perf_counter() + warmup
    stop = start + seconds
    result = Result(seconds=seconds)
    lock = threading.Lock()

    def client(i: int) -> None:
        steps = list(scenario(i))
        n = 0
        local: list[tuple[float, float, int, bool]] = []
        while True:
            req = steps[n % len(steps)]
            n += 1
            t0 = time.perf_counter()
            if t0 >= stop:
                break
            try:
                status, _ = send(host, port, req)
            except OSError:
                status = 599
            t1 = time.perf_counter()
            local.append((t0, t1 - t0, status, status in req.expect))
        with lock:
            for t0, latency, status, ok in local:
                if t0 < start or t0 + latency > stop:
                    continue
                result.requests += 1
                result.latencies.append(latency)
                result.statuses[status] = result.statuses.get(status, 0) + 1
                if not ok:
                    result.unexpected += 1
            # errors outside the window still count as errors
            for t0, latency, status, ok in local:
                if (t0 < start or t0 + latency > stop) and not ok:
                    result.unexpected += 1
                    result.statuses[status] = result.statuses.get(status, 0) + 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return result


class Server:
    """gunicorn with the bench app (``bench.floor_app``, or another ``target`` such as the
    bare-Flask floor ``bench.bare_app:create_app()``) on a loopback port."""

    def __init__(
        self,
        url: str,
        port: int,
        workers: int = 2,
        log: str | None = None,
        target: str = "bench.floor_app:create_app()",
    ) -> None:
        self.url, self.port, self.workers, self.target = url, port, workers, target
        self.log = log or os.devnull
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        env = server_env(self.url, f"http://127.0.0.1:{self.port}")
        logfile = open(self.log, "ab")  # noqa: SIM115 (closed with the process)
        self.proc = subprocess.Popen(  # noqa: S603
            [
                str(VENV_BIN / "gunicorn"),
                "--workers",
                str(self.workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "120",
                "--graceful-timeout",
                "5",
                self.target,
            ],
            env=env,
            cwd=CODE,  # gunicorn puts its directory first on sys.path
            stdout=logfile,
            stderr=logfile,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"gunicorn exited; see {self.log}") from None
                time.sleep(0.2)
        # Both workers import and connect before anything is measured.
        for _ in range(self.workers * 4):
            send("127.0.0.1", self.port, Request("GET", "/_bench/floor"))
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.proc is not None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
