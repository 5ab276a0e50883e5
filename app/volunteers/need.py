"""The officers' side of volunteering: the need board with its nearest volunteers, offers one by one
or in bulk, the offers sent and their time left, cancelling one, and a district's limits."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from flask import abort, current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.sql.elements import ColumnElement

from app import audit, idempotency
from app.access import allow
from app.campaign.clock import campaign_today
from app.campaign.services import current_campaign
from app.extensions import db
from app.figures.selects import with_lines
from app.formatting import lang, number
from app.htmx import is_partial, redirect_to, render
from app.inputs import BadArgument, parse_iso_day, parse_whole_number
from app.lists import ListForm
from app.models import Constituency, District, Part, Role
from app.scope import Scope, current_scope
from app.timeutil import utcnow
from app.volunteers import bp, matching, needs, services
from app.volunteers.models import (
    HOLDING,
    Assignment,
    OfferStatus,
    Organisation,
    Task,
    Volunteer,
    VolunteerSettings,
)
from app.volunteers.services import NotAllowed, OfferInput, VersionConflict, VolunteerError

BOARD_OFFICERS = (Role.COLLECTOR, Role.ERO)
BOARD_PAGE_SIZE = 20

TASK_LABELS = {
    Task.AWARENESS: _l("Awareness"),
    Task.FORM_FILLING: _l("Helping electors fill forms"),
    Task.OLD_ROLL_SEARCH: _l("Searching the old roll"),
    Task.HELP_DESK: _l("Help desk"),
    Task.DATA_ENTRY: _l("Data entry under the BLO's supervision"),
}
ORGANISATION_LABELS = {
    Organisation.NSS: _l("NSS"),
    Organisation.NCC: _l("NCC"),
    Organisation.COLLEGE: _l("College"),
    Organisation.GOVERNMENT: _l("Government staff"),
    Organisation.PANCHAYAT: _l("Panchayat"),
    Organisation.OTHER: _l("Other"),
}
OFFER_STATUS_LABELS = {
    OfferStatus.OFFERED: _l("Offered, waiting for an answer"),
    OfferStatus.ACCEPTED: _l("Accepted"),
    OfferStatus.DECLINED: _l("Declined"),
    OfferStatus.EXPIRED: _l("Expired"),
    OfferStatus.CANCELLED: _l("Cancelled"),
}
LEFT_OUT_LABELS = {
    matching.LeftOut.NO_LOCATION: _l("no home location"),
    matching.LeftOut.NOT_AVAILABLE: _l("not available then"),
    matching.LeftOut.BUSY: _l("busy then"),
    matching.LeftOut.AT_CAP: _l("at the hour cap"),
    matching.LeftOut.TOO_FAR: _l("too far"),
}
STATUS_FILTERS = ("holding", "offered", "accepted", "declined", "expired", "cancelled", "all")
STATUS_FILTER_LABELS = {
    "holding": _l("Offered or accepted"),
    "all": _l("All"),
    **{status.value: text for status, text in OFFER_STATUS_LABELS.items()},
}


def _label_filter(table: dict):
    by_value = {getattr(key, "value", key): text for key, text in table.items()}

    def label(value) -> str:
        return str(by_value.get(getattr(value, "value", value), value))

    return label


for _name, _table in (
    ("volunteer_task", TASK_LABELS),
    ("volunteer_organisation", ORGANISATION_LABELS),
    ("offer_status", OFFER_STATUS_LABELS),
    ("left_out", LEFT_OUT_LABELS),
    ("offer_filter", STATUS_FILTER_LABELS),
):
    bp.add_app_template_filter(_label_filter(_table), _name)


@bp.app_template_filter("km")
def km(value: float | None) -> str:
    """Kilometres with one decimal, in the reader's number format."""
    if value is None:
        return "—"
    return _("%(km)s km", km=_one_decimal(value))


def _one_decimal(value: float) -> str:
    whole, tenth = divmod(round(value * 10), 10)
    return f"{number(whole)}.{tenth}"


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


# -- reading what was typed -----------------------------------------------------------------------

_TIME = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]", re.ASCII)


def _time(text: str | None) -> time | None:
    text = (text or "").strip()
    return time.fromisoformat(text) if _TIME.fullmatch(text) else None


def _day(text: str | None) -> date | None:
    try:
        return parse_iso_day(text or "")
    except ValueError:
        return None


