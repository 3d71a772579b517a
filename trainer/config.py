"""Configuration: defaults, then ``TRAINER_*`` environment variables, then a test's overrides.

The secret key and the certificate signing key are never constants in the code: they come
from the environment or are generated once and kept in the instance folder.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

#: Environment variables read at start-up, with what they set (documented in README.md).
ENVIRONMENT = {
    "TRAINER_DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "TRAINER_BASE_URL": "BASE_URL",
    "TRAINER_SECRET_KEY": "SECRET_KEY",
    "TRAINER_SMTP_URL": "SMTP_URL",
    "TRAINER_MAIL_FROM": "MAIL_FROM",
    "TRAINER_RATELIMIT_STORAGE_URL": "RATELIMIT_STORAGE_URI",
    "TRAINER_RATELIMIT_KEY_PREFIX": "RATELIMIT_KEY_PREFIX",
    "TRAINER_CONTENT_DIR": "CONTENT_DIR",
    "TRAINER_API_RATE_LIMIT": "API_RATE_LIMIT",
    "TRAINER_SMTP_TIMEOUT": "SMTP_TIMEOUT",
    "TRAINER_OUTBOX_LEASE_SECONDS": "OUTBOX_LEASE_SECONDS",
    "TRAINER_OUTBOX_MAX_ATTEMPTS": "OUTBOX_MAX_ATTEMPTS",
    "TRAINER_REVIEW_TARGET_DAYS": "REVIEW_TARGET_DAYS",
    "TRAINER_ISSUER_NAME": "ISSUER_NAME",
    "TRAINER_ISSUER_URL": "ISSUER_URL",
    "TRAINER_WEBHOOKS_ALLOW_LOOPBACK": "WEBHOOKS_ALLOW_LOOPBACK",
    "TRAINER_TWO_FACTOR_REQUIRED_ROLES": "TWO_FACTOR_REQUIRED_ROLES",
    "TRAINER_SIGNING_KEY_PATH": "SIGNING_KEY_PATH",
    "TRAINER_SIGNING_KEY_DIR": "SIGNING_KEY_DIR",
    "TRAINER_STORAGE_BACKEND": "STORAGE_BACKEND",
    "TRAINER_S3_BUCKET": "S3_BUCKET",
    "TRAINER_S3_ENDPOINT_URL": "S3_ENDPOINT_URL",
    "TRAINER_S3_REGION": "S3_REGION",
    "TRAINER_S3_PREFIX": "S3_PREFIX",
}

#: Settings read from the environment as numbers.
NUMERIC = {"SMTP_TIMEOUT", "OUTBOX_LEASE_SECONDS", "OUTBOX_MAX_ATTEMPTS", "REVIEW_TARGET_DAYS"}
#: Settings read from the environment as yes/no ("1", "true", "yes" or "on" mean yes).
BOOLEAN = {"WEBHOOKS_ALLOW_LOOPBACK"}
#: Settings read from the environment as comma-separated lists ("none": an empty list).
LISTS = {"TWO_FACTOR_REQUIRED_ROLES"}


def instance_path_from_environment() -> str:
    """The instance folder: ``TRAINER_INSTANCE_PATH`` or ``./instance``."""
    return os.path.abspath(os.environ.get("TRAINER_INSTANCE_PATH", "instance"))


def defaults(instance_path: str) -> dict[str, Any]:
    return {
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + os.path.join(instance_path, "trainer.sqlite3"),
        "BASE_URL": "http://127.0.0.1:5000",
        "SMTP_URL": None,
        "MAIL_FROM": "trainer <no-reply@trainer.invalid>",
        "SMTP_TIMEOUT": 20,  # seconds; only the worker talks to the mail server
        # what administrators aim for when reviewing a document (told to the trainee waiting)
        "REVIEW_TARGET_DAYS": 5,
        # who signs the credentials: the organisation running this deployment (a training
        # provider, a board), not the regulator whose rules a program follows. ISSUER_URL
        # None: BASE_URL. A real deployment sets both.
        "ISSUER_NAME": "trainer demonstration site (not a certifying body)",
        "ISSUER_URL": None,
        # the outbox (see services/outbox.py): batch size, how long a claim lasts, retries
        "OUTBOX_BATCH": 20,
        "OUTBOX_LEASE_SECONDS": 300,
        "OUTBOX_MAX_ATTEMPTS": 12,  # with the backoff below: about a day of trying
        "OUTBOX_RETRY_BASE_SECONDS": 60,
        "OUTBOX_RETRY_CAP_SECONDS": 6 * 3600,
        "WORKER_POLL_SECONDS": 2,
        # webhooks may go to this machine itself (127.0.0.1, ::1), over plain http: for
        # development (`make run` sets TRAINER_WEBHOOKS_ALLOW_LOOPBACK=1) and tests only
        "WEBHOOKS_ALLOW_LOOPBACK": False,
        "WORKER_STALE_SECONDS": 120,  # /readyz: a worker not seen for this long is down
        # None: the machine's Redis if it answers (limits shared by every worker process),
        # else memory (then `trainer serve` runs one process with threads; see server.py)
        "RATELIMIT_STORAGE_URI": None,
        "RATELIMIT_KEY_PREFIX": "trainer",
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,  # Redis down: limit per process, no 500
        "LOCAL_REDIS": ("127.0.0.1", 6379),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": "5 per minute",
        "LOGIN_RATE_LIMIT_ADDRESS": "30 per minute",
        # these roles must use two-factor sign-in: after signing in they set it up first
        "TWO_FACTOR_REQUIRED_ROLES": ("admin", "board"),
        "API_RATE_LIMIT": "120 per minute",  # per registry API token
        "WEBHOOK_SEND_RATE_LIMIT": "10 per minute",  # test events and replays, per person
        "CONTENT_DIR": os.path.abspath("content"),
        "PASSWORD_RESET_HOURS": 2,
        "ACCOUNT_SETUP_HOURS": 72,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,  # tokens live as long as the session
        "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
    }


def from_environment() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for var, key in ENVIRONMENT.items():
        value = os.environ.get(var)
        if not value:
            continue
        if key in BOOLEAN:
            out[key] = value.strip().lower() in ("1", "true", "yes", "on")
        elif key in LISTS:
            items = [v.strip().lower() for v in value.split(",") if v.strip()]
            out[key] = tuple(v for v in items if v != "none")
        elif key in NUMERIC:
            try:
                out[key] = float(value) if "." in value else int(value)
            except ValueError:
                raise SystemExit(f"{var}: expected a number, got {value!r}") from None
        else:
            out[key] = value
    return out


def instance_secret(instance_path: str, name: str, nbytes: int = 32) -> str:
    """Return the secret kept in ``instance/<name>``, creating it (mode 0600) on first use."""
    path = Path(instance_path) / name
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(nbytes)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value)
    return value


def redis_answers(host: str, port: int, timeout: float = 0.3) -> bool:
    """Does a Redis server answer PING at host:port?"""
    import socket

    try:
        with socket.create_connection((host, port), timeout=timeout) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def finalise(config: dict[str, Any], instance_path: str, debug: bool) -> None:
    """Fill in what depends on other settings."""
    if not config.get("RATELIMIT_STORAGE_URI"):
        host, port = config.get("LOCAL_REDIS", ("127.0.0.1", 6379))
        config["RATELIMIT_STORAGE_URI"] = (
            f"redis://{host}:{port}" if redis_answers(host, port) else "memory://"
        )
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = instance_secret(instance_path, "secret_key")
    uri = config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgresql://"):
        uri = "postgresql+psycopg://" + uri.removeprefix("postgresql://")
        config["SQLALCHEMY_DATABASE_URI"] = uri
    if uri.startswith("sqlite"):
        # Writers wait for each other instead of failing at once.
        config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"connect_args": {"timeout": 15}})
    else:
        config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
    config["BASE_URL"] = config["BASE_URL"].rstrip("/")
    config["ISSUER_URL"] = (config.get("ISSUER_URL") or config["BASE_URL"]).rstrip("/")
    # Cookies are Secure wherever the public address is https; a plain-http address (make run
    # on loopback) or debug mode would otherwise have no working session at all.
    if "SESSION_COOKIE_SECURE" not in config:
        config["SESSION_COOKIE_SECURE"] = (not debug) and config["BASE_URL"].startswith("https:")
