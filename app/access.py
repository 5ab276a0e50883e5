"""Who may call a route, declared on the route. A route that declares nothing is refused.

`@public` opens a route to everyone; `@allow(*roles)` opens it to signed-in users with one
of the roles; `@allow_each(argument, roles_of)` gives each value of one URL argument its own roles
(an export's table). Which objects they may then see is the scope layer's job (app/scope.py).
Templates ask `can(endpoint)` rather than retyping a route's roles.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

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


def allow_each(argument: str, roles_of: Mapping[str, Iterable[Role]]) -> Callable[[Callable], Callable]:
    """Open a route to the roles of the value its URL gives `argument`; any other value is refused."""
    by_value = {value: frozenset(roles) for value, roles in roles_of.items()}

    def mark(view: Callable) -> Callable:
        view.access = frozenset().union(*by_value.values())
        view.access_by = (argument, by_value)
        return view

    return mark


def may(role: Role | None, endpoint: str, values: Mapping | None = None) -> bool:
    """Whether a user with `role` (None: signed out) passes the access declared on the endpoint.

    Without the URL values a route that gives each value its own roles answers for any of them.
    """
    view = current_app.view_functions.get(endpoint)
    if view is None:
        raise LookupError(f"no route named {endpoint!r}")
    access = getattr(view, "access", None)
    if endpoint == "static" or access == "public":
        return True
    if access is None or role is None or role not in access:
        return False
    argument, by_value = getattr(view, "access_by", (None, {}))
    if argument is not None and values and argument in values:
        return role in by_value.get(values[argument], frozenset())
    return True


def can(endpoint: str, **values) -> bool:
    """Template global: may the signed-in user open this route? `values` as given to url_for."""
    role = current_user.role if current_user.is_authenticated else None
    return may(role, endpoint, values)


def enforce_declared_access():
    """before_request: deny by default, then check sign-in and role."""
    if request.endpoint is None:
        return None  # 404 follows
    view = current_app.view_functions.get(request.endpoint)
    if request.endpoint == "static" or getattr(view, "access", None) == "public":
        return None
    if getattr(view, "access", None) is None:
        abort(403)
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not may(current_user.role, request.endpoint, request.view_args):
        abort(403)
    return None


def init_app(app) -> None:
    app.before_request(enforce_declared_access)
    app.jinja_env.globals["can"] = can
