"""The collector's views of volunteers, as grouped queries: which parts have help on a day, who is
on now, arriving or leaving, and hours, days, no-shows and offers by organisation and institution.

Every function takes the conditions that place its rows (the reader's scope, already narrowed to
a district or an AC) and answers in one grouped query; the pages cost a handful of queries
whatever the number of parts and volunteers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, and_, case, func, literal, or_, select
from sqlalchemy.sql.elements import ColumnElement

from app.extensions import db
from app.models import Constituency, District, Part, Role, User
from app.volunteers.models import (
    Assignment,
    Attendance,
    OfferStatus,
    Organisation,
    VisitDay,
    Volunteer,
)

# Who sees a volunteer's mobile in these views and downloads: the collector and the EROs, whose
# rows are always of their own district (the BLO of an accepted offer sees it on their own page).
SEES_MOBILE = frozenset({Role.COLLECTOR, Role.ERO})

# The list filters of the coverage page.
COVERAGE_FILTERS = ("all", "without", "with")
# Who's on now: the three states of a volunteer on the day, and the list's filter.
ON_NOW, ARRIVING, LEAVING = "on_now", "arriving", "leaving"
ON_NOW_FILTERS = ("all", ON_NOW, ARRIVING, LEAVING)
SOON = timedelta(hours=1)


# -- coverage -----------------------------------------------------------------------------------


def _helpers_on(day: date, assignment_condition: ColumnElement[bool]):
    """Volunteers with an accepted assignment covering the day, per part: a grouped subquery."""
    return (
        select(Assignment.part_id, func.count(func.distinct(Assignment.volunteer_id)).label("helpers"))
        .where(
            Assignment.status == OfferStatus.ACCEPTED,
            Assignment.starts_on <= day,
            Assignment.ends_on >= day,
            assignment_condition,
        )
        .group_by(Assignment.part_id)
        .subquery()
    )


@dataclass(frozen=True)
class CoverageCounts:
    parts: int
    with_help: int

    @property
    def without_help(self) -> int:
        return self.parts - self.with_help

    @property
    def percent(self) -> float | None:
        return self.with_help * 100 / self.parts if self.parts else None


def coverage_query(
    day: date, part_condition: ColumnElement[bool], assignment_condition: ColumnElement[bool], which: str
) -> Select:
    """The area's parts, each with its AC number, BLO's name and helpers on the day (0 without):
    those with help, without, or all, by AC and part number."""
    helpers = _helpers_on(day, assignment_condition)
    count = func.coalesce(helpers.c.helpers, 0).label("helpers")
    query = (
        select(Part, Constituency.number.label("ac_number"), User.name.label("blo_name"), count)
        .join(Constituency, Part.constituency_id == Constituency.id)
        .outerjoin(User, User.id == Part.blo_id)
        .outerjoin(helpers, helpers.c.part_id == Part.id)
        .where(part_condition)
        .order_by(Constituency.number, Part.number)
    )
    if which == "with":
        query = query.where(helpers.c.helpers > 0)
    elif which == "without":
        query = query.where(helpers.c.helpers.is_(None))
    return query


def coverage_counts(
    day: date, part_condition: ColumnElement[bool], assignment_condition: ColumnElement[bool]
) -> CoverageCounts:
    helpers = _helpers_on(day, assignment_condition)
    parts, helped = db.session.execute(
        select(func.count(Part.id), func.count(helpers.c.part_id))
        .select_from(Part)
        .outerjoin(helpers, helpers.c.part_id == Part.id)
        .where(part_condition)
    ).one()
    return CoverageCounts(int(parts or 0), int(helped or 0))


def coverage_points(
    day: date, part_condition: ColumnElement[bool], assignment_condition: ColumnElement[bool], language: str
) -> tuple[list[dict], int]:
    """The located parts of the area with their helpers on the day, for the map, in one query.
    Returns (points, parts without a location)."""
    helpers = _helpers_on(day, assignment_condition)
    rows = db.session.execute(
        select(
            Part.id,
            Part.number,
            Part.name_en,
            Part.name_hi,
            Part.lat,
            Part.lon,
            Constituency.number,
            func.coalesce(helpers.c.helpers, 0),
        )
        .join(Constituency, Part.constituency_id == Constituency.id)
        .outerjoin(helpers, helpers.c.part_id == Part.id)
        .where(part_condition)
        .order_by(Constituency.number, Part.number)
    ).all()
    points, unlocated = [], 0
    for part_id, number, name_en, name_hi, lat, lon, ac_number, count in rows:
        if lat is None or lon is None:
            unlocated += 1
            continue
        points.append(
            {
                "id": part_id,
                "lat": lat,
                "lon": lon,
                "label": f"{ac_number}-{number}",
                "name": name_hi if language == "hi" else name_en,
                "helpers": int(count),
            }
        )
    return points, unlocated


# -- who's on now -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Moment:
    """Campaign time: the day, and the time of day now and an hour on (never past midnight)."""

    day: date
    now: time
    soon: time

    @classmethod
    def of(cls, local: datetime) -> Moment:
        """From an aware moment in the campaign's zone."""
        later = local + SOON
        soon = later.time() if later.date() == local.date() else time.max
        return cls(local.date(), local.time().replace(tzinfo=None), soon)


