"""Privacy of volunteers (issue 9 §7).

- A volunteer reaches no officer page: every GET route of the authorization matrix that is not
  open to volunteers answers 403 to one, and the volunteers' downloads too.
- A volunteer sees no other volunteer: the scope gives them only their own profile, offers and days.
- A volunteer's mobile and home location never appear in any page or download of a supervisor, a
  BLO without an accepted offer from them, or another district's collector, while the collector of
  their district does see the mobile (so the check can fail).
"""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.scope import Scope
from app.volunteers.models import Assignment, AvailabilityWindow, OfferStatus, VisitDay, Volunteer
from tests.conftest import LOGINS, csrf_token, make_app, reset_database
from tests.test_authorization import MATRIX, PUBLIC, _ids
from tests.volunteers.views_support import assignment, at, part_of, visit, volunteer

# The watched volunteer: a mobile and a home that appear nowhere else in the demo.
MOBILE = "6123498765"
LAT, LON = 23.318271, 77.461928
SECRETS = (MOBILE, "23.3182", "77.4619", "23.31827", "77.46193")
VOLUNTEER_DOWNLOADS = [
    f"/exports/{table}.{fmt}" for table in ("volunteers", "volunteer_hours") for fmt in ("csv", "xlsx")
]


def _get_urls(ids: dict) -> list[str]:
    urls = []
    for method, in_url, out_url, _, _ in MATRIX.values():
        if method == "GET":
            urls.extend(url.format(**ids) for url in (in_url, out_url) if url)
    return urls


@pytest.fixture(scope="module")
def privacy_app(database_url):
    """The tiny demo, and vol.bhopal.7 with a secret mobile and home: accepted and on now at part
    1-2 (supervisor sup.1.1's, BLO blo.1.2's), only offered at part 1-1 (BLO blo.1.1's)."""
    app = make_app(database_url)
    reset_database(app)
    with app.app_context():
        from app.campaign.clock import campaign_today

        today = campaign_today()
        watched = volunteer("vol.bhopal.7", mobile=MOBILE, lat=LAT, lon=LON, address="House 12, Kolar Road")
        accepted = assignment(
            watched, part_of(1, 2), days=(today - timedelta(days=1), today), hours=(time(0), time(23, 59))
        )
        visit(accepted, today - timedelta(days=1), at(today, 9), at(today, 12), 180)
        visit(accepted, today, at(today, 0, 5))
        assignment(watched, part_of(1, 1), status=OfferStatus.OFFERED, days=(today + timedelta(days=1),) * 2)
        db.session.commit()
    return app


def _signed_in(app, login: str):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    token = csrf_token(client)
    response = client.post(
        "/auth/login", data={"login": login, "password": "sir-demo-2025", "csrf_token": token}
    )
    assert response.status_code == 303, login
    return client


def test_a_volunteer_reaches_no_officer_page(privacy_app):
    ids = _ids(privacy_app)
    client = _signed_in(privacy_app, LOGINS["volunteer"])
    refused = []
    for endpoint, (method, in_url, out_url, allowed, _) in MATRIX.items():
        if method != "GET" or allowed == PUBLIC or "volunteer" in allowed:
            continue
        for url in (in_url, out_url):
            if url:
                status = client.get(url.format(**ids)).status_code
                refused.append(status)
                assert status == 403, (endpoint, url, status)
    for url in VOLUNTEER_DOWNLOADS:
        assert client.get(url).status_code == 403, url
    assert len(refused) > 50  # the matrix really was walked


def test_a_volunteer_sees_only_their_own_profile_offers_and_days(privacy_app):
    with privacy_app.test_request_context():
        own = db.session.scalar(select(User).where(User.login == "vol.bhopal.1"))
        scope = Scope(own)
        for model in (Volunteer, AvailabilityWindow, Assignment, VisitDay):
            owners = set(
                db.session.scalars(
                    select(model.user_id if hasattr(model, "user_id") else model.volunteer_user_id).where(
                        scope.of(model)
                    )
                )
            )
            assert owners == {own.id}, model.__name__
        others = db.session.scalar(select(Volunteer).where(Volunteer.mobile == MOBILE))
        assert (
            db.session.scalar(select(Volunteer.id).where(Volunteer.id == others.id, scope.of(Volunteer)))
            is None
        )


@pytest.mark.parametrize("login", ["sup.1.1", "blo.1.1", "collector.raisen", "ero.5", "state"])
def test_the_mobile_and_home_never_reach_those_without_a_need(privacy_app, login):
    ids = _ids(privacy_app)
    client = _signed_in(privacy_app, login)
    seen = []
    for url in [*_get_urls(ids), *VOLUNTEER_DOWNLOADS]:
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, headers=headers)
            body = response.get_data()
            text = body.decode("utf-8", "replace")
            leaked = [secret for secret in SECRETS if secret in text]
            assert not leaked, (login, url, leaked)
            if response.status_code == 200:
                seen.append(url)
    assert seen  # some pages did answer


def test_the_collector_of_their_district_does_see_the_mobile(privacy_app):
    """The same walk finds the mobile where it belongs, so the checks above can fail."""
    client = _signed_in(privacy_app, "collector.bhopal")
    assert MOBILE in client.get("/volunteers/on-now").get_data(as_text=True)
    assert MOBILE in client.get("/exports/volunteers.csv").get_data(as_text=True)
    supervisor = _signed_in(privacy_app, "sup.1.1")
    page = supervisor.get("/volunteers/on-now").get_data(as_text=True)
    with privacy_app.app_context():
        name = volunteer("vol.bhopal.7").name
    assert name in page  # the supervisor sees who is at their part, without the number
