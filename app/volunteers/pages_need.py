"""The read side of the officers' screens: the need board with its nearest volunteers, one offer,
the offers sent with their time left, and a district's limits. Each screen's context is built
from the scope and plain arguments (the list controls already read); nothing here reads the request.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from flask import abort, current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.sql.elements import ColumnElement

from app.campaign.clock import campaign_today
from app.extensions import db
from app.figures.selects import with_lines
from app.inputs import BadArgument, parse_iso_day
from app.lists import ListForm
from app.models import Constituency, District, Part, Role
from app.scope import Scope
from app.timeutil import utcnow
from app.volunteers import matching, needs, services
from app.volunteers.labels import STATUS_FILTERS
from app.volunteers.models import HOLDING, Assignment, OfferStatus, Task, Volunteer

BOARD_PAGE_SIZE = 20
# Suggestions shown per part until its "Show all" is asked for (the board stays light on a phone).
SHOWN_SUGGESTIONS = 3
# The district's limits the collector sets, each with its bounds.
SETTING_RANGES = {
    "max_per_part": (1, 20),
    "offer_expiry_hours": (1, 168),
    "daily_hour_cap": (1, 12),
}


# -- places and privacy ---------------------------------------------------------------------------


def board_district(scope: Scope) -> District:
    """The district whose volunteers the reader works with: the collector's, or the ERO's AC's."""
    user = scope.user
    if user.role == Role.COLLECTOR and user.district_id is not None:
        return scope.require_district(user.district_id)
    if user.role == Role.ERO and user.constituency_id is not None:
        constituency = scope.require_constituency(user.constituency_id)
        return db.session.get(District, constituency.district_id)
    abort(403)


def volunteers_of(district: District) -> ColumnElement[bool]:
    """The volunteers an officer works with: those of the district `board_district` gave."""
    return Volunteer.district_id == district.id


def sees_phones(scope: Scope, district_id: int) -> bool:
    """A volunteer's mobile is for the collector and the EROs of the volunteer's district only."""
    user = scope.user
    if user.role == Role.COLLECTOR:
        return user.district_id == district_id
    if user.role == Role.ERO and user.constituency_id is not None:
        return (
            db.session.scalar(select(Constituency.district_id).where(Constituency.id == user.constituency_id))
            == district_id
        )
    return False


def ac_number(constituency_id: int) -> int | None:
    return db.session.scalar(select(Constituency.number).where(Constituency.id == constituency_id))


def board_volunteer(scope: Scope, volunteer_id: int) -> Volunteer:
    """A volunteer of the reader's district: 404 when there is none, 403 when they are another's."""
    volunteer = db.session.scalar(
        select(Volunteer).where(Volunteer.id == volunteer_id, volunteers_of(board_district(scope)))
    )
    if volunteer is None:
        abort(404 if db.session.get(Volunteer, volunteer_id) is None else 403)
    return volunteer


def ticked_pairs(
    scope: Scope, district: District, pairs: list[tuple[int, int]]
) -> list[tuple[Volunteer, Part]] | None:
    """The ticked (volunteer, part) pairs, each the reader's to offer; None when one is not."""
    parts = {
        p.id: p
        for p in db.session.scalars(
            select(Part).where(Part.id.in_({p for _v, p in pairs}), scope.part_filter())
        )
    }
    people = {
        v.id: v
        for v in db.session.scalars(
            select(Volunteer).where(Volunteer.id.in_({v for v, _p in pairs}), volunteers_of(district))
        )
    }
    if any(part_id not in parts or volunteer_id not in people for volunteer_id, part_id in pairs):
        return None
    return [(people[v], parts[p]) for v, p in pairs]


# -- the hours asked for --------------------------------------------------------------------------

_TIME = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]", re.ASCII)


def time_of_day(text: str | None) -> time | None:
    """A time of day typed as 09:30; None when it is not one."""
    text = (text or "").strip()
    return time.fromisoformat(text) if _TIME.fullmatch(text) else None


