"""What every benchmark shares: where the databases live, the app they run, signed-in cookies.

Nothing here is imported by the application. The databases are throw-away: SQLite files under
``BENCH_DIR`` (default /tmp/bench) and PostgreSQL databases named ``trainer_bench*`` on
``BENCH_PG`` (default 127.0.0.1:5432, user postgres).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
#: Where the trainer package is imported from (default: this checkout). Set BENCH_CODE to a
#: clean export (``git archive HEAD trainer | tar -x -C DIR``) to measure a commit while the
#: working tree is being edited.
CODE = Path(os.environ.get("BENCH_CODE", ROOT))
BENCH_DIR = Path(os.environ.get("BENCH_DIR", "/tmp/bench"))  # noqa: S108 (throw-away data)
INSTANCE = BENCH_DIR / "instance"
PG = os.environ.get("BENCH_PG", "postgres@127.0.0.1:5432")
VENV_BIN = Path(sys.executable).parent
TRAINER = str(VENV_BIN / "trainer")
#: Sessions are minted with this key and the server runs with it; never a real deployment's.
SECRET_KEY = "bench-secret-key-not-for-production"  # noqa: S105 (bench databases only)
USER_AGENT = "trainer-bench/1"


def database_url(engine: str, name: str) -> str:
    if engine == "sqlite":
        return f"sqlite:///{BENCH_DIR / name}.sqlite3"
    return f"postgresql+psycopg://{PG}/{name}"


def server_env(url: str, base_url: str = "http://127.0.0.1") -> dict[str, str]:
    """Environment for ``trainer`` commands and the bench server against ``url``."""
    env = dict(os.environ)
    env.update(
        TRAINER_DATABASE_URL=url,
        TRAINER_INSTANCE_PATH=str(INSTANCE),
        TRAINER_SECRET_KEY=SECRET_KEY,
        TRAINER_BASE_URL=base_url,
        TRAINER_CONTENT_DIR=str(ROOT / "content"),
        TRAINER_BENCH="1",
        PYTHONPATH=os.pathsep.join(dict.fromkeys([str(CODE), str(ROOT)])),
    )
    return env


def fresh_database(engine: str, name: str) -> str:
    """Drop and recreate the database, apply the migrations, load content/. Returns its URL."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    url = database_url(engine, name)
    if engine == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{BENCH_DIR / name}.sqlite3{suffix}").unlink(missing_ok=True)
    else:
        user, _, hostport = PG.partition("@")
        host, _, port = hostport.partition(":")
        base = ["-h", host, "-p", port or "5432", "-U", user]
        # PostgreSQL's own client tools, from PATH like psql
        subprocess.run(["dropdb", *base, "--if-exists", "--force", name], check=True)  # noqa: S603,S607
        subprocess.run(["createdb", *base, name], check=True)  # noqa: S603,S607
    env = server_env(url)
    for command in (["db", "upgrade"], ["content", "load"]):
        done = subprocess.run(  # noqa: S603 (our own command)
            [TRAINER, *command], env=env, cwd=ROOT, capture_output=True, text=True
        )
        if done.returncode:
            raise RuntimeError(f"trainer {' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return url


def rebuild_progress(url: str) -> float:
    """``trainer progress rebuild`` on a seeded database (the seed inserts history directly,
    so the progress read model is computed afterwards, as after a restore). Seconds taken."""
    import time

    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 (our own command)
        [TRAINER, "progress", "rebuild"],
        env=server_env(url),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(f"trainer progress rebuild failed:\n{done.stderr[-3000:]}")
    return round(time.perf_counter() - started, 1)


def make_app(url: str, **overrides: Any) -> Any:
    """The bench app (the real one plus the floor route) against ``url``, rate limits off."""
    from bench.floor_app import build

    config = {
        "SQLALCHEMY_DATABASE_URI": url,
        "INSTANCE_PATH": str(INSTANCE),
        "SECRET_KEY": SECRET_KEY,
        "RATELIMIT_ENABLED": False,
        "BASE_URL": "http://127.0.0.1",
        "CONTENT_DIR": str(ROOT / "content"),
    }
    config.update(overrides)
    return build(config)


def session_for(app: Any, user_id: int) -> tuple[str, str]:
    """A signed-in session cookie and its CSRF form token, minted as /login would.

    Signing in through /login costs an argon2 verification per person; the load test is
    about pages, so each simulated person gets the cookie a sign-in would have set.
    """
    from flask import session
    from flask_login import login_user
    from flask_wtf.csrf import generate_csrf

    from trainer.extensions import db
    from trainer.models import User

    environ = {"REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": USER_AGENT}
    with app.test_request_context(environ_base=environ):
        user = db.session.get(User, user_id)
        login_user(user)
        token = generate_csrf()
        cookie = app.session_interface.get_signing_serializer(app).dumps(dict(session))
        db.session.remove()
    return cookie, token


def summary(values: Sequence[float]) -> dict[str, float]:
    """Median and spread (min, max) of repeated runs."""
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "n": len(values),
    }


def fmt_spread(s: dict[str, float], digits: int = 1, unit: str = "") -> str:
    return (
        f"{s['median']:.{digits}f}{unit} ({s['min']:.{digits}f}–{s['max']:.{digits}f}, "
        f"n={int(s['n'])})"
    )


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, default=str))


def read_json(path: Path) -> Any:
    return json.loads(path.read_text())
