"""Shared by the need board's and the offers' tests and matrix: approved volunteer profiles near a
part, free on the campaign's days, and a signed-in client."""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import select

from app.campaign.clock import campaign_today
from app.extensions import db
from app.models import Constituency, Part, User
from app.timeutil import utcnow
from app.volunteers.models import AvailabilityWindow, Organisation, Volunteer, VolunteerStatus
from tests.conftest import AuthActions


def part_of(ac_number: int, part_number: int) -> Part:
    return db.session.scalar(
        select(Part)
        .join(Constituency, Part.constituency_id == Constituency.id)
        .where(Constituency.number == ac_number, Part.number == part_number)
    )


def user(login: str) -> User:
    return db.session.scalar(select(User).where(User.login == login))


def volunteer_near(
    login: str,
    part: Part,
    north_km: float = 1.0,
    status: VolunteerStatus = VolunteerStatus.APPROVED,
    days: tuple | None = None,
    hours: tuple[time, time] = (time(8, 0), time(18, 0)),
    located: bool = True,
) -> Volunteer:
    """The approved profile of the seeded volunteer account `login`, `north_km` north of the part
    and free from 08:00 to 18:00 from yesterday to 30 days on (or `days`); made once, flushed."""
    account = user(login)
    found = db.session.scalar(select(Volunteer).where(Volunteer.user_id == account.id))
    if found is not None:
        return found
    today = campaign_today()
    first, last = days or (today - timedelta(days=1), today + timedelta(days=30))
    volunteer = Volunteer(
        user_id=account.id,
        district_id=account.district_id,
        name=account.name,
        mobile=account.mobile,
        organisation=Organisation.NSS,
        institution="Government College",
        languages=["hi"],
        lat=part.lat + north_km / 111.2 if located else None,
        lon=part.lon if located else None,
        status=status,
        approved_at=utcnow() if status == VolunteerStatus.APPROVED else None,
    )
    volunteer.windows.append(
        AvailabilityWindow(
            district_id=account.district_id,
            user_id=account.id,
            starts_on=first,
            ends_on=last,
            start_time=hours[0],
            end_time=hours[1],
        )
    )
    db.session.add(volunteer)
    db.session.flush()
    return volunteer


def signed_in(app, login: str, lang: str = "en"):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert AuthActions(client).login(login, lang=lang).status_code == 303
    return client
