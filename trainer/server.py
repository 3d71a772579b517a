"""Run the app under gunicorn (the production WSGI server) from ``trainer serve``."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from gunicorn.app.base import BaseApplication


class _Server(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from trainer import create_app

        return create_app()


def run(host: str, port: int, workers: int = 2, with_worker: bool = False) -> None:
    """Serve until stopped. ``with_worker``: start ``trainer worker`` as a child process and
    stop it when the server stops, however it stops (Ctrl-C reaches both, being one process
    group; SIGTERM to the server ends the worker from the ``finally``)."""
    child = None
    if with_worker:
        child = subprocess.Popen([sys.executable, "-m", "trainer", "worker"])  # noqa: S603
    try:
        _Server(
            {"bind": f"{host}:{port}", "workers": workers, "accesslog": "-", "timeout": 60}
        ).run()
    finally:
        if child is not None:
            child.terminate()
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
