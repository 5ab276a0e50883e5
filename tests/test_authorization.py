"""The authorization matrix: every route × every role × an object in and out of scope.

A new route fails `test_every_route_is_in_the_matrix` until it is added here.
"""

from __future__ import annotations

import importlib
from functools import cache
from pathlib import Path

import pytest
from flask import render_template_string
from flask_login import login_user
from sqlalchemy import select

from app.extensions import db
from app.models import Constituency, District, Part, User
from tests.conftest import LOGINS, csrf_token, make_app, reset_database

ALL = set(LOGINS)
PUBLIC = "public"


@cache
def _ids(app) -> dict[str, int]:
    ids = _base_ids(app)
    for module in FEATURE_MATRICES:
        if hasattr(module, "ids"):
            ids.update(module.ids(app))
    return ids


def _base_ids(app) -> dict[str, int]:
    with app.app_context():
        district = {d.name_en: d.id for d in db.session.scalars(select(District))}
        ac = {c.number: c.id for c in db.session.scalars(select(Constituency))}
        part = {
            (n, p.number): p.id
            for p, n in db.session.execute(
                select(Part, Constituency.number).join(Constituency, Part.constituency_id == Constituency.id)
            )
        }
        user = dict(db.session.execute(select(User.login, User.id)).all())
    return {
        "district_in": district["Bhopal"],
        "district_out": district["Raisen"],
        "ac_in": ac[1],
        "ac_out": ac[5],
        "part_in": part[(1, 1)],
        "part_out": part[(5, 1)],
        "user_in": user["blo.1.2"],
        "user_out": user["blo.5.1"],
    }


# endpoint: (method, URL in scope, URL out of scope or None, roles allowed, who sees out-of-scope objects).
# URLs are formatted with the ids below; POSTs send a CSRF token, active=1 and lang=en.
MATRIX: dict[str, tuple] = {}

# Each feature lists its routes beside its tests, in tests/<feature>/matrix.py: ENTRIES (endpoint:
# (method, URL in scope, URL out of scope or None, roles allowed, who sees out-of-scope objects))
# and, when it needs more objects than _ids gives, ids(app) -> dict of extra URL values.
FEATURE_MATRICES = [
    importlib.import_module(f"tests.{path.parent.name}.matrix")
    for path in sorted(Path(__file__).parent.glob("*/matrix.py"))
]
for _module in FEATURE_MATRICES:
    MATRIX.update(_module.ENTRIES)


def _in_url(in_url: str, role: str) -> str:
    """The URL in scope; one that carries `for_role` (a str subclass) names each role's own object
    where it differs (an inspection is an ERO's or supervisor's only when they inspect it)."""
    return in_url.for_role(role) if hasattr(in_url, "for_role") else in_url


CASES = [
    (endpoint, role, where)
    for endpoint, (_, _, out_url, _, _) in MATRIX.items()
    for role in [*sorted(ALL), "anonymous"]
    for where in (["in", "out"] if out_url else ["in"])
]


@pytest.fixture(scope="module")
def matrix_app(database_url):
    app = make_app(database_url)
    reset_database(app)
    return app


def test_every_route_is_in_the_matrix(matrix_app):
    endpoints = {rule.endpoint for rule in matrix_app.url_map.iter_rules()} - {"static"}
    assert endpoints == set(MATRIX), (
        f"routes missing from the matrix: {sorted(endpoints - set(MATRIX))}; "
        f"stale entries: {sorted(set(MATRIX) - endpoints)}"
    )


@pytest.mark.parametrize(("endpoint", "role", "where"), CASES)
def test_matrix(matrix_app, endpoint, role, where):
    method, in_url, out_url, allowed, sees_out = MATRIX[endpoint]
    url = (_in_url(in_url, role) if where == "in" else out_url).format(**_ids(matrix_app))
    client = matrix_app.test_client()
    if role != "anonymous":
        token = csrf_token(client)
        response = client.post(
            "/auth/login", data={"login": LOGINS[role], "password": "sir-demo-2025", "csrf_token": token}
        )
        assert response.status_code == 303, f"{role} could not sign in"
    token = csrf_token(client, "/auth/login")
    data = {"csrf_token": token, "active": "1", "lang": "en"}
    response = client.get(url) if method == "GET" else client.post(url, data=data)

    if allowed == PUBLIC:
        assert response.status_code in (200, 302, 303), response.status_code
    elif role == "anonymous":
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    elif role not in allowed:
        assert response.status_code == 403
    elif where == "out" and role not in sees_out:
        assert response.status_code == 403
    else:  # allowed: a page, a redirect onwards, or a form answered with its validation errors
        assert response.status_code in (200, 204, 302, 303, 422), f"{role} {url}: {response.status_code}"


def test_a_route_that_declares_no_scope_is_refused(database_url):
    app = make_app(database_url)
    reset_database(app)

    @app.route("/undeclared")
    def undeclared():
        return "secret"

    client = app.test_client()
    assert client.get("/undeclared").status_code == 403
    token = csrf_token(client)
    client.post("/auth/login", data={"login": "state", "password": "sir-demo-2025", "csrf_token": token})
    response = client.get("/undeclared")
    assert response.status_code == 403
    assert "secret" not in response.get_data(as_text=True)


@pytest.mark.parametrize("role", [*sorted(ALL), "anonymous"])
def test_can_agrees_with_the_matrix(matrix_app, role):
    """The template global `can(endpoint, **values)` answers what the route itself answers."""
    ids = _ids(matrix_app)
    adapter = matrix_app.url_map.bind("localhost")
    for endpoint, (method, in_url, _, allowed, _) in MATRIX.items():
        path = _in_url(in_url, role).format(**ids).partition("?")[0]
        matched, values = adapter.match(path, method=method)
        assert matched == endpoint
        expected = allowed == PUBLIC or role in allowed
        with matrix_app.test_request_context(path):
            if role != "anonymous":
                login_user(db.session.scalar(select(User).where(User.login == LOGINS[role])))
            can = matrix_app.jinja_env.globals["can"]
            assert can(endpoint) == expected, (endpoint, role)
            assert can(endpoint, **values) == expected, (endpoint, role, values)
            template = "{{ can(endpoint, **values) }}"
            assert render_template_string(template, endpoint=endpoint, values=values) == str(expected)


def test_can_refuses_a_route_that_does_not_exist(matrix_app):
    with matrix_app.test_request_context("/"), pytest.raises(LookupError, match="progress.nowhere"):
        matrix_app.jinja_env.globals["can"]("progress.nowhere")
