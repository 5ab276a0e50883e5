"""Helpers for the tests of the collector's views: a clean slate of offers and days, a frozen
campaign clock, and offers and days made straight in the tables with the values a test names."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import delete, select

from app.campaign.clock import campaign_today, campaign_zone
from app.extensions import db
from app.models import Constituency, Part, User
from app.volunteers.models import Assignment, Attendance, OfferStatus, Organisation, VisitDay, Volunteer


def clean_slate(app) -> None:
    """No offers and no days: each test makes exactly the ones it counts."""
    with app.app_context():
        db.session.execute(delete(VisitDay))
        db.session.execute(delete(Assignment))
        db.session.commit()


def freeze_at(app, hour: int, minute: int = 0) -> tuple[date, datetime]:
    """Freeze the clock at hour:minute campaign time today; returns (today, the aware local moment)."""
    with app.app_context():
        today, zone = campaign_today(), campaign_zone()
    local = datetime.combine(today, time(hour, minute), zone)
    app.config["CLOCK"] = lambda: local.astimezone(UTC)
    return today, local


def stored(local: datetime) -> datetime:
    return local.astimezone(UTC).replace(tzinfo=None)


def part_of(ac_number: int, part_number: int) -> Part:
    return db.session.scalar(
        select(Part)
        .join(Constituency, Constituency.id == Part.constituency_id)
        .where(Constituency.number == ac_number, Part.number == part_number)
    )


def volunteer(login: str, **changes) -> Volunteer:
    found = db.session.scalar(
        select(Volunteer).join(User, User.id == Volunteer.user_id).where(User.login == login)
    )
    for name, value in changes.items():
        setattr(found, name, value)
    return found


def assignment(
    who: Volunteer,
    part: Part,
    status: OfferStatus = OfferStatus.ACCEPTED,
    days: tuple[date, date] | None = None,
    hours: tuple[time, time] = (time(9), time(17)),
) -> Assignment:
    today = campaign_today()
    first, last = days or (today, today)
    made = Assignment(
        volunteer_id=who.id,
        volunteer_user_id=who.user_id,
        part_id=part.id,
        constituency_id=part.constituency_id,
        district_id=part.district_id,
        blo_id=part.blo_id,
        starts_on=first,
        ends_on=last,
        start_time=hours[0],
        end_time=hours[1],
        tasks=["awareness"],
        status=status,
        offered_by_id=db.session.scalar(select(User.id).where(User.login == "collector.bhopal")),
        offered_at=datetime(2025, 1, 1),
        expires_at=datetime(2025, 1, 2),
    )
    db.session.add(made)
    db.session.flush()
    return made


def visit(
    made: Assignment,
    day: date,
    check_in: datetime | None = None,
    check_out: datetime | None = None,
    minutes: int | None = None,
    attendance: Attendance | None = None,
) -> VisitDay:
    row = VisitDay(
        assignment_id=made.id,
        volunteer_id=made.volunteer_id,
        volunteer_user_id=made.volunteer_user_id,
        part_id=made.part_id,
        constituency_id=made.constituency_id,
        district_id=made.district_id,
        day=day,
        check_in_at=check_in,
        check_out_at=check_out,
        minutes=minutes,
        attendance=attendance,
    )
    db.session.add(row)
    db.session.flush()
    return row


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A stored (naive UTC) moment at hour:minute campaign time on the day."""
    return stored(datetime.combine(day, time(hour, minute), campaign_zone()))


def yesterday(day: date) -> date:
    return day - timedelta(days=1)


__all__ = ["Organisation", "OfferStatus", "Attendance"]
