"""Run the app under gunicorn (the production WSGI server) from ``trainer serve``."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication


class _Server(BaseApplication):
    def __init__(self, factory: Callable[[], Flask], options: dict[str, Any]) -> None:
        self.factory = factory
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self.factory()  # in each worker process, after the fork


#: The access log with the worker process id, so one can see which process answered.
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(r)s" %(s)s %(b)s "%(a)s" pid=%(p)s'


def options(host: str, port: int, workers: int, storage: str) -> dict[str, Any]:
    """gunicorn's settings. Rate limits kept in memory are per process, so with memory
    storage one process serves with threads instead of several processes."""
    base = {
        "bind": f"{host}:{port}",
        "accesslog": "-",
        "access_log_format": ACCESS_LOG_FORMAT,
        "timeout": 60,
    }
    if storage.startswith("memory://") and workers > 1:
        return {**base, "workers": 1, "worker_class": "gthread", "threads": 4 * workers}
    return {**base, "workers": workers}


def run(
    factory: Callable[[], Flask],
    host: str,
    port: int,
    workers: int = 2,
    with_worker: bool = False,
) -> None:
    """Serve the apps ``factory`` builds (one per gunicorn process) until stopped.

    ``with_worker``: start ``trainer worker`` as a child process and stop it when the server
    stops, however it stops (Ctrl-C reaches both, being one process group; SIGTERM to the
    server ends the worker from the ``finally``)."""
    storage = factory().config["RATELIMIT_STORAGE_URI"]
    settings = options(host, port, workers, storage)
    if settings["workers"] != workers:
        print(  # noqa: T201 (the operator should know)
            "No Redis answers (TRAINER_RATELIMIT_STORAGE_URL unset): serving from one process "
            f"with {settings['threads']} threads so sign-in limits count every request.",
            flush=True,
        )
    child = None
    if with_worker:
        child = subprocess.Popen([sys.executable, "-m", "trainer", "worker"])  # noqa: S603
    try:
        _Server(factory, settings).run()
    finally:
        if child is not None:
            child.terminate()
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
