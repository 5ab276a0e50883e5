"""The demo's volunteers: a profile for every volunteer account, offers in every state and days at
the booths, the README's volunteer at work today, and nothing duplicated when seeding again."""

from __future__ import annotations

from sqlalchemy import func, select

from app.campaign.clock import campaign_today
from app.demo import seed_demo
from app.extensions import db
from app.models import Part, Role, User
from app.volunteers.models import (
    Assignment,
    AvailabilityWindow,
    OfferStatus,
    VisitDay,
    Volunteer,
    VolunteerStatus,
)

TABLES = (User, Volunteer, AvailabilityWindow, Assignment, VisitDay)


def _counts() -> dict[str, int]:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model)) for model in TABLES}


def test_tiny_has_profiles_offers_and_days(app):
    with app.app_context():
        accounts = db.session.scalar(select(func.count(User.id)).where(User.role == Role.VOLUNTEER))
        assert accounts == 40 and _counts()["Volunteer"] == accounts
        assert _counts()["AvailabilityWindow"] == accounts
        statuses = dict(
            db.session.execute(select(Assignment.status, func.count()).group_by(Assignment.status)).all()
        )
        assert {OfferStatus.OFFERED, OfferStatus.ACCEPTED, OfferStatus.DECLINED, OfferStatus.EXPIRED} <= set(
            statuses
        )
        # Every profile is near its district's parts and belongs to its account's district.
        mismatched = db.session.scalar(
            select(func.count(Volunteer.id))
            .join(User, User.id == Volunteer.user_id)
            .where(User.district_id != Volunteer.district_id)
        )
        assert mismatched == 0
        pending = db.session.execute(
            select(User.login, User.active)
            .join(Volunteer, Volunteer.user_id == User.id)
            .where(Volunteer.status == VolunteerStatus.PENDING)
        ).all()
        assert len(pending) == 4 and not any(active for _, active in pending)
        # Days at the booths, with check-in and check-out and the BLO's word.
        worked = db.session.scalar(select(func.count(VisitDay.id)).where(VisitDay.minutes > 0))
        recorded = db.session.scalar(select(func.count(VisitDay.id)).where(VisitDay.attendance.is_not(None)))
        assert worked >= 4 and recorded >= 4
        # Offers only at parts of the volunteer's district.
        assert (
            db.session.scalar(
                select(func.count(Assignment.id))
                .join(Part, Part.id == Assignment.part_id)
                .where(Part.district_id != Assignment.district_id)
            )
            == 0
        )


def test_the_readme_volunteer_is_at_part_1_today(app):
    with app.app_context():
        today = campaign_today()
        at_work = db.session.execute(
            select(Assignment, Part.number)
            .join(User, User.id == Assignment.volunteer_user_id)
            .join(Part, Part.id == Assignment.part_id)
            .where(User.login == "vol.bhopal.1", Assignment.status == OfferStatus.ACCEPTED)
        ).all()
        assert [(a.starts_on <= today <= a.ends_on, number) for a, number in at_work] == [(True, 1)]


def test_seeding_again_duplicates_nothing(app):
    with app.app_context():
        before = _counts()
        seed_demo("tiny", log=lambda *_: None)
        assert _counts() == before
