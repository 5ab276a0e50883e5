"""The read side of the volunteer's own screens: their offers and assignments, one assignment with
its days and the way to the booth, and their history. A volunteer reaches only their own
assignments and days: the scope's owner rule (Assignment.volunteer_user_id,
VisitDay.volunteer_user_id) is the only way in. Nothing here reads the request.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app
from sqlalchemy import case, select
from sqlalchemy.orm import joinedload

from app.campaign.clock import campaign_today
from app.extensions import db
from app.lists import ListForm
from app.models import Part, User
from app.scope import Scope
from app.timeutil import utcnow
from app.volunteers import rules, services
from app.volunteers.labels import MAY_NOT
from app.volunteers.models import Assignment, OfferStatus, VisitDay, Volunteer


def _own(scope: Scope):
    """The user's assignments (a volunteer's own; a BLO's parts'), with their part and AC."""
    return (
        select(Assignment)
        .where(scope.of(Assignment))
        .options(joinedload(Assignment.part).joinedload(Part.constituency))
    )


def _visits_on(assignment_ids: list[int], day: date) -> dict[int, VisitDay]:
    if not assignment_ids:
        return {}
    return {
        visit.assignment_id: visit
        for visit in db.session.scalars(
            select(VisitDay).where(VisitDay.assignment_id.in_(assignment_ids), VisitDay.day == day)
        )
    }


def _covers(assignment: Assignment, day: date) -> bool:
    return assignment.starts_on <= day <= assignment.ends_on


def overview(scope: Scope, today: date, now: datetime) -> dict:
    """The offers waiting for an answer (soonest to expire first) and the accepted assignments not
    over yet (today's first), with today's day of each: two queries."""
    offers = db.session.scalars(
        _own(scope).where(Assignment.open_at(now)).order_by(Assignment.expires_at, Assignment.id)
    ).all()
    accepted = db.session.scalars(
        _own(scope)
        .where(Assignment.status == OfferStatus.ACCEPTED, Assignment.ends_on >= today)
        .order_by(
            case((Assignment.starts_on <= today, 0), else_=1),
            Assignment.starts_on,
            Assignment.start_time,
        )
        .limit(100)
    ).all()
    visits = _visits_on([a.id for a in accepted if _covers(a, today)], today)
    return {
        "offers": [(offer, offer.expires_at - now) for offer in offers],
        "accepted": accepted,
        "today_assignments": [a for a in accepted if _covers(a, today)],
        "visits": visits,
        "today": today,
    }


def home_context(scope: Scope, today: date) -> dict:
    """The volunteer's home page opens with today's assignment and the offers waiting."""
    return {"volunteer_overview": overview(scope, today, utcnow())}


def directions(part: Part) -> dict | None:
    """Where the booth is: a geo: link any phone's map opens, and the DIRECTIONS_URL template's
    address (e.g. "https://maps.example/dir/?destination={lat},{lon}") when one is configured."""
    if part.lat is None or part.lon is None:
        return None
    lat, lon = f"{part.lat:.6f}", f"{part.lon:.6f}"
    template = current_app.config.get("DIRECTIONS_URL") or ""
    try:
        maps = template.format(lat=lat, lon=lon) if template else None
    except (KeyError, IndexError, ValueError):
        current_app.logger.warning("DIRECTIONS_URL %r is not a template of {lat} and {lon}", template)
        maps = None
    return {"geo": f"geo:{lat},{lon}?q={lat},{lon}", "maps": maps, "lat": lat, "lon": lon}


def assignment_context(
    scope: Scope,
    assignment: Assignment,
    *,
    message: str | None = None,
    level: str = "success",
    errors: dict | None = None,
    sent: dict | None = None,
) -> dict:
    now, today = utcnow(), campaign_today()
    part = assignment.part
    accepted = assignment.status == OfferStatus.ACCEPTED
    days = db.session.scalars(
        select(VisitDay)
        .where(VisitDay.assignment_id == assignment.id, scope.of(VisitDay))
        .order_by(VisitDay.day.desc())
    ).all()
    visit = next((d for d in days if d.day == today), None)
    cap_hours = services.limits_for(assignment.district_id).daily_hour_cap
    return {
        "a": assignment,
        "part": part,
        # The BLO's name and phone only once the volunteer has accepted.
        "blo": db.session.get(User, part.blo_id) if accepted and part.blo_id else None,
        "open_offer": assignment.open_at(now),
        "expired": assignment.lapsed_at(now),
        "time_left": assignment.expires_at - now,
        "today": today,
        "is_today": accepted and _covers(assignment, today),
        "visit": visit,
        "days": days,
        "worked_minutes": sum(d.minutes or 0 for d in days),
        "directions": directions(part),
        "may_not": MAY_NOT,
        "cap_minutes": cap_hours * 60,
        "work_bounds": rules.work_bounds(part.electors, cap_hours),
        "message": message,
        "message_level": level,
        "errors": errors or {},
        "sent": sent or {},
    }


def own_profile(scope: Scope) -> Volunteer | None:
    return db.session.scalar(select(Volunteer).where(Volunteer.user_id == scope.user.id, scope.of(Volunteer)))


def history_context(scope: Scope, form: ListForm) -> dict:
    """Every assignment answered or under way, newest first, with its days and minutes; total hours."""
    query = _own(scope).where(~Assignment.is_open).order_by(Assignment.starts_on.desc(), Assignment.id.desc())
    pages = form.paginate(query, current_app.config["PAGE_SIZE"])
    ids = [a.id for a in pages.items]
    days: dict[int, list[VisitDay]] = {i: [] for i in ids}
    if ids:
        for visit in db.session.scalars(
            select(VisitDay)
            .where(VisitDay.assignment_id.in_(ids), scope.of(VisitDay))
            .order_by(VisitDay.day.desc())
        ):
            days[visit.assignment_id].append(visit)
    profile = own_profile(scope)
    hours = services.hours_of(profile.id) if profile is not None else 0.0
    return {
        "pages": pages,
        "days": days,
        "total_minutes": hours * 60,
        "days_worked": sum(1 for visits in days.values() for v in visits if v.minutes),
        "today": campaign_today(),
    }