def _whole_number(text: str | None, minimum: int = 1) -> int | None:
    try:
        return parse_whole_number(text or "", minimum)
    except ValueError:
        return None


def _slot_hours(args) -> tuple[time, time]:
    """The hours the board checks (its query string's, else 09:00 to 17:00): a bad one is a 400."""
    hours = []
    for name, default in zip(("start_time", "end_time"), needs.DEFAULT_HOURS, strict=True):
        text = (args.get(name) or "").strip()
        if not text:
            hours.append(default)
            continue
        value = _time(text)
        if value is None:
            raise BadArgument(message=_("“%(value)s” is not a time. Write it like 09:30.", value=text[:20]))
        hours.append(value)
    if hours[1] <= hours[0]:
        raise BadArgument(message=_("The hours must end after they start."))
    return hours[0], hours[1]


def _offer_input(form) -> OfferInput:
    return OfferInput(
        starts_on=_day(form.get("starts_on")),
        ends_on=_day(form.get("ends_on")),
        start_time=_time(form.get("start_time")),
        end_time=_time(form.get("end_time")),
        tasks=tuple(form.getlist("tasks")),
        note=(form.get("note") or "").strip(),
    )


def _sent(form) -> dict:
    """What was typed, to fill the form again beside its messages."""
    return {
        **{
            name: (form.get(name) or "").strip()
            for name in ("starts_on", "ends_on", "start_time", "end_time")
        },
        "note": form.get("note") or "",
        "tasks": form.getlist("tasks"),
    }


def _offer_defaults(day: date, today: date, start: time, end: time) -> dict:
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


def _board_context(scope: Scope, message=None, level="success", errors=None, sent=None, ticked=()) -> dict:
    today = campaign_today()
    campaign = current_campaign()
    form = ListForm.read(scope=scope, today=today, campaign=campaign)
    district = board_district(scope)
    start, end = _slot_hours(request.args)
    slot = needs.Slot(form.day, start, end)
    limits = services.limits_for(district.id)
    condition = scope.part_filter()
    for extra in form.part_conditions():
        condition = condition & extra
    ranked = needs.ranked_parts(condition, form.day, campaign)
    pages = form.paginate_list(ranked, BOARD_PAGE_SIZE)
    needs.suggest(with_lines(pages.items), needs.pool(district.id, slot, limits))
    constituencies = []
    if scope.role == Role.COLLECTOR:
        constituencies = db.session.scalars(scope.constituencies().order_by(Constituency.number)).all()
    args = {**form.narrowing}
    if form.date.data:
        args["date"] = form.day.isoformat()
    if (start, end) != needs.DEFAULT_HOURS:
        args["start_time"], args["end_time"] = start.strftime("%H:%M"), end.strftime("%H:%M")
    return {
        "pages": pages,
        "rows": pages.items,
        "district": district,
        "constituencies": constituencies,
        "narrowing": form.narrowing,
        "args": args,
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
        "sent": sent or _offer_defaults(form.day, today, start, end),
        "ticked": set(ticked),
        "errors": errors or {},
        "message": message,
        "message_level": level,
    }


@bp.route("/need")
@allow(BOARD_OFFICERS)
def need():
    """The parts that need help most, each with why and with its nearest free volunteers."""
    return render("volunteers/need.html", block="rows", **_board_context(current_scope()))


def _pairs(values: list[str]) -> list[tuple[int, int]] | None:
    """The ticked suggestions, each "volunteer_id:part_id"; None when one is not of that form."""
    pairs = []
    for value in values:
        volunteer_id, _sep, part_id = value.partition(":")
        volunteer, part = _whole_number(volunteer_id), _whole_number(part_id)
        if volunteer is None or part is None:
            return None
        if (volunteer, part) not in pairs:
            pairs.append((volunteer, part))
    return pairs


