"""The need board's figures: which parts need help most, and which volunteers are nearest each.

No request here: the route reads the query string and the scope, then asks these. Whatever the
number of parts, the ranking costs a handful of grouped queries (the parts, their latest reports
on the day and three days before, their open difficulties, the helpers holding offers there) and
the suggestions one more (the district's volunteers with their windows and the day's holding
offers), matched per part in numpy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from app.difficulties.models import ACTIVE, Difficulty
from app.extensions import db
from app.figures.models import DailyReport
from app.figures.rows import PartLine
from app.models import Campaign, Constituency, Part
from app.volunteers import matching, rules
from app.volunteers.models import (
    HOLDING,
    Assignment,
    AvailabilityWindow,
    Organisation,
    Volunteer,
    VolunteerStatus,
)
from app.volunteers.services import Limits, holding_on

RECENT_DAYS = 3  # the recent pace: forms digitized per day over these last days
SUGGESTIONS = 10
DEFAULT_HOURS = (time(9, 0), time(17, 0))


@dataclass(frozen=True)
class Slot:
    """The day and hours the board checks volunteers against (the offer's, or 09:00 to 17:00)."""

    day: date
    start_time: time = DEFAULT_HOURS[0]
    end_time: time = DEFAULT_HOURS[1]

    @property
    def hours(self) -> float:
        return rules.minutes_between(self.start_time, self.end_time) / 60


@dataclass(frozen=True)
class Helper:
    """A suggested volunteer, as the board shows them (the mobile only to those who may see it)."""

    id: int
    name: str
    organisation: Organisation
    institution: str
    mobile: str
    km: float


@dataclass
class NeedRow:
    part_id: int
    ac_number: int
    part_number: int
    located: bool  # the part has a location on the map
    electors: int
    digitized: int | None  # None: never reported
    last_report_date: date | None
    recent_pace: float  # forms a day over the last RECENT_DAYS days
    days_without_report: int
    open_difficulties: int
    helpers: int  # volunteers holding an offer or assignment there on the day
    need: rules.Need
    line: PartLine | None = None  # the part with its BLO: read by `with_lines` for the rows shown
    suggestions: list[Helper] = field(default_factory=list)
    left_out: dict[matching.LeftOut, int] = field(default_factory=dict)

    @property
    def part(self) -> Part:
        return self.line.part


# -- the ranking ----------------------------------------------------------------------------------


def digitized_as_of(
    day: date, earlier_day: date, part_condition: ColumnElement[bool]
) -> dict[int, tuple[int, date, int | None]]:
    """Each part's digitized and report day as of `day`, and its digitized as of `earlier_day`
    (None without a report by then): one grouped query over the reports."""
    latest = (
        select(
            DailyReport.part_id,
            func.max(DailyReport.report_date).label("day"),
            func.max(case((DailyReport.report_date <= earlier_day, DailyReport.report_date))).label(
                "earlier"
            ),
        )
        .join(Part, Part.id == DailyReport.part_id)
        .where(part_condition, DailyReport.report_date <= day)
        .group_by(DailyReport.part_id)
        .subquery()
    )
    now, before = aliased(DailyReport), aliased(DailyReport)
    stmt = (
        select(latest.c.part_id, now.digitized, now.report_date, before.digitized)
        .join(now, and_(now.part_id == latest.c.part_id, now.report_date == latest.c.day))
        .outerjoin(before, and_(before.part_id == latest.c.part_id, before.report_date == latest.c.earlier))
    )
    return {part_id: rest for part_id, *rest in db.session.execute(stmt)}


def open_difficulties(part_condition: ColumnElement[bool]) -> dict[int, int]:
    """Open (active) difficulties per part: one grouped query."""
    stmt = (
        select(Difficulty.part_id, func.count(Difficulty.id))
        .join(Part, Part.id == Difficulty.part_id)
        .where(part_condition, Difficulty.status.in_(ACTIVE))
        .group_by(Difficulty.part_id)
    )
    return dict(db.session.execute(stmt).all())


def days_without_report(day: date, last_report: date | None, campaign: Campaign | None) -> int:
    """Whole days before `day` since the last report (today's report may still come)."""
    if last_report is not None:
        return max((day - last_report).days - 1, 0)
    if campaign is None:
        return 0
    return max((day - campaign.enumeration_start).days, 0)


def days_left(day: date, campaign: Campaign | None) -> int:
    """Days to the end of enumeration, counting `day` itself; at least 1."""
    if campaign is None:
        return 1
    return max((campaign.enumeration_end - day).days + 1, 1)


def ranked_parts(part_condition: ColumnElement[bool], day: date, campaign: Campaign | None) -> list[NeedRow]:
    """The parts in `part_condition` that need help, the neediest first (ties by AC and part).

    Ranked over light rows (no Part objects): `with_lines` then reads the parts of the rows shown."""
    parts = db.session.execute(
        select(Part.id, Constituency.number, Part.number, Part.electors, Part.lat, Part.lon)
        .join(Constituency, Part.constituency_id == Constituency.id)
        .where(part_condition)
        .order_by(Constituency.number, Part.number)
    ).all()
    figures = digitized_as_of(day, day - timedelta(days=RECENT_DAYS), part_condition)
    troubles = open_difficulties(part_condition)
    helpers = holding_on([part[0] for part in parts], day)
    left = days_left(day, campaign)
    rows = []
    for part_id, ac_number, part_number, electors, lat, lon in parts:
        digitized, last_report, earlier = figures.get(part_id, (None, None, None))
        recent_pace = max((digitized or 0) - (earlier or 0), 0) / RECENT_DAYS
        silent = days_without_report(day, last_report, campaign)
        troubled, helping = troubles.get(part_id, 0), helpers.get(part_id, 0)
        need = rules.need(
            rules.NeedInput(
                electors=electors,
                digitized=digitized,
                recent_pace=recent_pace,
                days_left=left,
                days_without_report=silent,
                open_difficulties=troubled,
                helpers=helping,
            )
        )
        if need.score <= 0:
            continue  # nothing left to do there
        rows.append(
            NeedRow(
                part_id=part_id,
                ac_number=ac_number,
                part_number=part_number,
                located=lat is not None and lon is not None,
                electors=electors,
                digitized=digitized,
                last_report_date=last_report,
                recent_pace=recent_pace,
                days_without_report=silent,
                open_difficulties=troubled,
                helpers=helping,
                need=need,
            )
        )
    rows.sort(key=lambda r: (-r.need.score, r.ac_number, r.part_number))
    return rows


# -- the volunteers nearest each part -------------------------------------------------------------


@dataclass(frozen=True)
class Pool:
    """A district's volunteers as matching candidates."""

    district_id: int
    candidates: matching.Candidates


def pool(district_id: int, slot: Slot, limits: Limits) -> Pool:
    """The district's approved volunteers, each with whether a window covers the slot and the
    offers they hold that day: one query (a volunteer holding two offers that day comes twice)."""
    window = exists().where(
        AvailabilityWindow.volunteer_id == Volunteer.id,
        AvailabilityWindow.starts_on <= slot.day,
        AvailabilityWindow.ends_on >= slot.day,
        AvailabilityWindow.start_time < slot.end_time,
        AvailabilityWindow.end_time > slot.start_time,
    )
    stmt = (
        select(
            Volunteer.id,
            Volunteer.lat,
            Volunteer.lon,
            window.label("available"),
            Assignment.start_time,
            Assignment.end_time,
        )
        .outerjoin(
            Assignment,
            and_(
                Assignment.volunteer_id == Volunteer.id,
                Assignment.status.in_(HOLDING),
                Assignment.starts_on <= slot.day,
                Assignment.ends_on >= slot.day,
            ),
        )
        .where(Volunteer.district_id == district_id, Volunteer.status == VolunteerStatus.APPROVED)
        .order_by(Volunteer.id)
    )
    found: dict[int, list] = {}  # id: [lat, lon, available, busy, minutes held]
    for row in db.session.execute(stmt):
        entry = found.get(row.id)
        if entry is None:
            entry = found[row.id] = [row.lat, row.lon, bool(row.available), False, 0]
        if row.start_time is not None:
            entry[3] = entry[3] or rules.overlaps(
                (slot.day, slot.day),
                (slot.start_time, slot.end_time),
                (slot.day, slot.day),
                (row.start_time, row.end_time),
            )
            entry[4] += rules.minutes_between(row.start_time, row.end_time)
    cap_minutes = limits.daily_hour_cap * 60
    slot_minutes = rules.minutes_between(slot.start_time, slot.end_time)
    candidates = matching.Candidates.of(
        (volunteer_id, lat, lon, available, busy, held + slot_minutes > cap_minutes)
        for volunteer_id, (lat, lon, available, busy, held) in found.items()
    )
    return Pool(district_id, candidates)


def suggest(rows: list[NeedRow], volunteers: Pool, k: int = SUGGESTIONS) -> None:
    """Fill each row's nearest volunteers and who was left out, matched in numpy; then one query
    reads the names and numbers of those suggested, whatever the number of rows."""
    matches = {}
    for row in rows:
        if row.located:  # otherwise the board says the part has no location
            matches[row.part_id] = matching.nearest(row.part.lat, row.part.lon, volunteers.candidates, k=k)
    wanted = {s.volunteer_id for match in matches.values() for s in match.suggestions}
    people = {}
    if wanted:
        stmt = select(
            Volunteer.id, Volunteer.name, Volunteer.organisation, Volunteer.institution, Volunteer.mobile
        ).where(Volunteer.id.in_(wanted), Volunteer.district_id == volunteers.district_id)
        people = {row.id: tuple(row)[1:] for row in db.session.execute(stmt)}
    for row in rows:
        match = matches.get(row.part_id)
        if match is None:
            continue
        row.suggestions = [
            Helper(s.volunteer_id, *people[s.volunteer_id], km=s.km)
            for s in match.suggestions
            if s.volunteer_id in people
        ]
        row.left_out = match.left_out