def read_day(text: str | None) -> date | None:
    """A day typed as 2025-11-20; None when it is not one."""
    try:
        return parse_iso_day(text or "")
    except ValueError:
        return None


def slot_hours(args) -> tuple[time, time]:
    """The hours the board checks (the query string's, else 09:00 to 17:00): a bad one is a 400."""
    hours = []
    for name, default in zip(("start_time", "end_time"), needs.DEFAULT_HOURS, strict=True):
        text = (args.get(name) or "").strip()
        if not text:
            hours.append(default)
            continue
        value = time_of_day(text)
        if value is None:
            raise BadArgument(message=_("“%(value)s” is not a time. Write it like 09:30.", value=text[:20]))
        hours.append(value)
    if hours[1] <= hours[0]:
        raise BadArgument(message=_("The hours must end after they start."))
    return hours[0], hours[1]


def offer_defaults(day: date, today: date, start: time, end: time) -> dict:
    """An offer's fields before anything is typed: the day asked for (not before today), its hours."""
    first = max(day, today)
    return {
        "starts_on": first.isoformat(),
        "ends_on": first.isoformat(),
        "start_time": start.strftime("%H:%M"),
        "end_time": end.strftime("%H:%M"),
        "note": "",
        "tasks": [Task.FORM_FILLING.value],
    }


# -- the need board -------------------------------------------------------------------------------


def opened_parts(args) -> frozenset[int]:
    """The parts whose every suggestion is asked for (`all=<part id>` in the query string)."""
    return frozenset(int(value) for value in args.getlist("all") if value.isascii() and value.isdigit())


def _shown_suggestions(rows, opened: frozenset[int], ticked) -> dict[int, int]:
    """How many of each part's suggestions the board shows: SHOWN_SUGGESTIONS, or all of them when
    asked for or when one further down is ticked (a refused offer keeps what was ticked in view)."""
    ticked_parts = {pair.partition(":")[2] for pair in ticked}
    return {
        row.part_id: len(row.suggestions)
        if row.part_id in opened or str(row.part_id) in ticked_parts
        else SHOWN_SUGGESTIONS
        for row in rows
    }


def _board_args(form: ListForm, start: time, end: time) -> dict:
    args = {**form.narrowing}
    if form.date.data:
        args["date"] = form.day.isoformat()
    if (start, end) != needs.DEFAULT_HOURS:
        args["start_time"], args["end_time"] = start.strftime("%H:%M"), end.strftime("%H:%M")
    return args


def board_context(
    scope: Scope,
    form: ListForm,
    hours: tuple[time, time],
    message=None,
    level="success",
    errors=None,
    sent=None,
    ticked=(),
    opened: frozenset[int] = frozenset(),
) -> dict:
    """The parts that need help most on the day asked for, each with its nearest free volunteers
    (the first SHOWN_SUGGESTIONS of them unless the part is `opened`)."""
    today = campaign_today()
    district = board_district(scope)
    start, end = hours
    slot = needs.Slot(form.day, start, end)
    limits = services.limits_for(district.id)
    condition = scope.part_filter()
    for extra in form.part_conditions():
        condition = condition & extra
    ranked = needs.ranked_parts(condition, form.day, form.campaign)
    pages = form.paginate_list(ranked, BOARD_PAGE_SIZE)
    needs.suggest(with_lines(pages.items), needs.pool(district.id, slot, limits))
    return {
        "pages": pages,
        "rows": pages.items,
        "district": district,
        "constituencies": _constituencies(scope),
        "narrowing": form.narrowing,
        "args": _board_args(form, start, end),
        "slot": slot,
        "day": form.day,
        "today": today,
        "limits": limits,
        "show_phones": sees_phones(scope, district.id),
        "offer_url": url_for(
            "volunteers.offer",
            date=form.day.isoformat(),
            start_time=start.strftime("%H:%M"),
            end_time=end.strftime("%H:%M"),
        ),
        "left_out_order": matching.REASON_ORDER,
        "tasks": list(Task),
        "sent": sent or offer_defaults(form.day, today, start, end),
        "ticked": set(ticked),
        "shown": _shown_suggestions(pages.items, opened, ticked),
        "errors": errors or {},
        "message": message,
        "message_level": level,
    }


