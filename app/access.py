"""Who may call a route, declared on the route. A route that declares nothing is refused.

`@public` opens a route to everyone; `@allow(*roles)` opens it to signed-in users with one
of the roles. Which objects they may then see is the scope layer's job (app/scope.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import abort, current_app, request
from flask_login import current_user

from app.extensions import login_manager
from app.models import Role

ALL_ROLES = frozenset(Role)
OFFICERS = frozenset({Role.STATE, Role.COLLECTOR, Role.ERO, Role.SUPERVISOR})
PLACE_VIEWERS = OFFICERS | {Role.BLO}


def public(view: Callable) -> Callable:
    view.access = "public"
    return view


def allow(*roles: Role | Iterable[Role]) -> Callable[[Callable], Callable]:
    allowed: set[Role] = set()
    for role in roles:
        allowed.update(role if isinstance(role, (set, frozenset, list, tuple)) else {role})

    def mark(view: Callable) -> Callable:
        view.access = frozenset(allowed)
        return view

    return mark


def enforce_declared_access():
    """before_request: deny by default, then check sign-in and role."""
    if request.endpoint is None:
        return None  # 404 follows
    view = current_app.view_functions.get(request.endpoint)
    if request.endpoint == "static" or getattr(view, "access", None) == "public":
        return None
    access = getattr(view, "access", None)
    if access is None:
        abort(403)
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.role not in access:
        abort(403)
    return None
