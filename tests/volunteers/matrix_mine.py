"""The volunteer's own assignments and the BLO's today in the authorization matrix (see
tests/test_authorization.py): vol.bhopal.1 reaches their own assignment ("in") and never
vol.bhopal.2's ("out"); the BLO of part 1-1 of AC 1 sees both on their today page."""

from __future__ import annotations

from datetime import time

from sqlalchemy import select

from app.campaign.clock import campaign_today
from app.extensions import db
from app.models import Constituency, Part, User
from app.volunteers import services
from app.volunteers.models import (
    Assignment,
    OfferStatus,
    Organisation,
    VisitDay,
    Volunteer,
    VolunteerStatus,
)

VOLUNTEER = {"volunteer"}

ENTRIES = {
    "volunteers.mine": ("GET", "/volunteers/mine", None, VOLUNTEER, set()),
    "volunteers.history": ("GET", "/volunteers/history", None, VOLUNTEER, set()),
    "volunteers.assignment": (
        "GET",
        "/volunteers/assignments/{mine_assignment_in}",
        "/volunteers/assignments/{mine_assignment_out}",
        VOLUNTEER,
        set(),
    ),
    # Without an answer or the form's version: 422 for the owner, nothing saved.
    "volunteers.answer": (
        "POST",
        "/volunteers/assignments/{mine_assignment_in}/answer",
        "/volunteers/assignments/{mine_assignment_out}/answer",
        VOLUNTEER,
        set(),
    ),
    # Checking in twice changes nothing: the owner's answer is the same redirect.
    "volunteers.check_in": (
        "POST",
        "/volunteers/assignments/{mine_assignment_in}/check-in",
        "/volunteers/assignments/{mine_assignment_out}/check-in",
        VOLUNTEER,
        set(),
    ),
    "volunteers.check_out": (
        "POST",
        "/volunteers/assignments/{mine_assignment_in}/check-out",
        "/volunteers/assignments/{mine_assignment_out}/check-out",
        VOLUNTEER,
        set(),
    ),
    # Without the counts: 422, nothing saved.
    "volunteers.log_work": (
        "POST",
        "/volunteers/days/{mine_day_in}/work",
        "/volunteers/days/{mine_day_out}/work",
        VOLUNTEER,
        set(),
    ),
    "volunteers.today": ("GET", "/volunteers/today", None, {"blo"}, set()),
    # Without came=1 or 0: 422 for the part's BLO, nothing saved; another part's assignment: 403.
    "volunteers.attendance": (
        "POST",
        "/volunteers/assignments/{mine_assignment_in}/attendance",
        "/volunteers/assignments/{mine_assignment_elsewhere}/attendance",
        {"blo"},
        set(),
    ),
}


def part_of(ac_number: int, part_number: int) -> Part:
    return db.session.scalar(
        select(Part)
        .join(Constituency, Part.constituency_id == Constituency.id)
        .where(Constituency.number == ac_number, Part.number == part_number)
    )


def profile_of(login: str) -> Volunteer:
    """The approved profile of a seeded volunteer account, made if absent."""
    user = db.session.scalar(select(User).where(User.login == login))
    volunteer = db.session.scalar(select(Volunteer).where(Volunteer.user_id == user.id))
    if volunteer is None:
        volunteer = Volunteer(
            user_id=user.id,
            district_id=user.district_id,
            name=user.name,
            mobile=user.mobile or f"9{user.id:09d}",
            organisation=Organisation.NSS,
            institution="Government College",
            languages=["hi"],
        )
        db.session.add(volunteer)
        db.session.flush()
    if volunteer.status != VolunteerStatus.APPROVED:
        collector = db.session.scalar(select(User).where(User.login == "collector.bhopal"))
        services.approve(collector, volunteer)
    return volunteer


def accepted_today(volunteer: Volunteer, part: Part, hours: tuple[time, time]) -> Assignment:
    """An accepted assignment of the volunteer at the part covering today, made if absent."""
    today = campaign_today()
    found = db.session.scalar(
        select(Assignment).where(
            Assignment.volunteer_id == volunteer.id,
            Assignment.part_id == part.id,
            Assignment.status == OfferStatus.ACCEPTED,
            Assignment.starts_on <= today,
            Assignment.ends_on >= today,
        )
    )
    if found is not None:
        return found
    collector = db.session.scalar(select(User).where(User.login == "collector.bhopal"))
    # Offered and accepted at the day's first minute: today's hours are never over by then.
    dawn = services.to_utc(today, time(0))
    offer = services.offer(
        collector,
        volunteer,
        part,
        services.OfferInput(today, today, hours[0], hours[1], ("awareness", "form_filling")),
        now=dawn,
        today=today,
    )
    return services.answer(volunteer.user, offer, True, now=dawn)


def ids(app) -> dict[str, int]:
    with app.app_context():
        first, second = profile_of("vol.bhopal.1"), profile_of("vol.bhopal.2")
        mine = accepted_today(first, part_of(1, 1), (time(7, 0), time(9, 0)))
        theirs = accepted_today(second, part_of(1, 1), (time(7, 0), time(9, 0)))
        elsewhere = accepted_today(second, part_of(1, 2), (time(19, 0), time(21, 0)))
        today = campaign_today()
        days = {}
        for key, assignment in (("mine_day_in", mine), ("mine_day_out", theirs)):
            visit = db.session.scalar(
                select(VisitDay).where(VisitDay.assignment_id == assignment.id, VisitDay.day == today)
            )
            if visit is None:
                visit = services.check_in(assignment.volunteer.user, assignment, today)
            days[key] = visit
        db.session.commit()
        return {
            "mine_assignment_in": mine.id,
            "mine_assignment_out": theirs.id,
            "mine_assignment_elsewhere": elsewhere.id,
            **{key: visit.id for key, visit in days.items()},
        }
