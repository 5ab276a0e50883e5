"""Offers, answers and days of volunteers. Services never touch the request: routes, jobs and tests
call them; every change writes an audit entry in the caller's transaction; the caller commits once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select, update

from app import audit, locks
from app.campaign.clock import campaign_day_of, local_time, to_utc
from app.extensions import db
from app.formatting import number
from app.models import District, Part, User
from app.refusals import FormErrors, NotAllowed, VersionConflict
from app.timeutil import utcnow
from app.volunteers import matching, rules
from app.volunteers.models import (
    HOLDING,
    Assignment,
    Attendance,
    OfferStatus,
    Task,
    VisitDay,
    Volunteer,
    VolunteerSettings,
    VolunteerStatus,
)

DECLINE_REASON_MAX = 300
NOTES_MAX = 1000
MAX_OFFER_DAYS = 31
MAX_COUNT = 100_000  # the most the work log's fields read; the day's bound is rules.work_bounds


class VolunteerError(FormErrors):
    """User-caused: {field: message}. Nothing was saved."""

    status = 422


class VolunteerConflict(VolunteerError):
    """The rule is met by what is in the database now (often what someone saved a moment ago):
    answered 409, with the message saying what is there."""

    status = 409


# A check-out tapped this soon after the check-in is the same thumb tapping twice, not a day's end.
CHECK_OUT_AFTER = timedelta(seconds=60)
# The offered hours are kept with this margin each side before a check-in is marked "outside".
HOURS_MARGIN = timedelta(minutes=30)
# The phone's time of a tap is believed unless it is ahead of the server by more than this...
TAP_SKEW = timedelta(minutes=2)
# ...or older than this (a phone's clock set wrong, a post kept for days): then the arrival counts.
TAP_MAX_AGE = timedelta(hours=24)


@dataclass(frozen=True)
class Limits:
    max_per_part: int = rules.MAX_PER_PART
    offer_expiry_hours: int = rules.OFFER_EXPIRY_HOURS
    daily_hour_cap: int = rules.DAILY_HOUR_CAP


def limits_for(district_id: int) -> Limits:
    row = db.session.scalar(select(VolunteerSettings).where(VolunteerSettings.district_id == district_id))
    if row is None:
        return Limits()
    return Limits(row.max_per_part, row.offer_expiry_hours, row.daily_hour_cap)


def save_limits(actor: User, district: District, chosen: dict[str, int]) -> None:
    """The collector sets the district's limits (volunteers per part, hours to answer, hours a
    day); audited with the limits before. The caller commits."""
    before = {name: getattr(limits_for(district.id), name) for name in chosen}
    row = db.session.scalar(select(VolunteerSettings).where(VolunteerSettings.district_id == district.id))
    if row is None:
        row = VolunteerSettings(district_id=district.id)
        db.session.add(row)
    for name, value in chosen.items():
        setattr(row, name, value)
    row.updated_by_id = actor.id
    db.session.flush()
    audit.record(actor, "volunteer.settings", district, before, chosen)


@dataclass(frozen=True)
class OfferInput:
    starts_on: date | None
    ends_on: date | None
    start_time: time | None
    end_time: time | None
    tasks: tuple[str, ...] = ()
    note: str = ""


def snapshot(assignment: Assignment) -> dict:
    return {
        "volunteer_id": assignment.volunteer_id,
        "part_id": assignment.part_id,
        "starts_on": assignment.starts_on.isoformat(),
        "ends_on": assignment.ends_on.isoformat(),
        "start_time": assignment.start_time.isoformat(timespec="minutes"),
        "end_time": assignment.end_time.isoformat(timespec="minutes"),
        "tasks": list(assignment.tasks),
        "status": assignment.status.value,
    }


# -- offers -------------------------------------------------------------------------------------


def tap_moment(text: str | None) -> datetime | None:
    """The phone's time of a tap, sent as epoch milliseconds or an ISO instant with its offset,
    as a stored (naive UTC) moment; None when absent or unreadable (a time without an offset is
    not an instant)."""
    text = (text or "").strip()
    if not text or len(text) > 40:
        return None
    try:
        if text.isdigit():
            return datetime.fromtimestamp(int(text) / 1000, UTC).replace(tzinfo=None)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        return None
    if moment.tzinfo is None:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None)


def tap_time(assignment: Assignment | None, tapped_at: datetime | None, now: datetime) -> datetime:
    """When the tap happened, as far as the server believes the phone: its time when plausible
    (not ahead of the arrival beyond TAP_SKEW, not older than TAP_MAX_AGE, on one of the
    assignment's days), else the arrival. Never later than the arrival."""
    if tapped_at is None or tapped_at > now + TAP_SKEW or tapped_at < now - TAP_MAX_AGE:
        return now
    if assignment is not None and not (
        assignment.starts_on <= campaign_day_of(tapped_at) <= assignment.ends_on
    ):
        return now
    return min(tapped_at, now)


def validate_offer(
    data: OfferInput, today: date, limits: Limits, now_time: time | None = None
) -> dict[str, str]:
    """The offer's own rules; `now_time` (the campaign zone's time now) refuses hours already over."""
    errors: dict[str, str] = {}
    if data.starts_on is None or data.ends_on is None:
        errors["starts_on"] = str(_l("Give the first and the last day."))
    elif data.starts_on < today:
        errors["starts_on"] = str(_l("The first day cannot be in the past."))
    elif data.ends_on < data.starts_on:
        errors["ends_on"] = str(_l("The last day cannot come before the first."))
    elif (data.ends_on - data.starts_on).days + 1 > MAX_OFFER_DAYS:
        errors["ends_on"] = str(_l("Offer at most %(count)s days at a time.", count=number(MAX_OFFER_DAYS)))
    if data.start_time is None or data.end_time is None:
        errors["start_time"] = str(_l("Give the hours, from and to."))
    elif data.end_time <= data.start_time:
        errors["end_time"] = str(_l("The hours must end after they start."))
    elif rules.minutes_between(data.start_time, data.end_time) > limits.daily_hour_cap * 60:
        errors["end_time"] = str(_l("At most %(hours)s hours a day.", hours=number(limits.daily_hour_cap)))
    elif (
        now_time is not None
        and "starts_on" not in errors
        and data.starts_on == today
        and data.end_time <= now_time
    ):
        errors["start_time"] = str(
            _l(
                "Today's hours until %(end)s are already over: start from tomorrow, or choose later hours.",
                end=data.end_time.strftime("%H:%M"),
            )
        )
    chosen = set(data.tasks)
    if not chosen:
        errors["tasks"] = str(_l("Choose at least one task."))
    elif not chosen <= {task.value for task in Task}:
        errors["tasks"] = str(_l("Choose the tasks from the list."))
    if len(data.note or "") > NOTES_MAX:
        errors["note"] = str(_l("Keep it to %(count)s characters or fewer.", count=number(NOTES_MAX)))
    return errors


def _overlapping(query, starts_on: date, ends_on: date, start_time: time, end_time: time):
    return query.where(
        Assignment.status.in_(HOLDING),
        Assignment.starts_on <= ends_on,
        Assignment.ends_on >= starts_on,
        Assignment.start_time < end_time,
        Assignment.end_time > start_time,
    )


def _daily_hours_elsewhere(volunteer_id: int, starts_on: date, ends_on: date) -> float:
    """The most hours the volunteer already holds on any one day of the range."""
    rows = db.session.execute(
        select(Assignment.starts_on, Assignment.ends_on, Assignment.start_time, Assignment.end_time).where(
            Assignment.volunteer_id == volunteer_id,
            Assignment.status.in_(HOLDING),
            Assignment.starts_on <= ends_on,
            Assignment.ends_on >= starts_on,
        )
    ).all()
    worst = 0.0
    day = starts_on
    while day <= ends_on and rows:
        held = [(r.start_time, r.end_time) for r in rows if r.starts_on <= day <= r.ends_on]
        worst = max(worst, rules.hours_on_a_day(held))
        day += timedelta(days=1)
    return worst


def _holding_errors(
    actor: User, volunteer: Volunteer, part: Part, data: OfferInput, limits: Limits, now: datetime
) -> tuple[dict[str, str], bool]:
    """What the volunteer and the part already hold at those hours: the volunteer's clash, the
    part's cap, the volunteer's hours on a day. The errors, and whether one is a conflict (met by
    what is in the database now)."""
    errors: dict[str, str] = {}
    conflict = False
    span = (data.starts_on, data.ends_on, data.start_time, data.end_time)
    clash = db.session.execute(
        _overlapping(
            select(Assignment.offered_at, Assignment.offered_by_id).where(
                Assignment.volunteer_id == volunteer.id
            ),
            *span,
        )
        .order_by(Assignment.offered_at.desc())
        .limit(1)
    ).first()
    if clash is not None:
        conflict = True
        if clash.offered_by_id != actor.id and clash.offered_at >= now - timedelta(minutes=2):
            errors["volunteer_id"] = str(
                _l(
                    "Someone else offered %(name)s for these hours a moment ago. Nothing was sent.",
                    name=volunteer.name,
                )
            )
        else:
            errors["volunteer_id"] = str(
                _l("%(name)s already holds an offer or assignment at those hours.", name=volunteer.name)
            )
    held = db.session.scalar(
        _overlapping(select(func.count(Assignment.id)).where(Assignment.part_id == part.id), *span)
    )
    if held >= limits.max_per_part:
        conflict = True
        errors["part_id"] = str(
            _l(
                "This part already has %(count)s volunteers then, the most allowed.",
                count=number(limits.max_per_part),
            )
        )
    hours = rules.minutes_between(data.start_time, data.end_time) / 60
    if _daily_hours_elsewhere(volunteer.id, data.starts_on, data.ends_on) + hours > limits.daily_hour_cap:
        errors["end_time"] = str(
            _l(
                "%(name)s would pass %(hours)s hours on a day.",
                name=volunteer.name,
                hours=number(limits.daily_hour_cap),
            )
        )
    return errors, conflict


def offer(
    actor: User, volunteer: Volunteer, part: Part, data: OfferInput, now: datetime | None = None, today=None
) -> Assignment:
    """Offer the volunteer a part's days; it counts only once they accept. Raises VolunteerError."""
    now = now or utcnow()
    today = today or campaign_day_of(now)
    # The volunteer owns "no two holdings at once", the part owns its cap: both are locked (always
    # volunteer first) before anything is read, so two officers offering at once are judged in turn.
    volunteer = locks.row(Volunteer, volunteer.id)
    part = locks.row(Part, part.id)
    limits = limits_for(part.district_id)
    errors = validate_offer(data, today, limits, local_time(now))
    conflict = False
    if volunteer.status != VolunteerStatus.APPROVED:
        errors["volunteer_id"] = str(_l("%(name)s is not approved yet.", name=volunteer.name))
    elif volunteer.district_id != part.district_id:
        errors["volunteer_id"] = str(_l("%(name)s volunteers in another district.", name=volunteer.name))
    if not errors:
        errors, conflict = _holding_errors(actor, volunteer, part, data, limits, now)
    if errors:
        raise (VolunteerConflict if conflict and len(errors) == 1 else VolunteerError)(errors)
    last_end = to_utc(data.ends_on, data.end_time)
    assignment = Assignment(
        volunteer_id=volunteer.id,
        volunteer_user_id=volunteer.user_id,
        part_id=part.id,
        constituency_id=part.constituency_id,
        district_id=part.district_id,
        blo_id=part.blo_id,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        start_time=data.start_time,
        end_time=data.end_time,
        tasks=sorted(set(data.tasks)),
        status=OfferStatus.OFFERED,
        offered_by_id=actor.id,
        offered_at=now,
        # Never open to an answer after its last hours are over.
        expires_at=min(rules.expires_at(now, limits.offer_expiry_hours), last_end),
        note=(data.note or "").strip(),
    )
    db.session.add(assignment)
    db.session.flush()
    audit.record(actor, "volunteer.offer", assignment, None, snapshot(assignment))
    return assignment


def offer_many(
    actor: User,
    pairs: Iterable[tuple[Volunteer, Part]],
    data: OfferInput,
    now: datetime | None = None,
    today=None,
) -> list[Assignment]:
    """Several offers at once, all or nothing: the first refusal names the volunteer and the part as
    AC-part (every AC has its own part 154)."""
    pairs = list(pairs)
    # Every lock first, volunteers then parts, each in id order: two officers sending overlapping
    # batches wait for each other instead of each holding half.
    locks.rows(Volunteer, [v.id for v, _p in pairs])
    locks.rows(Part, [p.id for _v, p in pairs])
    made = []
    for volunteer, part in pairs:
        try:
            made.append(offer(actor, volunteer, part, data, now, today))
        except VolunteerError as error:
            raise type(error)(
                {
                    key: str(
                        _l(
                            "%(who)s at part %(ac)s-%(part)s: %(why)s",
                            who=volunteer.name,
                            ac=part.constituency.number,
                            part=part.number,
                            why=message,
                        )
                    )
                    for key, message in error.errors.items()
                }
            ) from error
    return made


def _own_locked(user: User, row: Assignment | VisitDay):
    """The volunteer's own assignment or day, locked until the commit; NotAllowed for anyone else's."""
    if row.volunteer_user_id != user.id:
        raise NotAllowed()
    return locks.row(type(row), row.id)


def answer(
    user: User, assignment: Assignment, accept: bool, reason: str = "", version: int | None = None, now=None
) -> Assignment:
    """The volunteer accepts or declines an offer still open; a decline needs a reason."""
    now = now or utcnow()
    assignment = _own_locked(user, assignment)
    # A closed offer is refused as closed, whatever version the page had: it says why.
    if not assignment.open_at(now):
        raise NotAllowed()
    if version is not None and version != assignment.version:
        raise VersionConflict()
    reason = (reason or "").strip()
    if not accept and not reason:
        raise VolunteerError({"decline_reason": str(_l("Say why you cannot go."))})
    if len(reason) > DECLINE_REASON_MAX:
        raise VolunteerError(
            {
                "decline_reason": str(
                    _l("Keep it to %(count)s characters or fewer.", count=number(DECLINE_REASON_MAX))
                )
            }
        )
    before = snapshot(assignment)
    assignment.status = OfferStatus.ACCEPTED if accept else OfferStatus.DECLINED
    assignment.answered_at = now
    assignment.decline_reason = "" if accept else reason
    db.session.flush()
    audit.record(
        user, "volunteer.accept" if accept else "volunteer.decline", assignment, before, snapshot(assignment)
    )
    return assignment


def cancel(actor: User, assignment: Assignment, version: int | None = None) -> Assignment:
    assignment = locks.row(Assignment, assignment.id)
    if version is not None and version != assignment.version:
        raise VersionConflict()
    if assignment.status not in HOLDING:
        raise NotAllowed()
    before = snapshot(assignment)
    assignment.status = OfferStatus.CANCELLED
    db.session.flush()
    audit.record(actor, "volunteer.cancel", assignment, before, snapshot(assignment))
    return assignment


def expire_offers(now: datetime | None = None) -> int:
    """Offers not answered in time expire (the need goes back on the board). Idempotent."""
    now = now or utcnow()
    ids = list(db.session.scalars(select(Assignment.id).where(Assignment.overdue_at(now))))
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        db.session.execute(
            update(Assignment)
            .where(Assignment.id.in_(chunk), Assignment.status == OfferStatus.OFFERED)
            .values(status=OfferStatus.EXPIRED, answered_at=now, version=Assignment.version + 1)
            .execution_options(synchronize_session=False)
        )
        for assignment_id in chunk:
            audit.insert_now(
                None, "volunteer.expire", f"Assignment:{assignment_id}", None, {"status": "expired"}
            )
    return len(ids)


# -- days ---------------------------------------------------------------------------------------


def _day_of(assignment: Assignment, day: date) -> VisitDay | None:
    return db.session.scalar(
        select(VisitDay).where(VisitDay.assignment_id == assignment.id, VisitDay.day == day)
    )


def _new_day(assignment: Assignment, day: date) -> VisitDay:
    """The assignment's row for a day, added to the session."""
    visit = VisitDay(
        assignment_id=assignment.id,
        volunteer_id=assignment.volunteer_id,
        volunteer_user_id=assignment.volunteer_user_id,
        part_id=assignment.part_id,
        constituency_id=assignment.constituency_id,
        district_id=assignment.district_id,
        day=day,
    )
    db.session.add(visit)
    return visit


def _distance_m(part: Part, lat: float | None, lon: float | None) -> int | None:
    if lat is None or lon is None or part.lat is None or part.lon is None:
        return None
    return int(round(matching.geodesic_km((part.lat, part.lon), (lat, lon)) * 1000))


def _valid_point(lat, lon) -> bool:
    return (
        lat is None
        and lon is None
        or (lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180)
    )


def check_in(
    user: User,
    assignment: Assignment,
    day: date | None = None,
    lat=None,
    lon=None,
    now=None,
    tapped_at: datetime | None = None,
) -> VisitDay:
    """One tap on arrival: the time, and the place if the phone gave it, with its distance from the booth.
    The time is the tap's (see tap_time), its day the tap's campaign day unless `day` is given; the
    arrival is kept beside it."""
    now = now or utcnow()
    # The assignment owns its days: locked, a second tap (or tab, or queued resend) waits, then
    # finds the day already checked in.
    assignment = _own_locked(user, assignment)
    if assignment.status != OfferStatus.ACCEPTED:
        raise NotAllowed()
    at = tap_time(assignment, tapped_at, now)
    day = day or campaign_day_of(at)
    if not assignment.starts_on <= day <= assignment.ends_on:
        raise VolunteerError({"day": str(_l("This assignment is not for today."))})
    if not _valid_point(lat, lon):
        lat = lon = None
    visit = _day_of(assignment, day)
    if visit is not None and visit.check_in_at is not None:
        return visit  # a second tap changes nothing
    if visit is None:
        visit = _new_day(assignment, day)
    if visit.attendance == Attendance.NO_SHOW:
        # The BLO said "did not come" and here they are: the check-in is the fact, and the BLO is
        # asked again (their no-show is withdrawn; an approval it cost is the officers' to give).
        visit.attendance = visit.attendance_by_id = visit.attendance_at = None
        audit.record(
            user,
            "volunteer.attendance",
            visit,
            {"attendance": "no_show"},
            {"attendance": None, "by": "check_in"},
        )
    visit.check_in_at, visit.check_in_received_at = at, now
    visit.check_in_lat, visit.check_in_lon = lat, lon
    visit.check_in_distance_m = _distance_m(assignment.part, lat, lon)
    visit.check_in_outside_hours = outside_hours(assignment, day, at)
    db.session.flush()
    audit.record(
        user,
        "volunteer.check_in",
        visit,
        None,
        {
            "day": day.isoformat(),
            "at": at.isoformat(),
            "received_at": now.isoformat(),
            "distance_m": visit.check_in_distance_m,
            "outside_hours": visit.check_in_outside_hours,
        },
    )
    return visit


def outside_hours(assignment: Assignment, day: date, moment: datetime) -> bool:
    """A check-in well before the offered hours, or after they ended: kept, and marked."""
    starts = to_utc(day, assignment.start_time) - HOURS_MARGIN
    ends = to_utc(day, assignment.end_time)
    return not starts <= moment < ends


def check_out(
    user: User,
    assignment: Assignment,
    day: date | None = None,
    lat=None,
    lon=None,
    now=None,
    tapped_at: datetime | None = None,
) -> VisitDay:
    """One tap on leaving, at the tap's time (see tap_time) on the tap's day unless `day` is given:
    the minutes from the check-in's time, capped at the district's daily hours."""
    now = now or utcnow()
    assignment = _own_locked(user, assignment)
    at = tap_time(assignment, tapped_at, now)
    visit = _day_of(assignment, day or campaign_day_of(at))
    if visit is None or visit.check_in_at is None:
        raise VolunteerError({"day": str(_l("Check in first."))})
    if visit.check_out_at is not None:
        return visit
    if at < visit.check_in_at:
        at = now  # the phone says it left before it came: its clock is not believed
    if at - visit.check_in_at < CHECK_OUT_AFTER:
        raise VolunteerConflict(
            {
                "day": str(
                    _l(
                        "You checked in at %(time)s, a moment ago: this tap did not check you out.",
                        time=local_time(visit.check_in_at).strftime("%H:%M"),
                    )
                )
            }
        )
    if not _valid_point(lat, lon):
        lat = lon = None
    visit.check_out_at, visit.check_out_received_at = at, now
    visit.check_out_lat, visit.check_out_lon = lat, lon
    visit.check_out_distance_m = _distance_m(assignment.part, lat, lon)
    visit.minutes = rules.worked_minutes(
        visit.check_in_at, at, limits_for(assignment.district_id).daily_hour_cap
    )
    db.session.flush()
    audit.record(
        user,
        "volunteer.check_out",
        visit,
        None,
        {
            "day": visit.day.isoformat(),
            "at": at.isoformat(),
            "received_at": now.isoformat(),
            "minutes": visit.minutes,
        },
    )
    return visit


def work_bounds_of(assignment: Assignment) -> rules.WorkBounds:
    """What a volunteer can plausibly log for a day of the assignment (rules.work_bounds)."""
    return rules.work_bounds(assignment.part.electors, limits_for(assignment.district_id).daily_hour_cap)


def _too_many(bounds: rules.WorkBounds, part: Part, forms: bool) -> str:
    """Why a count is more than a volunteer can do in a day, naming the bound that was passed."""
    if forms and bounds.forms_by_hours:
        return str(
            _l(
                "At most %(max)s forms in a day: one a minute for %(hours)s hours. Check the number.",
                max=number(bounds.forms),
                hours=number(bounds.cap_hours),
            )
        )
    if bounds.part_electors:
        return str(
            _l(
                "Part %(ac)s-%(part)s has %(electors)s electors: at most that many in a day. "
                "Check the number.",
                ac=part.constituency.number,
                part=part.number,
                electors=number(bounds.part_electors),
            )
        )
    if forms:  # a day longer than the ceiling's minutes, at a part of unknown size
        return str(_l("At most %(count)s in a day.", count=number(bounds.forms)))
    return str(_l("At most %(max)s electors in a day. Check the number.", max=number(bounds.electors)))


def _work_errors(assignment: Assignment, forms_helped, electors_helped) -> dict[str, str]:
    """The work log's counts: whole numbers from 0 to what a volunteer can do in a day there."""
    bounds = work_bounds_of(assignment)
    errors = {}
    for name, value, most in (
        ("forms_helped", forms_helped, bounds.forms),
        ("electors_helped", electors_helped, bounds.electors),
    ):
        if value is None or value < 0:
            errors[name] = str(_l("Give a whole number from 0 to %(max)s.", max=number(most)))
        elif value > most:
            errors[name] = _too_many(bounds, assignment.part, name == "forms_helped")
    return errors


def log_work(
    user: User,
    visit: VisitDay,
    forms_helped,
    electors_helped,
    notes: str,
    now: datetime | None = None,
    tapped_at: datetime | None = None,
) -> VisitDay:
    """What the day's work came to; the tap's time (see tap_time) and the arrival are kept."""
    now = now or utcnow()
    visit = _own_locked(user, visit)
    errors = _work_errors(visit.assignment, forms_helped, electors_helped)
    if len(notes or "") > NOTES_MAX:
        errors["notes"] = str(_l("Keep it to %(count)s characters or fewer.", count=number(NOTES_MAX)))
    if errors:
        raise VolunteerError(errors)
    before = {
        "forms_helped": visit.forms_helped,
        "electors_helped": visit.electors_helped,
        "notes": visit.notes,
    }
    visit.forms_helped, visit.electors_helped, visit.notes = (
        forms_helped,
        electors_helped,
        (notes or "").strip(),
    )
    visit.work_logged_at = tap_time(visit.assignment, tapped_at, now)
    visit.work_received_at = now
    db.session.flush()
    audit.record(
        user,
        "volunteer.log_work",
        visit,
        before,
        {
            "forms_helped": forms_helped,
            "electors_helped": electors_helped,
            "at": visit.work_logged_at.isoformat(),
            "received_at": now.isoformat(),
        },
    )
    return visit


def record_attendance(blo: User, assignment: Assignment, day: date, came: bool, now=None) -> VisitDay:
    """The part's BLO says the volunteer came, or did not. Two no-shows since their approval send
    the volunteer back for approval (their holding offers stay, the officers decide)."""
    now = now or utcnow()
    if assignment.blo_id != blo.id:
        raise NotAllowed()
    assignment = locks.row(Assignment, assignment.id)
    locks.row(Volunteer, assignment.volunteer_id)
    if assignment.status != OfferStatus.ACCEPTED:
        raise NotAllowed()
    if not assignment.starts_on <= day <= assignment.ends_on:
        raise VolunteerError({"day": str(_l("This assignment is not for that day."))})
    visit = _day_of(assignment, day)
    if not came and visit is not None and visit.check_in_at is not None:
        raise VolunteerConflict(
            {
                "attendance": str(
                    _l(
                        "%(name)s checked in at %(time)s that day: they cannot be marked as not come.",
                        name=assignment.volunteer.name,
                        time=local_time(visit.check_in_at).strftime("%H:%M"),
                    )
                )
            }
        )
    if visit is None:
        visit = _new_day(assignment, day)
    before = visit.attendance.value if visit.attendance else None
    visit.attendance = Attendance.CONFIRMED if came else Attendance.NO_SHOW
    visit.attendance_by_id, visit.attendance_at = blo.id, now
    db.session.flush()
    audit.record(
        blo, "volunteer.attendance", visit, {"attendance": before}, {"attendance": visit.attendance.value}
    )
    volunteer = assignment.volunteer
    if not came and volunteer.status == VolunteerStatus.APPROVED:
        since = volunteer.approved_at or datetime.min
        no_shows = db.session.scalar(
            select(func.count(VisitDay.id)).where(
                VisitDay.volunteer_id == volunteer.id,
                VisitDay.attendance == Attendance.NO_SHOW,
                VisitDay.attendance_at >= since,
            )
        )
        if rules.needs_reapproval(no_shows):
            volunteer.status = VolunteerStatus.PENDING
            db.session.flush()
            audit.record(
                None,
                "volunteer.needs_approval",
                volunteer,
                {"status": "approved"},
                {"status": "pending", "no_shows": no_shows},
            )
    return visit


def approve(actor: User, volunteer: Volunteer, version: int | None = None, now=None) -> Volunteer:
    """Approve a registration (or a volunteer back after no-shows): their account can sign in."""
    now = now or utcnow()
    volunteer = locks.row(Volunteer, volunteer.id)
    if version is not None and version != volunteer.version:
        raise VersionConflict()
    if volunteer.status == VolunteerStatus.APPROVED:
        return volunteer
    before = volunteer.status.value
    volunteer.status = VolunteerStatus.APPROVED
    volunteer.approved_at, volunteer.approved_by_id = now, actor.id
    volunteer.user.active = True
    db.session.flush()
    audit.record(actor, "volunteer.approve", volunteer, {"status": before}, {"status": "approved"})
    return volunteer


def decide(actor: User, volunteer: Volunteer, version: int, approving: bool) -> Volunteer:
    """An officer approves or rejects a registration still waiting, as the page showed it: another
    officer's decision since (or any change) is a VersionConflict."""
    if version != volunteer.version or volunteer.status != VolunteerStatus.PENDING:
        raise VersionConflict()
    if approving:
        return approve(actor, volunteer, version)
    return reject(actor, volunteer, version)


def reject(actor: User, volunteer: Volunteer, version: int | None = None) -> Volunteer:
    volunteer = locks.row(Volunteer, volunteer.id)
    if version is not None and version != volunteer.version:
        raise VersionConflict()
    if volunteer.status == VolunteerStatus.REJECTED:
        return volunteer
    before = volunteer.status.value
    volunteer.status = VolunteerStatus.REJECTED
    volunteer.user.active = False
    volunteer.user.end_sessions()
    db.session.flush()
    audit.record(actor, "volunteer.reject", volunteer, {"status": before}, {"status": "rejected"})
    return volunteer


def hours_of(volunteer_id: int) -> float:
    minutes = db.session.scalar(
        select(func.coalesce(func.sum(VisitDay.minutes), 0)).where(VisitDay.volunteer_id == volunteer_id)
    )
    return int(minutes or 0) / 60


def holding_on(part_ids: Iterable[int], day: date) -> dict[int, int]:
    """How many volunteers hold an offer or assignment at each part on the day: one grouped query."""
    ids = list(part_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Assignment.part_id, func.count(Assignment.id))
        .where(
            Assignment.part_id.in_(ids),
            Assignment.status.in_(HOLDING),
            and_(Assignment.starts_on <= day, Assignment.ends_on >= day),
        )
        .group_by(Assignment.part_id)
    ).all()
    return dict(rows)
