"""Each volunteer's hours and days over a range of days: the hours page, its download and the
certificate of service are built from these.

A volunteer's hours are the minutes recorded on their days (VisitDay.minutes: from the check-in tap
to the check-out tap, capped at the district's hours a day); a day counts when they checked in.
Every function takes the condition that places the days (the reader's scope, narrowed to a district
or an AC) and answers in one grouped query, whatever the number of volunteers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.sql.elements import ColumnElement

from app.extensions import db
from app.inputs import BadArgument, bad_value_message, parse_iso_day
from app.models import Constituency, Part
from app.volunteers.models import Organisation, VisitDay, Volunteer

INSTITUTION_LENGTH = 160  # as Volunteer.institution


@dataclass(frozen=True)
class HoursChoice:
    """The days asked for (this week, Monday to today, unless chosen) and the organisation and
    institution the list is narrowed to; `week` says the days are this week's by default."""

    start: date
    end: date
    organisation: Organisation | None = None
    institution: str = ""
    week: bool = False

    @property
    def args(self) -> dict[str, str]:
        """The choice as query arguments, for the page's links, its downloads and certificates."""
        args = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        if self.organisation is not None:
            args["organisation"] = self.organisation.value
        if self.institution:
            args["institution"] = self.institution
        return args

    @property
    def range_args(self) -> dict[str, str]:
        """Only the days: a certificate is of one volunteer, whatever the list's narrowing."""
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


def this_week(today: date) -> tuple[date, date]:
    """Monday of today's week, and today."""
    return today - timedelta(days=today.weekday()), today


def _day(args: Mapping[str, str], name: str, today: date) -> date | None:
    text = (args.get(name) or "").strip()
    if not text:
        return None
    try:
        day = parse_iso_day(text)
    except ValueError:
        raise BadArgument(
            message=_(
                "“%(value)s” is not a date. The date must look like %(example)s.",
                value=text[:20],
                example=today.isoformat(),
            )
        ) from None
    if day > today:
        raise BadArgument(
            message=_("%(day)s is in the future: there are no figures for it yet.", day=day.isoformat())
        )
    return day


def read_choice(args: Mapping[str, str], today: date) -> HoursChoice:
    """?start= and ?end= (YYYY-MM-DD, not after today; this week when both are absent; without
    the start, the end's Monday; without the end, today), ?organisation= and ?institution= (a part
    of its name). A bad one raises BadArgument, answered with a 400 that says why."""
    start, end = _day(args, "start", today), _day(args, "end", today)
    week = start is None and end is None
    if end is None:
        end = today
    if start is None:
        start = this_week(end)[0]
    if end < start:
        raise BadArgument(message=_("The last day cannot come before the first."))
    text = (args.get("organisation") or "").strip()
    organisation = None
    if text:
        try:
            organisation = Organisation(text)
        except ValueError:
            raise BadArgument(message=bad_value_message("organisation", text)) from None
    institution = " ".join((args.get("institution") or "").split())[:INSTITUTION_LENGTH]
    return HoursChoice(start, end, organisation, institution, week)


# -- the queries --------------------------------------------------------------------------------


@dataclass(frozen=True)
class VolunteerHours:
    """One volunteer's days in the range: minutes worked, days checked in, parts served."""

    volunteer_id: int
    name: str
    mobile: str
    organisation: Organisation
    institution: str
    minutes: int
    days: int
    parts: int

    @property
    def hours(self) -> float:
        return self.minutes / 60


@dataclass(frozen=True)
class HoursTotal:
    volunteers: int
    minutes: int
    days: int  # volunteer-days

    @property
    def hours(self) -> float:
        return self.minutes / 60


def _days_in(day_condition: ColumnElement[bool], choice: HoursChoice) -> list[ColumnElement[bool]]:
    """The days checked in within the range, of volunteers of the organisation and institution."""
    conditions = [
        day_condition,
        VisitDay.day >= choice.start,
        VisitDay.day <= choice.end,
        VisitDay.check_in_at.is_not(None),
    ]
    if choice.organisation is not None:
        conditions.append(Volunteer.organisation == choice.organisation)
    if choice.institution:
        conditions.append(
            func.lower(Volunteer.institution).contains(choice.institution.lower(), autoescape=True)
        )
    return conditions


