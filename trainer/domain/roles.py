"""Roles and who lands where."""

from __future__ import annotations

from trainer.domain.errors import RuleError

TRAINEE = "trainee"
SUPERVISOR = "supervisor"
BOARD = "board"
ADMIN = "admin"
EMPLOYER = "employer"

#: Every role, in the order a person holding several lands on their home page.
ROLES: tuple[str, ...] = (ADMIN, BOARD, EMPLOYER, SUPERVISOR, TRAINEE)

ROLE_LABELS = {
    TRAINEE: "Trainee",
    SUPERVISOR: "Supervisor",
    BOARD: "Board member",
    ADMIN: "Administrator",
    EMPLOYER: "Employer",
}


class RoleError(RuleError):
    """A role assignment that breaks a rule."""


def validate_assignment(roles: set[str], jurisdiction: str | None) -> str | None:
    """Check a set of roles with a jurisdiction; return the normalised jurisdiction code.

    Raises RoleError for an unknown role, no role at all, or a board member without a
    jurisdiction. Only board members keep a jurisdiction.
    """
    unknown = sorted(roles - set(ROLES))
    if unknown:
        raise RoleError("roles", f"Unknown role: {', '.join(unknown)}.")
    if not roles:
        raise RoleError("roles", "Choose at least one role.")
    code = (jurisdiction or "").strip().upper() or None
    if BOARD in roles:
        if not code:
            raise RoleError("jurisdiction", "A board member needs a jurisdiction, e.g. KY.")
        if not (2 <= len(code) <= 8 and code.replace("-", "").isalnum()):
            raise RoleError("jurisdiction", "A jurisdiction is a short code such as KY.")
        return code
    return None


def home_role(roles: frozenset[str] | set[str]) -> str | None:
    """The role whose home page a person lands on."""
    for role in ROLES:
        if role in roles:
            return role
    return None
