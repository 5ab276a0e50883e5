"""No GET request writes to the database: every GET of the authorization matrix, as every role."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event

from app.campaign.clock import campaign_today
from app.extensions import db
from app.figures.models import RollupFrontier
from tests.conftest import LOGINS, csrf_token, make_app, reset_database
from tests.test_authorization import MATRIX, _ids

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")
GET_URLS = [
    url
    for method, in_url, out_url, _, _ in MATRIX.values()
    if method == "GET"
    for url in (in_url, out_url)
    if url
]


@pytest.fixture(scope="module")
def quiet_app(database_url):
    """The tiny demo on a new day that the periodic roll-up task has not reached yet."""
    app = make_app(database_url)
    reset_database(app)
    with app.app_context():
        db.session.get(RollupFrontier, 1).dense_through = campaign_today() - timedelta(days=1)
        db.session.commit()
    return app


@pytest.mark.parametrize("role", [*sorted(LOGINS), "anonymous"])
def test_no_get_request_writes(quiet_app, role):
    ids = _ids(quiet_app)
    client = quiet_app.test_client()
    if role != "anonymous":
        token = csrf_token(client)
        response = client.post(
            "/auth/login", data={"login": LOGINS[role], "password": "sir-demo-2025", "csrf_token": token}
        )
        assert response.status_code == 303
    written: list[str] = []

    def watch(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(WRITES):
            written.append(statement.split("\n")[0][:120])

    with quiet_app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", watch)
    try:
        statuses = {}
        for url in GET_URLS:
            for headers in ({}, {"HX-Request": "true"}):
                statuses[url] = client.get(url.format(**ids), headers=headers).status_code
                assert not written, f"GET {url} as {role} wrote: {written}"
    finally:
        event.remove(engine, "before_cursor_execute", watch)
    assert 200 in statuses.values()  # the requests reached the pages, not only the sign-in redirect
