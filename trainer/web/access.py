"""Who may use which endpoint, declared on the view and enforced in one place.

Every view carries exactly one of ``@public``, ``@signed_in``, ``@roles(...)`` or, for the
JSON API, ``@token(...)`` (a bearer API token of a user with one of the roles; the session
cookie does not count there, so no other site can make a browser call the API). A
``before_request`` hook reads the declaration; an endpoint that declares nothing is refused
(and a test fails on it). Finer rules (whose record, which jurisdiction) live in services.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, abort, current_app, g, redirect, request, url_for
from flask_login import current_user

from trainer.domain.roles import ROLES
from trainer.extensions import login_manager

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Access:
    kind: str  # "public" | "signed_in" | "roles" | "token"
    roles: frozenset[str] = frozenset()

    def allows(self, user: Any) -> bool:
        if self.kind == "token":
            return False  # checked by enforce() from the Authorization header
        if self.kind == "public":
            return True
        if not user.is_authenticated:
            return False
        return self.kind == "signed_in" or user.has_role(*self.roles)


PUBLIC = Access("public")
SIGNED_IN = Access("signed_in")


def _declare(access: Access) -> Callable[[F], F]:
    def decorator(view: F) -> F:
        view.access = access  # type: ignore[attr-defined]  # read back by enforce()
        return view

    return decorator


public = _declare(PUBLIC)
signed_in = _declare(SIGNED_IN)


def roles(*names: str) -> Callable[[F], F]:
    unknown = set(names) - set(ROLES)
    if unknown or not names:
        raise ValueError(f"unknown roles {unknown}")
    return _declare(Access("roles", frozenset(names)))


def token(*names: str) -> Callable[[F], F]:
    """The view answers to ``Authorization: Bearer <API token>`` of a user with a role."""
    unknown = set(names) - set(ROLES)
    if unknown or not names:
        raise ValueError(f"unknown roles {unknown}")
    return _declare(Access("token", frozenset(names)))


def api_user() -> Any:
    """The user whose API token authenticated this request (in ``@token`` views)."""
    return g.api_user


def declared(app: Flask, endpoint: str) -> Access | None:
    view = app.view_functions.get(endpoint)
    return getattr(view, "access", None)


def enforce() -> Any:
    """before_request: apply the endpoint's declaration."""
    if request.endpoint is None:  # routing failed; the 404/405 handler answers
        return None
    access = declared(current_app, request.endpoint)
    if access is None:
        abort(403)  # undeclared endpoints are closed, never open
    if access.kind == "token":
        from trainer.clock import utcnow
        from trainer.services.api_tokens import TokenRefused, authenticate

        try:
            g.api_user = authenticate(request.headers.get("Authorization"), access.roles, utcnow())
        except TokenRefused as refused:
            abort(refused.status, description=refused.message)
        return None
    enrol = _two_factor_gate()
    if enrol is not None:
        return enrol
    if access.allows(current_user):
        return None
    if not current_user.is_authenticated:
        if request.path.startswith("/api/"):
            abort(401)
        return login_manager.unauthorized()
    abort(403)


#: What a person who must still set up two-factor sign-in may open meanwhile.
ENROLMENT_OPEN = frozenset(
    {"auth.two_factor_setup", "auth.logout", "static", "health.healthz", "health.readyz"}
)


def _two_factor_gate() -> Any:
    """Roles that require two-factor sign-in (config TWO_FACTOR_REQUIRED_ROLES) are sent to
    set it up after signing in, before any other page."""
    if request.endpoint in ENROLMENT_OPEN or not current_user.is_authenticated:
        return None
    if g.get("two_factor_on", True):  # set by the user loader with the same statement
        return None
    from trainer.services.two_factor import required_for

    if not required_for(current_user):
        return None
    return redirect(url_for("auth.two_factor_setup"))
