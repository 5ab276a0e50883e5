"""Shared by the tests of the volunteer's and the BLO's pages: a frozen clock, approved profiles of
seeded volunteers, offers at a part, signing in and posting a page's forms."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from app.campaign.clock import campaign_today
from app.extensions import db
from app.models import AuditEntry, User
from app.volunteers import services
from app.volunteers.models import Assignment, VisitDay
from tests.conftest import AuthActions
from tests.volunteers.matrix_mine import part_of, profile_of

START = datetime(2025, 11, 20, 4, 30)  # 10:00 in Bhopal, on 20 November
TODAY = date(2025, 11, 20)


def freeze(app, moment: datetime) -> None:
    app.config["CLOCK"] = lambda: moment.replace(tzinfo=UTC)


def make_offer(
    app,
    login: str = "vol.bhopal.1",
    ac_number: int = 1,
    part_number: int = 1,
    starts_in: int = 0,
    days: int = 1,
    hours: tuple[time, time] = (time(10), time(14)),
    accept: bool = False,
    tasks: tuple[str, ...] = ("awareness", "old_roll_search"),
) -> int:
    """An offer (accepted if asked) to the seeded volunteer at the part, from the collector."""
    with app.app_context():
        volunteer = profile_of(login)
        collector = db.session.scalar(select(User).where(User.login == "collector.bhopal"))
        first = campaign_today() + timedelta(days=starts_in)
        assignment = services.offer(
            collector,
            volunteer,
            part_of(ac_number, part_number),
            services.OfferInput(first, first + timedelta(days=days - 1), hours[0], hours[1], tasks),
            today=campaign_today(),
        )
        if accept:
            services.answer(volunteer.user, assignment, True)
        db.session.commit()
        return assignment.id


def signed_in(app, login: str, lang: str = "en"):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert AuthActions(client).login(login, lang=lang).status_code == 303
    return client


def page_token(html: str) -> str:
    match = re.search(r'"X-CSRFToken": "([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match[1]


def post(client, url: str, htmx: bool = True, page: str = "/", **data):
    token = page_token(client.get(page).get_data(as_text=True))
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(url, data={"csrf_token": token, **data}, headers=headers)


def fresh(app, model, object_id: int):
    with app.app_context():
        found = db.session.get(model, object_id)
        db.session.expunge(found)
        return found


def assignment_of(app, assignment_id: int) -> Assignment:
    return fresh(app, Assignment, assignment_id)


def days_of(app, assignment_id: int) -> list[VisitDay]:
    with app.app_context():
        found = db.session.scalars(select(VisitDay).where(VisitDay.assignment_id == assignment_id)).all()
        for visit in found:
            db.session.expunge(visit)
        return list(found)


def audit_count(app, action: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == action))
