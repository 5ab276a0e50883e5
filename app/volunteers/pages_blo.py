"""The read side of the BLO's page: the volunteers coming today to their parts, and whether each
came. The BLO sees the assignments of their own parts (the scope's part rule) and, of a volunteer
who accepted one of them, the name, organisation and phone: the privacy rule of issue 9.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, func, select

from app.campaign.clock import campaign_today
from app.extensions import db
from app.models import Constituency, Part
from app.scope import Scope
from app.volunteers.models import Assignment, OfferStatus, VisitDay, Volunteer


def _coming(scope: Scope, day: date):
    return (
        scope.of(Assignment),
        Assignment.status == OfferStatus.ACCEPTED,
        Assignment.starts_on <= day,
        Assignment.ends_on >= day,
    )


def coming_today_count(scope: Scope, day: date) -> int:
    """For the BLO's home page: how many volunteers come to their parts on the day."""
    return db.session.scalar(select(func.count(Assignment.id)).where(*_coming(scope, day))) or 0


def coming_today(scope: Scope, day: date) -> list:
    """Each accepted assignment covering the day at the user's parts, with its volunteer, part and
    the day's check-in and attendance: one query."""
    return db.session.execute(
        select(
            Assignment,
            Volunteer.name,
            Volunteer.organisation,
            Volunteer.institution,
            Volunteer.mobile,
            Volunteer.status.label("volunteer_status"),
            Part,
            Constituency.number.label("ac_number"),
            VisitDay,
        )
        .join(Volunteer, Volunteer.id == Assignment.volunteer_id)
        .join(Part, Part.id == Assignment.part_id)
        .join(Constituency, Constituency.id == Assignment.constituency_id)
        .outerjoin(VisitDay, and_(VisitDay.assignment_id == Assignment.id, VisitDay.day == day))
        .where(*_coming(scope, day))
        .order_by(Constituency.number, Part.number, Assignment.start_time, Volunteer.name)
        .limit(200)
    ).all()


def today_context(scope: Scope, message: str | None = None, level: str = "success") -> dict:
    today = campaign_today()
    return {"rows": coming_today(scope, today), "today": today, "message": message, "message_level": level}