@bp.route("/offers", methods=["POST"])
@allow(BOARD_OFFICERS)
def offer_bulk():
    """Offer every ticked volunteer their part, on the same days and hours: all of them or none."""
    scope = current_scope()
    district = board_district(scope)
    values = request.form.getlist("pair")
    pairs = _pairs(values)
    sent = _sent(request.form)
    status, errors, problem = 422, {}, None
    if not pairs:
        problem = (
            _("Tick the volunteers to offer.") if pairs is not None else _("That choice is not on the board.")
        )
    else:
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
            status, problem = 403, _("Some of the ticked volunteers or parts are not yours to offer.")
        else:
            try:
                made = services.offer_many(
                    scope.user,
                    [(people[v], parts[p]) for v, p in pairs],
                    _offer_input(request.form),
                    utcnow(),
                    campaign_today(),
                )
            except VolunteerError as error:
                status, errors = error.status, error.errors
    if problem or errors:
        db.session.rollback()
        message = " ".join([_("No offer was sent."), *([problem] if problem else []), *errors.values()])
        idempotency.refusal(" ".join([*([problem] if problem else []), *errors.values()]))
        context = _board_context(scope, message, "error", errors, sent, values)
        if is_partial():
            return render("volunteers/need.html", block="rows", status=status, **context)
        return render("volunteers/need.html", status=status, **context)
    db.session.commit()
    message = _("%(count)s offers sent. Each counts once the volunteer accepts it.", count=number(len(made)))
    if is_partial():
        return render("volunteers/need.html", block="rows", **_board_context(scope, message))
    flash(message, "success")
    return redirect_to(url_for("volunteers.need", **request.args))


def _required_id(name: str) -> int:
    text = request.args.get(name) or request.form.get(name) or ""
    value = _whole_number(text)
    if value is None:
        raise BadArgument(name, text)
    return value


def _offer_context(scope: Scope, part: Part, volunteer: Volunteer, sent: dict, errors=None, message=None):
    distance = None
    if None not in (part.lat, part.lon, volunteer.lat, volunteer.lon):
        distance = matching.geodesic_km((part.lat, part.lon), (volunteer.lat, volunteer.lon))
    return {
        "part": part,
        "ac_number": db.session.scalar(
            select(Constituency.number).where(Constituency.id == part.constituency_id)
        ),
        "volunteer": volunteer,
        "distance": distance,
        "show_phones": sees_phones(scope, volunteer.district_id),
        "limits": services.limits_for(part.district_id),
        "tasks": list(Task),
        "sent": sent,
        "errors": errors or {},
        "message": message,
    }


@bp.route("/offer", methods=["GET", "POST"])
@allow(BOARD_OFFICERS)
def offer():
    """Offer one volunteer one part's days and hours, and the tasks they may do there."""
    scope = current_scope()
    part = scope.require_part(_required_id("part_id"))
    volunteer_id = _required_id("volunteer_id")
    volunteer = db.session.scalar(
        select(Volunteer).where(Volunteer.id == volunteer_id, volunteers_of(board_district(scope)))
    )
    if volunteer is None:
        abort(404 if db.session.get(Volunteer, volunteer_id) is None else 403)
    if request.method == "GET":
        start, end = _slot_hours(request.args)
        day = _day(request.args.get("date")) or campaign_today()
        sent = _offer_defaults(day, campaign_today(), start, end)
        return render("volunteers/offer.html", block="offer", **_offer_context(scope, part, volunteer, sent))
    try:
        made = services.offer(
            scope.user, volunteer, part, _offer_input(request.form), utcnow(), campaign_today()
        )
    except VolunteerError as error:
        db.session.rollback()
        idempotency.refusal(" ".join(error.errors.values()))
        context = _offer_context(
            scope,
            part,
            volunteer,
            _sent(request.form),
            error.errors,
            _("Nothing was sent: see the messages below."),
        )
        return render("volunteers/offer.html", block="offer", status=error.status, **context)
    db.session.commit()
    ac_number = db.session.scalar(select(Constituency.number).where(Constituency.id == made.constituency_id))
    message = _(
        "Offer sent to %(name)s for part %(ac)s-%(part)s. It counts once they accept it.",
        name=volunteer.name,
        ac=ac_number,
        part=part.number,
    )
    flash(message, "success")
    return redirect_to(url_for("volunteers.offers"))


# -- the offers sent ------------------------------------------------------------------------------


def time_left(assignment: Assignment, now: datetime) -> timedelta | None:
    """How long an unanswered offer has before it expires; None once it is answered."""
    if assignment.status != OfferStatus.OFFERED:
        return None
    return max(assignment.expires_at - now, timedelta(0))