def _constituencies(scope: Scope) -> list[Constituency]:
    """The ACs a collector may narrow the list to (an ERO has one)."""
    if scope.role != Role.COLLECTOR:
        return []
    return db.session.scalars(scope.constituencies().order_by(Constituency.number)).all()


# -- one offer ------------------------------------------------------------------------------------


def offer_context(scope: Scope, part: Part, volunteer: Volunteer, sent: dict, errors=None, message=None):
    distance = None
    if None not in (part.lat, part.lon, volunteer.lat, volunteer.lon):
        distance = matching.geodesic_km((part.lat, part.lon), (volunteer.lat, volunteer.lon))
    return {
        "part": part,
        "ac_number": ac_number(part.constituency_id),
        "volunteer": volunteer,
        "distance": distance,
        "show_phones": sees_phones(scope, volunteer.district_id),
        "limits": services.limits_for(part.district_id),
        "tasks": list(Task),
        "sent": sent,
        "errors": errors or {},
        "message": message,
    }


# -- the offers sent ------------------------------------------------------------------------------


def time_left(assignment: Assignment, now: datetime) -> timedelta | None:
    """How long an unanswered offer has before it expires; None once it is answered."""
    if assignment.status != OfferStatus.OFFERED:
        return None
    return max(assignment.expires_at - now, timedelta(0))


def _offers_query(scope: Scope, form: ListForm):
    chosen = form.filter_by
    stmt = (
        select(
            Assignment,
            Volunteer.name.label("volunteer_name"),
            Volunteer.mobile.label("volunteer_mobile"),
            Volunteer.district_id.label("volunteer_district_id"),
            Constituency.number.label("ac_number"),
            Part.number.label("part_number"),
        )
        .join(Volunteer, Volunteer.id == Assignment.volunteer_id)
        .join(Part, Part.id == Assignment.part_id)
        .join(Constituency, Constituency.id == Assignment.constituency_id)
        .where(scope.of(Assignment))
        .order_by(Assignment.offered_at.desc(), Assignment.id.desc())
    )
    if chosen == "holding":
        stmt = stmt.where(Assignment.status.in_(HOLDING))
    elif chosen != "all":
        stmt = stmt.where(Assignment.status == OfferStatus(chosen))
    if form.constituency is not None:
        stmt = stmt.where(Assignment.constituency_id == form.constituency.id)
    return stmt


def offers_context(scope: Scope, form: ListForm, message=None, level="success") -> dict:
    """The offers sent in the reader's area, newest first, filtered by status, with their time left."""
    district = board_district(scope)
    pages = form.paginate(_offers_query(scope, form), current_app.config["PAGE_SIZE"])
    now = utcnow()
    return {
        "pages": pages,
        "rows": [(row, time_left(row.Assignment, now)) for row in pages.items],
        "filters": STATUS_FILTERS,
        "chosen": form.filter_by,
        "constituencies": _constituencies(scope),
        "narrowing": form.narrowing,
        "args": {**form.narrowing, "filter": form.filter_by},
        "show_phones": sees_phones(scope, district.id),
        "holding": HOLDING,
        "message": message,
        "message_level": level,
    }


# -- a district's limits --------------------------------------------------------------------------


def settings_context(district: District, sent: dict | None = None, errors=None, message=None) -> dict:
    """The district's limits as saved (or as typed, when refused), with their bounds."""
    if sent is None:
        limits = services.limits_for(district.id)
        sent = {name: getattr(limits, name) for name in SETTING_RANGES}
    return {
        "district": district,
        "ranges": SETTING_RANGES,
        "errors": errors or {},
        "message": message,
        "sent": sent,
    }