def per_volunteer_query(day_condition: ColumnElement[bool], choice: HoursChoice, name: str = "") -> Select:
    """Each volunteer with a day in the range: minutes, days and parts, most hours first; one
    grouped select to page (`name`: a part of the volunteer's name)."""
    minutes = func.coalesce(func.sum(VisitDay.minutes), 0)
    query = (
        select(
            Volunteer.id,
            Volunteer.name,
            Volunteer.mobile,
            Volunteer.organisation,
            Volunteer.institution,
            minutes.label("minutes"),
            func.count(func.distinct(VisitDay.day)).label("days"),
            func.count(func.distinct(VisitDay.part_id)).label("parts"),
        )
        .select_from(VisitDay)
        .join(Volunteer, Volunteer.id == VisitDay.volunteer_id)
        .where(*_days_in(day_condition, choice))
        .group_by(
            Volunteer.id, Volunteer.name, Volunteer.mobile, Volunteer.organisation, Volunteer.institution
        )
        .order_by(minutes.desc(), Volunteer.name, Volunteer.id)
    )
    if name:
        query = query.where(func.lower(Volunteer.name).contains(name.lower(), autoescape=True))
    return query


def hours_row(row) -> VolunteerHours:
    volunteer_id, name, mobile, organisation, institution, minutes, days, parts = row
    return VolunteerHours(
        volunteer_id, name, mobile, organisation, institution, int(minutes), int(days), int(parts)
    )


def hours_total(query: Select) -> HoursTotal:
    """The total of a per-volunteer select: volunteers, minutes and volunteer-days, one query."""
    rows = query.order_by(None).subquery()
    volunteers, minutes, days = db.session.execute(
        select(
            func.count(), func.coalesce(func.sum(rows.c.minutes), 0), func.coalesce(func.sum(rows.c.days), 0)
        )
    ).one()
    return HoursTotal(int(volunteers), int(minutes), int(days))


def hours_of(
    volunteer_id: int, day_condition: ColumnElement[bool], choice: HoursChoice
) -> VolunteerHours | None:
    """One volunteer's row in the range (None without a day checked in)."""
    row = db.session.execute(
        per_volunteer_query(day_condition, choice).where(Volunteer.id == volunteer_id)
    ).first()
    return None if row is None else hours_row(row)


@dataclass(frozen=True)
class PartServed:
    ac_number: int
    part_number: int
    name_en: str
    name_hi: str
    days: int
    minutes: int
    first: date
    last: date

    @property
    def hours(self) -> float:
        return self.minutes / 60

    def name(self, lang: str) -> str:
        return self.name_hi if lang == "hi" else self.name_en


def parts_served(
    volunteer_id: int, day_condition: ColumnElement[bool], choice: HoursChoice
) -> list[PartServed]:
    """The parts where the volunteer checked in within the range, by AC and part number, each with
    its days, minutes and first and last day: one grouped query."""
    rows = db.session.execute(
        select(
            Constituency.number,
            Part.number,
            Part.name_en,
            Part.name_hi,
            func.count(func.distinct(VisitDay.day)),
            func.coalesce(func.sum(VisitDay.minutes), 0),
            func.min(VisitDay.day),
            func.max(VisitDay.day),
        )
        .select_from(VisitDay)
        .join(Volunteer, Volunteer.id == VisitDay.volunteer_id)
        .join(Part, Part.id == VisitDay.part_id)
        .join(Constituency, Constituency.id == Part.constituency_id)
        .where(VisitDay.volunteer_id == volunteer_id, *_days_in(day_condition, choice))
        .group_by(Part.id, Constituency.number, Part.number, Part.name_en, Part.name_hi)
        .order_by(Constituency.number, Part.number)
    ).all()
    return [
        PartServed(ac, number, name_en, name_hi, int(days), int(minutes), first, last)
        for ac, number, name_en, name_hi, days, minutes, first, last in rows
    ]