def _offers_context(scope: Scope, message=None, level="success") -> dict:
    form = ListForm.read(scope=scope, filters=STATUS_FILTERS)
    district = board_district(scope)
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
    pages = form.paginate(stmt, current_app.config["PAGE_SIZE"])
    now = utcnow()
    constituencies = []
    if scope.role == Role.COLLECTOR:
        constituencies = db.session.scalars(scope.constituencies().order_by(Constituency.number)).all()
    args = {**form.narrowing, "filter": chosen}
    return {
        "pages": pages,
        "rows": [(row, time_left(row.Assignment, now)) for row in pages.items],
        "filters": STATUS_FILTERS,
        "chosen": chosen,
        "constituencies": constituencies,
        "narrowing": form.narrowing,
        "args": args,
        "show_phones": sees_phones(scope, district.id),
        "holding": HOLDING,
        "message": message,
        "message_level": level,
    }


@bp.route("/offers/list")
@allow(BOARD_OFFICERS)
def offers():
    return render("volunteers/offers.html", block="offer_rows", **_offers_context(current_scope()))


@bp.route("/offers/<int:assignment_id>/cancel", methods=["POST"])
@allow(BOARD_OFFICERS)
def cancel(assignment_id: int):
    """Withdraw an offer, or an accepted assignment: the volunteer's time and the part's place free up."""
    scope = current_scope()
    assignment = scope.require(Assignment, assignment_id)
    version = _whole_number(request.form.get("version"))
    status, message = 200, None
    if version is None:
        status, message = 422, _("This form has lost track of the offer's version: open the list again.")
    else:
        try:
            services.cancel(scope.user, assignment, version)
            db.session.commit()
        except VersionConflict:
            status = 409
            message = _("Someone changed this offer a moment ago; here is what it is now. Nothing was saved.")
        except NotAllowed:
            status = 409
            message = _(
                "This offer is no longer open: it was answered, expired or cancelled. Nothing was saved."
            )
    if status != 200:
        db.session.rollback()
        return render(
            "volunteers/offers.html",
            block="offer_rows",
            status=status,
            **_offers_context(scope, message, "error"),
        )
    done = _("The offer to %(name)s is cancelled.", name=assignment.volunteer.name)
    if is_partial():
        return render("volunteers/offers.html", block="offer_rows", **_offers_context(scope, done))
    flash(done, "success")
    return redirect_to(url_for("volunteers.offers", **request.args))


# -- a district's limits --------------------------------------------------------------------------

SETTING_RANGES = {
    "max_per_part": (1, 20),
    "offer_expiry_hours": (1, 168),
    "daily_hour_cap": (1, 12),
}


def _read_settings(form) -> tuple[dict, dict]:
    chosen, errors = {}, {}
    for name, (low, high) in SETTING_RANGES.items():
        value = _whole_number(form.get(name), minimum=0)
        if value is None or not low <= value <= high:
            errors[name] = _(
                "Give a whole number from %(low)s to %(high)s.", low=number(low), high=number(high)
            )
        chosen[name] = value
    return chosen, errors


@bp.route("/settings", methods=["GET", "POST"])
@allow(Role.COLLECTOR)
def settings():
    """The collector sets the district's limits: volunteers per part, hours to answer, hours a day."""
    scope = current_scope()
    user = scope.user
    if user.district_id is None:
        abort(403)
    district = scope.require_district(user.district_id)
    if request.args.get("district_id") not in (None, "", str(district.id)):
        abort(403)
    row = db.session.scalar(select(VolunteerSettings).where(VolunteerSettings.district_id == district.id))
    limits = services.limits_for(district.id)
    saved = {name: getattr(limits, name) for name in SETTING_RANGES}
    context = {"district": district, "ranges": SETTING_RANGES, "errors": {}, "message": None, "sent": saved}
    if request.method == "POST":
        chosen, errors = _read_settings(request.form)
        if errors:
            sent = {name: request.form.get(name, "") for name in SETTING_RANGES}
            message = _("Nothing was saved: see the messages below.")
            context.update(errors=errors, sent=sent, message=message)
            return render("volunteers/settings.html", block="limits", status=422, **context)
        if row is None:
            row = VolunteerSettings(district_id=district.id)
            db.session.add(row)
        for name, value in chosen.items():
            setattr(row, name, value)
        row.updated_by_id = user.id
        db.session.flush()
        audit.record(user, "volunteer.settings", district, saved, chosen)
        db.session.commit()
        message = _("The volunteer limits of %(district)s are saved.", district=district.name(lang()))
        if not is_partial():
            flash(message, "success")
            return redirect_to(url_for("volunteers.settings"))
        context.update(message=message, sent=chosen)
    return render("volunteers/settings.html", block="limits", **context)
