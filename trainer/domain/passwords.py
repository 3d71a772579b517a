"""Password rules (the hashing itself is argon2-cffi's, in services.accounts)."""

from __future__ import annotations

from trainer.domain.errors import RuleError

MIN_LENGTH = 10
MAX_LENGTH = 128


def check_new_password(password: str, email: str, field: str = "password") -> None:
    """Raise RuleError when ``password`` is too short, too long or is the e-mail address."""
    if len(password) < MIN_LENGTH:
        raise RuleError(field, f"Use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        raise RuleError(field, f"Use at most {MAX_LENGTH} characters.")
    if password.strip().lower() == email.strip().lower():
        raise RuleError(field, "Your password cannot be your e-mail address.")