def _state_columns(moment: Moment):
    """(on now, arriving soon, leaving soon) as SQL conditions over Assignment joined to the day's
    VisitDay: checked in and not out; start within the hour, not checked in; on now and ending
    within the hour."""
    checked_in = VisitDay.check_in_at.is_not(None)
    on_now = and_(checked_in, VisitDay.check_out_at.is_(None))
    arriving = and_(
        or_(VisitDay.id.is_(None), VisitDay.check_in_at.is_(None)),
        Assignment.start_time >= moment.now,
        Assignment.start_time <= moment.soon,
    )
    leaving = and_(on_now, Assignment.end_time >= moment.now, Assignment.end_time <= moment.soon)
    return on_now, arriving, leaving


def _on_the_day(moment: Moment, assignment_condition: ColumnElement[bool]) -> Select:
    """Accepted assignments covering the day, each with its VisitDay of the day if any."""
    return (
        select()
        .select_from(Assignment)
        .outerjoin(VisitDay, and_(VisitDay.assignment_id == Assignment.id, VisitDay.day == moment.day))
        .where(
            Assignment.status == OfferStatus.ACCEPTED,
            Assignment.starts_on <= moment.day,
            Assignment.ends_on >= moment.day,
            assignment_condition,
        )
    )


@dataclass(frozen=True)
class OnNowCount:
    constituency: Constituency
    on_now: int = 0
    arriving: int = 0
    leaving: int = 0


def on_now_counts(
    moment: Moment, constituencies: list[Constituency], assignment_condition: ColumnElement[bool]
) -> list[OnNowCount]:
    """Per AC of the area (every one, with zeros): on now, arriving soon, leaving soon; one grouped query."""
    on_now, arriving, leaving = _state_columns(moment)

    def total(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    rows = db.session.execute(
        _on_the_day(moment, assignment_condition)
        .add_columns(Assignment.constituency_id, total(on_now), total(arriving), total(leaving))
        .where(Assignment.constituency_id.in_([c.id for c in constituencies]))
        .group_by(Assignment.constituency_id)
    ).all()
    found = {row[0]: row[1:] for row in rows}
    return [OnNowCount(c, *(int(v) for v in found.get(c.id, (0, 0, 0)))) for c in constituencies]


def on_now_query(moment: Moment, assignment_condition: ColumnElement[bool], which: str) -> Select:
    """The volunteers on now, arriving soon or leaving soon (or all three), with their part, hours
    and check-in, by AC, part and start time. The mobile is in every row: the page shows it only to
    those who may see it."""
    on_now, arriving, leaving = _state_columns(moment)
    state = case((leaving, literal(LEAVING)), (on_now, literal(ON_NOW)), else_=literal(ARRIVING))
    wanted = {ON_NOW: on_now, ARRIVING: arriving, LEAVING: leaving}.get(which, or_(on_now, arriving))
    return (
        _on_the_day(moment, assignment_condition)
        .add_columns(
            Assignment.id.label("assignment_id"),
            Volunteer.name,
            Volunteer.mobile,
            Volunteer.organisation,
            Volunteer.institution,
            Assignment.start_time,
            Assignment.end_time,
            VisitDay.check_in_at,
            VisitDay.check_in_outside_hours,
            Constituency.number.label("ac_number"),
            Part.number.label("part_number"),
            Part.name_en,
            Part.name_hi,
            state.label("state"),
        )
        .join(Volunteer, Volunteer.id == Assignment.volunteer_id)
        .join(Part, Part.id == Assignment.part_id)
        .join(Constituency, Constituency.id == Assignment.constituency_id)
        .where(wanted)
        .order_by(Constituency.number, Part.number, Assignment.start_time, Volunteer.name)
    )


# -- figures ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HoursRow:
    """Hours, days and no-shows of a group of volunteers (an organisation, or an institution)."""

    organisation: Organisation
    institution: str
    volunteers: int
    minutes: int
    days: int  # days checked in
    recorded: int  # days the BLO recorded attendance
    no_shows: int
    accepted: int = 0
    declined: int = 0
    expired: int = 0

    @property
    def hours(self) -> float:
        return self.minutes / 60

    @property
    def no_show_rate(self) -> float | None:
        """No-shows ÷ days with attendance recorded, in percent (None when none was recorded)."""
        return self.no_shows * 100 / self.recorded if self.recorded else None


def _hours_columns():
    return (
        func.count(func.distinct(VisitDay.volunteer_id)),
        func.coalesce(func.sum(VisitDay.minutes), 0),
        func.coalesce(func.sum(case((VisitDay.check_in_at.is_not(None), 1), else_=0)), 0),
        func.coalesce(func.sum(case((VisitDay.attendance.is_not(None), 1), else_=0)), 0),
        func.coalesce(func.sum(case((VisitDay.attendance == Attendance.NO_SHOW, 1), else_=0)), 0),
    )


def hours_by_organisation(
    day_condition: ColumnElement[bool], assignment_condition: ColumnElement[bool]
) -> list[HoursRow]:
    """Every organisation's hours, days, no-shows and offers answered: two grouped queries."""
    worked = dict(
        (row[0], row[1:])
        for row in db.session.execute(
            select(Volunteer.organisation, *_hours_columns())
            .select_from(VisitDay)
            .join(Volunteer, Volunteer.id == VisitDay.volunteer_id)
            .where(day_condition)
            .group_by(Volunteer.organisation)
        )
    )
    offers: dict[Organisation, dict[OfferStatus, int]] = {}
    for organisation, status, count in db.session.execute(
        select(Volunteer.organisation, Assignment.status, func.count(Assignment.id))
        .select_from(Assignment)
        .join(Volunteer, Volunteer.id == Assignment.volunteer_id)
        .where(assignment_condition)
        .group_by(Volunteer.organisation, Assignment.status)
    ):
        offers.setdefault(organisation, {})[status] = int(count)
    rows = []
    for organisation in Organisation:
        if organisation not in worked and organisation not in offers:
            continue
        volunteers, minutes, days, recorded, no_shows = (int(v) for v in worked.get(organisation, (0,) * 5))
        answered = offers.get(organisation, {})
        rows.append(
            HoursRow(
                organisation,
                "",
                volunteers,
                minutes,
                days,
                recorded,
                no_shows,
                answered.get(OfferStatus.ACCEPTED, 0),
                answered.get(OfferStatus.DECLINED, 0),
                answered.get(OfferStatus.EXPIRED, 0),
            )
        )
    return rows


def total_of(rows: list[HoursRow]) -> HoursRow:
    """The total row of the organisations' table (a handful of rows already grouped)."""
    return HoursRow(
        Organisation.OTHER,
        "",
        *(
            sum(getattr(row, name) for row in rows)
            for name in (
                "volunteers",
                "minutes",
                "days",
                "recorded",
                "no_shows",
                "accepted",
                "declined",
                "expired",
            )
        ),
    )


def hours_by_institution_query(day_condition: ColumnElement[bool]) -> Select:
    """Each institution's hours, days and no-shows, most hours first: one grouped select to page."""
    minutes = func.coalesce(func.sum(VisitDay.minutes), 0)
    return (
        select(Volunteer.organisation, Volunteer.institution, *_hours_columns())
        .select_from(VisitDay)
        .join(Volunteer, Volunteer.id == VisitDay.volunteer_id)
        .where(day_condition)
        .group_by(Volunteer.organisation, Volunteer.institution)
        .order_by(minutes.desc(), Volunteer.institution)
    )


def institution_row(row) -> HoursRow:
    organisation, institution, volunteers, minutes, days, recorded, no_shows = row
    return HoursRow(
        organisation, institution, int(volunteers), int(minutes), int(days), int(recorded), int(no_shows)
    )


# -- exports ------------------------------------------------------------------------------------


def volunteer_rows(volunteer_condition: ColumnElement[bool], day_condition: ColumnElement[bool]) -> list:
    """Each volunteer of the area with their hours, days, no-shows and accepted offers, by name:
    the volunteers, one grouped subquery of days and one of offers."""
    days = (
        select(
            VisitDay.volunteer_id,
            func.coalesce(func.sum(VisitDay.minutes), 0).label("minutes"),
            func.sum(case((VisitDay.check_in_at.is_not(None), 1), else_=0)).label("days"),
            func.sum(case((VisitDay.attendance == Attendance.NO_SHOW, 1), else_=0)).label("no_shows"),
        )
        .where(day_condition)
        .group_by(VisitDay.volunteer_id)
        .subquery()
    )
    accepted = (
        select(Assignment.volunteer_id, func.count(Assignment.id).label("accepted"))
        .where(Assignment.status == OfferStatus.ACCEPTED)
        .group_by(Assignment.volunteer_id)
        .subquery()
    )
    return db.session.execute(
        select(
            Volunteer,
            District.name_en,
            District.name_hi,
            func.coalesce(days.c.minutes, 0),
            func.coalesce(days.c.days, 0),
            func.coalesce(days.c.no_shows, 0),
            func.coalesce(accepted.c.accepted, 0),
        )
        .join(District, District.id == Volunteer.district_id)
        .outerjoin(days, days.c.volunteer_id == Volunteer.id)
        .outerjoin(accepted, accepted.c.volunteer_id == Volunteer.id)
        .where(volunteer_condition)
        .order_by(District.name_en, Volunteer.name, Volunteer.id)
    ).all()


def visit_day_rows(day_condition: ColumnElement[bool]) -> list:
    """Every day of every volunteer in the area, with the part, newest first."""
    return db.session.execute(
        select(VisitDay, Volunteer, Constituency.number, Part.number, Part.name_en, Part.name_hi)
        .join(Volunteer, Volunteer.id == VisitDay.volunteer_id)
        .join(Part, Part.id == VisitDay.part_id)
        .join(Constituency, Constituency.id == VisitDay.constituency_id)
        .where(day_condition)
        .order_by(VisitDay.day.desc(), Constituency.number, Part.number, Volunteer.name)
    ).all()


def volunteer_condition(scope, district: District | None, constituency: Constituency | None):
    """The volunteers a reader may list: those of their scope (the state's, a collector's district)
    and those who had an offer in it (an ERO's AC, a supervisor's parts), narrowed to a district or an AC."""
    condition = or_(
        scope.of(Volunteer), Volunteer.id.in_(select(Assignment.volunteer_id).where(scope.of(Assignment)))
    )
    if district is not None:
        condition = condition & (Volunteer.district_id == district.id)
    if constituency is not None:
        condition = condition & Volunteer.id.in_(
            select(Assignment.volunteer_id).where(Assignment.constituency_id == constituency.id)
        )
    return condition


def visit_day_condition(scope, district: District | None, constituency: Constituency | None):
    condition = scope.of(VisitDay)
    if district is not None:
        condition = condition & (VisitDay.district_id == district.id)
    if constituency is not None:
        condition = condition & (VisitDay.constituency_id == constituency.id)
    return condition
