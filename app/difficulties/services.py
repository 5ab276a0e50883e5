"""Raising a difficulty, moving it through its workflow, and the escalation that climbs the ones
past their time. Services never touch the request: routes, the CLI, the queue and tests call them.

Every change writes a timeline event, an audit entry and the derived clock columns in the caller's
transaction; the caller commits once.
"""

from __future__ import annotations

import base64
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, func, insert, or_, select, update
from sqlalchemy.orm.exc import StaleDataError

from app import audit, locks
from app.campaign.clock import campaign_zone
from app.difficulties import sla, workflow
from app.difficulties.models import (
    ACTIVE,
    LEVELS,
    RUNNING,
    Category,
    Difficulty,
    DifficultyEvent,
    DifficultyPhoto,
    DifficultyRoute,
    DistrictHoliday,
    EventKind,
    Level,
    NoticeKind,
    Notification,
    Resolution,
    Severity,
    Source,
    Status,
    WorkingHours,
)
from app.difficulties.workflow import Action, Relation
from app.extensions import db
from app.formatting import number
from app.models import AuditEntry, District, Part, Role, User
from app.refusals import FormErrors, NotAllowed, VersionConflict
from app.scope import Scope
from app.timeutil import utcnow

DESCRIPTION_MAX_LENGTH = 500
NOTE_MAX_LENGTH = 1000
DUPLICATE_WINDOW = timedelta(hours=24)


class DifficultyError(FormErrors):
    """User-caused: {field: message}. Nothing was saved."""


@dataclass(frozen=True)
class NewDifficulty:
    category: str | None
    severity: str | None
    description: str | None = ""
    duplicate_of_id: int | None = None
    form_token: str | None = None
    photo: object | None = None  # app.photos.Photo
    # An inspection's action item names its owner and deadline: the officer (at their own level)
    # and the minutes it has to be resolved, in place of the category's route.
    owner: User | None = None
    resolve_minutes: int | None = None


@dataclass(frozen=True)
class ActionInput:
    note: str | None = ""
    resolution: str | None = None
    duplicate_of_id: int | None = None
    assignee_id: int | None = None
    version: int | None = None


# -- routing ------------------------------------------------------------------------------------


def policies(district_ids: Iterable[int]) -> dict[tuple[int, Category], sla.Policy]:
    """Each district's own routes, in one query; categories without one use the defaults."""
    ids = set(district_ids)
    found = {}
    if ids:
        for route in db.session.scalars(select(DifficultyRoute).where(DifficultyRoute.district_id.in_(ids))):
            found[(route.district_id, route.category)] = sla.Policy(
                route.first_level,
                timedelta(minutes=route.acknowledge_minutes),
                timedelta(minutes=route.resolve_minutes),
            )
    return found


def calendars(district_ids: Iterable[int]) -> dict[int, sla.Calendar]:
    """Each district's working time (its hours, else 10:00–18:00 Monday to Saturday, and its
    holidays) in the campaign's zone, in two queries."""
    ids = set(district_ids)
    if not ids:
        return {}
    zone = campaign_zone()
    hours = {
        row.district_id: row
        for row in db.session.scalars(select(WorkingHours).where(WorkingHours.district_id.in_(ids)))
    }
    holidays: dict[int, set] = defaultdict(set)
    for district_id, day in db.session.execute(
        select(DistrictHoliday.district_id, DistrictHoliday.day).where(DistrictHoliday.district_id.in_(ids))
    ):
        holidays[district_id].add(day)
    found = {}
    for district_id in ids:
        row = hours.get(district_id)
        found[district_id] = sla.Calendar(
            zone=zone,
            opens=row.opens_minute if row else sla.DEFAULT_OPENS,
            closes=row.closes_minute if row else sla.DEFAULT_CLOSES,
            weekdays=frozenset(int(d) for d in row.weekdays) if row else sla.DEFAULT_WEEKDAYS,
            holidays=frozenset(holidays[district_id]),
        )
    return found


def calendar_of(district_id: int, category: Category, known: dict[int, sla.Calendar] | None = None):
    """The working time a difficulty's clock counts: its district's, or round the clock for health
    and safety."""
    if category in sla.ROUND_THE_CLOCK_CATEGORIES:
        return sla.ROUND_THE_CLOCK
    known = calendars([district_id]) if known is None else known
    return known[district_id]


def policy_for(
    district_id: int,
    category: Category,
    known: dict | None = None,
    resolve_minutes: int | None = None,
    hours: dict[int, sla.Calendar] | None = None,
) -> sla.Policy:
    """The district's route for the category, or the default, counted in the district's working
    time; a difficulty given its own deadline (an inspection's action item) keeps the route's first
    level with that time to resolve."""
    known = policies([district_id]) if known is None else known
    policy = known.get((district_id, category), sla.DEFAULT_POLICIES[category])
    if resolve_minutes:
        resolve = timedelta(minutes=resolve_minutes)
        policy = sla.Policy(policy.first_level, min(policy.acknowledge, resolve), resolve)
    return replace(policy, calendar=calendar_of(district_id, category, hours))


def save_routes(user: User, district: District, chosen: dict) -> None:
    """Keep the district's route of each category: (first level, hours to acknowledge, hours to
    resolve), as the routing form read them."""
    existing = {
        r.category: r
        for r in db.session.scalars(select(DifficultyRoute).where(DifficultyRoute.district_id == district.id))
    }
    before = {
        c.value: [r.first_level.value, r.acknowledge_minutes, r.resolve_minutes] for c, r in existing.items()
    }
    after = {}
    for category, (level, acknowledge, resolve) in chosen.items():
        route = existing.get(category)
        if route is None:
            route = DifficultyRoute(district_id=district.id, category=category)
            db.session.add(route)
        route.first_level = Level(level)
        route.acknowledge_minutes = round(acknowledge * 60)
        route.resolve_minutes = round(resolve * 60)
        route.updated_by_id = user.id
        after[category.value] = [level, route.acknowledge_minutes, route.resolve_minutes]
    audit.record(user, "difficulty.routing", district, before, after)


@dataclass(frozen=True)
class WorkingTime:
    """A district's working hours as the settings form read them: minutes after midnight, the ISO
    weekdays worked, and the holidays ({day: name})."""

    opens: int
    closes: int
    weekdays: frozenset[int]
    holidays: dict = field(default_factory=dict)

    @classmethod
    def of(cls, district_id: int) -> WorkingTime:
        """What the district has saved, else the defaults."""
        row = db.session.scalar(select(WorkingHours).where(WorkingHours.district_id == district_id))
        holidays = {
            h.day: h.name
            for h in db.session.scalars(
                select(DistrictHoliday)
                .where(DistrictHoliday.district_id == district_id)
                .order_by(DistrictHoliday.day)
            )
        }
        if row is None:
            return cls(sla.DEFAULT_OPENS, sla.DEFAULT_CLOSES, sla.DEFAULT_WEEKDAYS, holidays)
        return cls(row.opens_minute, row.closes_minute, frozenset(int(d) for d in row.weekdays), holidays)

    def snapshot(self) -> dict:
        return {
            "opens": self.opens,
            "closes": self.closes,
            "weekdays": "".join(str(d) for d in sorted(self.weekdays)),
            "holidays": {day.isoformat(): name for day, name in sorted(self.holidays.items())},
        }


ROUND_THE_CLOCK_HOURS = WorkingTime(0, sla.DAY_MINUTES, frozenset(range(1, 8)))


def save_working_time(user: User | None, district: District, chosen: WorkingTime, now=None) -> int:
    """Keep the district's working hours and holidays, audited; the clocks of its running
    difficulties are checked again at once against them (their due times move). Returns how many
    were checked."""
    before = WorkingTime.of(district.id)
    row = db.session.scalar(select(WorkingHours).where(WorkingHours.district_id == district.id))
    if row is None:
        row = WorkingHours(district_id=district.id)
        db.session.add(row)
    row.opens_minute, row.closes_minute = chosen.opens, chosen.closes
    row.weekdays = "".join(str(d) for d in sorted(chosen.weekdays))
    row.updated_by_id = user.id if user is not None else None
    kept = {
        h.day: h
        for h in db.session.scalars(select(DistrictHoliday).where(DistrictHoliday.district_id == district.id))
    }
    for day, holiday in kept.items():
        if day not in chosen.holidays:
            db.session.delete(holiday)
    for day, name in chosen.holidays.items():
        holiday = kept.get(day) or DistrictHoliday(district_id=district.id, day=day)
        holiday.name = name
        db.session.add(holiday)
    db.session.flush()
    audit.record(user, "difficulty.working_hours", district, before.snapshot(), chosen.snapshot())
    return recheck_district(district.id, now)


def work_round_the_clock(district_ids: Iterable[int]) -> None:
    """Give districts without working hours of their own round-the-clock ones (the tiny demo, whose
    seeded difficulties must not depend on the hour they are seeded at)."""
    ids = set(district_ids)
    having = set(
        db.session.scalars(select(WorkingHours.district_id).where(WorkingHours.district_id.in_(ids)))
    )
    for district_id in sorted(ids - having):
        db.session.add(
            WorkingHours(
                district_id=district_id,
                opens_minute=ROUND_THE_CLOCK_HOURS.opens,
                closes_minute=ROUND_THE_CLOCK_HOURS.closes,
                weekdays="1234567",
            )
        )
    db.session.flush()


def recheck_district(district_id: int, now: datetime | None = None) -> int:
    """Check the running clocks of the district again now: their due times, notices and climbs
    follow its working time as it is saved."""
    now = now or utcnow()
    ids = list(
        db.session.scalars(
            select(Difficulty.id).where(Difficulty.district_id == district_id, Difficulty.status.in_(RUNNING))
        )
    )
    if not ids:
        return 0
    db.session.execute(
        update(Difficulty)
        .where(Difficulty.id.in_(ids))
        .values(next_check_at=now)
        .execution_options(synchronize_session=False)
    )
    return escalate(now, only_ids=ids).checked


@dataclass
class Officers:
    """Who holds each level for a set of places, read in three queries."""

    supervisor_of_part: dict[int, int | None] = field(default_factory=dict)
    eros_of_ac: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    collectors_of_district: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    state: list[int] = field(default_factory=list)

    @classmethod
    def load(cls, part_ids: Iterable[int]) -> Officers:
        officers = cls()
        ids = list(set(part_ids))
        rows = []
        for start in range(0, len(ids), 5000):
            rows += db.session.execute(
                select(Part.id, Part.supervisor_id, Part.constituency_id, Part.district_id).where(
                    Part.id.in_(ids[start : start + 5000])
                )
            ).all()
        acs = {row.constituency_id for row in rows}
        districts = {row.district_id for row in rows}
        officers.supervisor_of_part = {row.id: row.supervisor_id for row in rows}
        users = select(User.id, User.role, User.constituency_id, User.district_id).where(
            User.active.is_(True),
            or_(
                and_(User.role == Role.ERO, User.constituency_id.in_(acs)),
                and_(User.role == Role.COLLECTOR, User.district_id.in_(districts)),
                User.role == Role.STATE,
            ),
        )
        for user in db.session.execute(users.order_by(User.id)):
            if user.role == Role.ERO:
                officers.eros_of_ac[user.constituency_id].append(user.id)
            elif user.role == Role.COLLECTOR:
                officers.collectors_of_district[user.district_id].append(user.id)
            else:
                officers.state.append(user.id)
        return officers

    def holders(self, level: Level, part_id: int, constituency_id: int, district_id: int) -> list[int]:
        """Everyone who holds `level` for the part: they all see it in their queue."""
        if level == Level.SUPERVISOR:
            supervisor = self.supervisor_of_part.get(part_id)
            return [supervisor] if supervisor else []
        if level == Level.ERO:
            return self.eros_of_ac.get(constituency_id, [])
        if level == Level.COLLECTOR:
            return self.collectors_of_district.get(district_id, [])
        return self.state

    def route(
        self, level: Level, part_id: int, constituency_id: int, district_id: int
    ) -> tuple[Level, int | None]:
        """The level that will own it (the first from `level` up with somebody in it) and its owner:
        the one person holding it, or None when several share it (their common queue)."""
        for candidate in LEVELS[level.rank :]:
            holders = self.holders(candidate, part_id, constituency_id, district_id)
            if holders:
                return candidate, holders[0] if len(holders) == 1 else None
        return Level.STATE, None


# -- reading ------------------------------------------------------------------------------------


def steps_of(events: Iterable[DifficultyEvent]) -> list[sla.Step]:
    return [sla.Step(e.at, e.kind, e.status, e.level, e.percent) for e in events]


def timeline(difficulty_id: int) -> list[DifficultyEvent]:
    return list(
        db.session.scalars(
            select(DifficultyEvent)
            .where(DifficultyEvent.difficulty_id == difficulty_id)
            .order_by(DifficultyEvent.id)
        )
    )


def live_clock(
    difficulty: Difficulty, events: list[DifficultyEvent] | None = None, now: datetime | None = None
):
    """The clock as it stands now, from the timeline (the escalation job may not have run yet)."""
    events = timeline(difficulty.id) if events is None else events
    policy = policy_for(
        difficulty.district_id, difficulty.category, resolve_minutes=difficulty.resolve_minutes
    )
    return sla.clock(steps_of(events), policy, now or utcnow())


def relations_of(user: User, difficulty: Difficulty, in_scope: bool = True) -> set[Relation]:
    return workflow.relations(
        user.role, user.id, difficulty.level, {difficulty.reporter_id, difficulty.blo_id}, in_scope
    )


def queue_condition(user: User):
    """The active difficulties waiting on this user: at their level, in their place, theirs or shared."""
    level = workflow.ROLE_LEVEL.get(user.role)
    if level is None:
        return Difficulty.id.is_(None)
    if level == Level.SUPERVISOR:
        place = Difficulty.part_id.in_(select(Part.id).where(Part.supervisor_id == user.id))
    elif level == Level.ERO:
        place = Difficulty.constituency_id == user.constituency_id
    elif level == Level.COLLECTOR:
        place = Difficulty.district_id == user.district_id
    else:
        place = Difficulty.id.is_not(None)
    return and_(
        Difficulty.status.in_(ACTIVE),
        Difficulty.level == level,
        place,
        or_(Difficulty.owner_id.is_(None), Difficulty.owner_id == user.id),
    )


def queue_count(user: User) -> int:
    return db.session.scalar(select(func.count(Difficulty.id)).where(queue_condition(user))) or 0


def unread_count(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user.id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def duplicate_hints(constituency_id: int, category: Category, now: datetime | None = None, exclude_id=None):
    """Active difficulties of the same category in the same AC opened in the last 24 hours."""
    now = now or utcnow()
    query = (
        select(Difficulty)
        .where(
            Difficulty.constituency_id == constituency_id,
            Difficulty.category == category,
            Difficulty.opened_at >= now - DUPLICATE_WINDOW,
            Difficulty.status.in_(ACTIVE),
            Difficulty.duplicate_of_id.is_(None),
        )
        .order_by(Difficulty.opened_at.desc())
        .limit(10)
    )
    if exclude_id is not None:
        query = query.where(Difficulty.id != exclude_id)
    return list(db.session.scalars(query))


# -- raising ------------------------------------------------------------------------------------


def _text_problem(text: str | None, limit: int, required_message=None) -> str | None:
    value = (text or "").strip()
    if required_message is not None and not value:
        return str(required_message)
    if len(value) > limit:
        return str(_l("Keep it to %(count)s characters or fewer.", count=number(limit)))
    return None


def validate_new(data: NewDifficulty) -> dict[str, str]:
    problems = {
        "category": None
        if data.category in {c.value for c in Category}
        else str(_l("Choose what the difficulty is about.")),
        "severity": None
        if data.severity in {s.value for s in Severity}
        else str(_l("Choose how badly it stops the work.")),
        "description": _text_problem(data.description, DESCRIPTION_MAX_LENGTH),
    }
    return {name: message for name, message in problems.items() if message}


def original_severity(part: Part, duplicate_of_id: int | None) -> str | None:
    """ "Same problem as #n" tapped before a severity: the original's severity stands for it."""
    if duplicate_of_id is None:
        return None
    return db.session.scalar(
        select(Difficulty.severity).where(
            Difficulty.id == duplicate_of_id, Difficulty.constituency_id == part.constituency_id
        )
    )


def from_form_token(token: str | None) -> Difficulty | None:
    if not token:
        return None
    return db.session.scalar(select(Difficulty).where(Difficulty.form_token == token))


def _photo_digest(photo) -> str:
    return hashlib.sha256(photo.data).hexdigest() if photo is not None else ""


def _is_same_entry(saved: Difficulty, part: Part, data: NewDifficulty) -> bool:
    """Whether a difficulty saved under the form's token is this very post sent again (same place,
    taps, words and photo), not a new entry made on a form that kept its token."""
    stored = db.session.scalar(select(DifficultyPhoto.data).where(DifficultyPhoto.difficulty_id == saved.id))
    return (
        saved.part_id == part.id
        and saved.category.value == data.category
        and saved.severity.value == data.severity
        and (saved.description or "") == (data.description or "").strip()
        and saved.duplicate_of_id == data.duplicate_of_id
        and (hashlib.sha256(stored).hexdigest() if stored is not None else "") == _photo_digest(data.photo)
    )


def _entry_token(part: Part, data: NewDifficulty) -> str:
    """The token of another entry sent with a token already used: made from the token and the
    entry itself, so the same entry sent again finds it and a different one is saved apart."""
    entry = "\x1f".join(
        (
            data.form_token or "",
            str(part.id),
            data.category or "",
            data.severity or "",
            (data.description or "").strip(),
            str(data.duplicate_of_id or ""),
            _photo_digest(data.photo),
        )
    )
    return "e-" + base64.urlsafe_b64encode(hashlib.sha256(entry.encode()).digest()).decode().rstrip("=")


def saved_entry(part: Part, data: NewDifficulty) -> tuple[Difficulty | None, str | None]:
    """What this post already saved, if anything, and the token to save it under otherwise.

    A form token names one entry. A post whose token is already used by a different entry (a phone
    that kept two posts from one form before it learnt the first one's fate, an old page's form) is
    a new difficulty, saved under a token made from the entry: the server never answers a new post
    with an earlier one's difficulty, and the same post sent twice is still saved once."""
    if not data.form_token:
        return None, None
    saved = from_form_token(data.form_token)
    if saved is None:
        return None, data.form_token
    if _is_same_entry(saved, part, data):
        return saved, data.form_token
    token = _entry_token(part, data)
    return from_form_token(token), token


def raise_difficulty(
    actor: User, part: Part, data: NewDifficulty, source: Source, now: datetime | None = None
) -> Difficulty:
    """Open a difficulty of the part, routed to its first owner with its clock running.

    Raises DifficultyError (nothing saved). A form sent again gives back what it saved.
    """
    errors = validate_new(data)
    if (
        data.duplicate_of_id is not None
        and db.session.scalar(
            select(Difficulty.id).where(
                Difficulty.id == data.duplicate_of_id, Difficulty.constituency_id == part.constituency_id
            )
        )
        is None
    ):
        errors["duplicate_of_id"] = str(_l("That difficulty is not one of your AC's."))
    if data.category == Category.DISCREPANCY.value and source != Source.INSPECTION:
        errors["category"] = str(_l("Choose what the difficulty is about."))
    if errors:
        raise DifficultyError(errors)
    saved, token = saved_entry(part, data)
    if saved is not None:
        return saved
    now = now or utcnow()
    category = Category(data.category)
    policy = policy_for(part.district_id, category, resolve_minutes=data.resolve_minutes)
    if data.owner is not None:
        level, owner_id = workflow.ROLE_LEVEL[data.owner.role], data.owner.id
    else:
        level, owner_id = Officers.load([part.id]).route(
            policy.first_level, part.id, part.constituency_id, part.district_id
        )
    difficulty = Difficulty(
        part_id=part.id,
        constituency_id=part.constituency_id,
        district_id=part.district_id,
        blo_id=part.blo_id,
        reporter_id=actor.id,
        source=source,
        category=category,
        severity=Severity(data.severity),
        description=(data.description or "").strip(),
        status=Status.OPEN,
        level=level,
        owner_id=owner_id,
        duplicate_of_id=data.duplicate_of_id,
        opened_at=now,
        level_started_at=now,
        form_token=token,
        resolve_minutes=data.resolve_minutes,
    )
    db.session.add(difficulty)
    db.session.flush()
    event = _event(difficulty, EventKind.CREATED, actor, now, note=difficulty.description)
    if data.photo is not None:
        db.session.add(
            DifficultyPhoto(
                difficulty_id=difficulty.id,
                part_id=part.id,
                constituency_id=part.constituency_id,
                district_id=part.district_id,
                width=data.photo.width,
                height=data.photo.height,
                data=data.photo.data,
            )
        )
    _refresh(difficulty, [event], now, policy)
    _notify_holders(difficulty, NoticeKind.NEW, event, exclude={actor.id})
    db.session.flush()
    audit.record(actor, "difficulty.create", difficulty, None, snapshot(difficulty))
    return difficulty


def link_or_raise(
    actor: User, part: Part, category: Category, note: str, source: Source, now=None
) -> Difficulty:
    """What a review or an inspection that notes a difficulty does: link the part's active difficulty
    of that category if there is one (a timeline entry), else open a new one.

    The part owns "one active difficulty of a category": it is locked first, so two reviews or
    visits of the part at once link one difficulty instead of opening two."""
    now = now or utcnow()
    locks.row(Part, part.id)
    existing = db.session.scalar(
        select(Difficulty)
        .where(Difficulty.part_id == part.id, Difficulty.category == category, Difficulty.status.in_(ACTIVE))
        .order_by(Difficulty.id.desc())
        .limit(1)
    )
    if existing is None:
        return raise_difficulty(
            actor,
            part,
            NewDifficulty(
                category=category.value,
                severity=Severity.HIGH.value,
                description=note[:DESCRIPTION_MAX_LENGTH],
            ),
            source,
            now,
        )
    _event(existing, EventKind.LINKED, actor, now, note=note[:NOTE_MAX_LENGTH])
    audit.record(actor, "difficulty.link", existing, None, {"source": source.value})
    return existing


# -- the workflow -------------------------------------------------------------------------------


def _event(
    difficulty: Difficulty, kind: EventKind, actor: User | None, at: datetime, **values
) -> DifficultyEvent:
    event = DifficultyEvent(
        difficulty_id=difficulty.id,
        part_id=difficulty.part_id,
        constituency_id=difficulty.constituency_id,
        district_id=difficulty.district_id,
        at=at,
        actor_id=actor.id if actor is not None else None,
        kind=kind,
        status=difficulty.status,
        level=difficulty.level,
        owner_id=difficulty.owner_id,
        **values,
    )
    db.session.add(event)
    return event


def _refresh(
    difficulty: Difficulty, events: list[DifficultyEvent], now: datetime, policy: sla.Policy
) -> sla.Clock:
    """Write the clock's derived columns from the timeline."""
    clock = sla.clock(steps_of(events), policy, now)
    difficulty.level_started_at = clock.level_started_at
    difficulty.acknowledge_due_at = clock.due_at if clock.acknowledging else None
    difficulty.resolve_due_at = None if clock.acknowledging else clock.due_at
    if difficulty.status in ACTIVE:
        difficulty.next_check_at = clock.next_check_at
    elif difficulty.status == Status.RESOLVED and difficulty.resolved_at is not None:
        difficulty.next_check_at = difficulty.resolved_at + sla.AUTO_CLOSE_AFTER
    else:
        difficulty.next_check_at = None
    return clock


def snapshot(d: Difficulty) -> dict:
    return {
        "part_id": d.part_id,
        "category": d.category.value,
        "severity": d.severity.value,
        "status": d.status.value,
        "level": d.level.value,
        "owner_id": d.owner_id,
        "resolution": d.resolution.value if d.resolution else None,
        "duplicate_of_id": d.duplicate_of_id,
        "source": d.source.value,
    }


def validate_action(difficulty: Difficulty, action: Action, data: ActionInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    note = (data.note or "").strip()
    if action == Action.RESOLVE:
        if data.resolution not in {r.value for r in Resolution}:
            errors["resolution"] = str(_l("Choose how it was resolved."))
        problem = _text_problem(note, NOTE_MAX_LENGTH, _l("Write what was done."))
        if problem:
            errors["note"] = problem
        if data.resolution == Resolution.DUPLICATE.value or action == Action.MARK_DUPLICATE:
            errors.update(_duplicate_problem(difficulty, data.duplicate_of_id))
    elif action == Action.MARK_DUPLICATE:
        errors.update(_duplicate_problem(difficulty, data.duplicate_of_id))
        problem = _text_problem(note, NOTE_MAX_LENGTH)
        if problem:
            errors["note"] = problem
    elif action == Action.COMMENT:
        problem = _text_problem(note, NOTE_MAX_LENGTH, _l("Write the comment."))
        if problem:
            errors["note"] = problem
    elif action == Action.ASSIGN:
        if data.assignee_id is None:
            errors["assignee_id"] = str(_l("Choose whom to give it to."))
    elif action == Action.REOPEN:
        problem = _text_problem(note, workflow.REOPEN_REASON_MAX, _l("Say why it is not fixed."))
        if problem:
            errors["note"] = problem
    else:
        problem = _text_problem(note, NOTE_MAX_LENGTH)
        if problem:
            errors["note"] = problem
    return errors


def _duplicate_problem(difficulty: Difficulty, original_id: int | None) -> dict[str, str]:
    if original_id is None:
        return {"duplicate_of_id": str(_l("Give the number of the difficulty it repeats."))}
    if original_id == difficulty.id:
        return {"duplicate_of_id": str(_l("A difficulty cannot repeat itself."))}
    original = db.session.get(Difficulty, original_id)
    if original is None or original.constituency_id != difficulty.constituency_id:
        return {"duplicate_of_id": str(_l("That difficulty is not one of this AC's."))}
    if original.duplicate_of_id == difficulty.id:
        return {"duplicate_of_id": str(_l("That difficulty is already marked as a repeat of this one."))}
    return {}


def assignees(difficulty: Difficulty, actor: User) -> list[User]:
    """Whom the actor may hand it to: officers of its part's supervisor, AC and district, at or below
    the actor's own level."""
    own = workflow.ROLE_LEVEL.get(actor.role)
    if own is None:
        return []
    roles = [
        role for role, level in workflow.ROLE_LEVEL.items() if level.rank <= own.rank and role != Role.STATE
    ]
    part = difficulty.part
    query = select(User).where(
        User.active.is_(True),
        User.role.in_(roles),
        or_(
            User.id == part.supervisor_id,
            and_(User.role == Role.ERO, User.constituency_id == difficulty.constituency_id),
            and_(User.role == Role.COLLECTOR, User.district_id == difficulty.district_id),
            and_(
                User.role == Role.SUPERVISOR,
                User.id.in_(
                    select(Part.supervisor_id).where(Part.constituency_id == difficulty.constituency_id)
                ),
            ),
        ),
    )
    return list(db.session.scalars(query.order_by(User.role, User.name)))


# The timeline event each action writes.
EVENT_OF_ACTION = {
    Action.ACKNOWLEDGE: EventKind.ACKNOWLEDGED,
    Action.START: EventKind.STARTED,
    Action.WAIT_BLO: EventKind.WAITING_BLO,
    Action.WAIT_HELPDESK: EventKind.WAITING_HELPDESK,
    Action.RESUME: EventKind.RESUMED,
    Action.RESOLVE: EventKind.RESOLVED,
    Action.MARK_DUPLICATE: EventKind.RESOLVED,
    Action.CONFIRM: EventKind.CONFIRMED,
    Action.REOPEN: EventKind.REOPENED,
    Action.COMMENT: EventKind.COMMENT,
    Action.ASSIGN: EventKind.ASSIGNED,
}


def perform(
    actor: User, difficulty: Difficulty, action: Action, data: ActionInput, now: datetime | None = None
) -> Difficulty:
    """Apply one action. Raises VersionConflict, NotAllowed or DifficultyError; nothing saved then."""
    now = now or utcnow()
    # The difficulty owns its one move per version: locked and read afresh, a second officer's
    # action (or the escalation job's) waits, then meets the new version.
    difficulty = locks.row(Difficulty, difficulty.id)
    if data.version is not None and data.version != difficulty.version:
        raise VersionConflict()
    held = relations_of(actor, difficulty)
    if not workflow.allowed(action, difficulty.status, held):
        raise NotAllowed()
    if action == Action.REOPEN and not workflow.may_reopen(difficulty.resolved_at, now):
        raise workflow.ReopenWindowClosed(difficulty.resolved_at)
    assignee = _checked_input(difficulty, action, data, actor)

    before = snapshot(difficulty)
    events = timeline(difficulty.id)
    policy = policy_for(
        difficulty.district_id, difficulty.category, resolve_minutes=difficulty.resolve_minutes
    )
    note = (data.note or "").strip()
    extra = _move(difficulty, action, data, held, events, now, assignee, policy.calendar)
    event = _event(difficulty, EVENT_OF_ACTION[action], actor, now, note=note, **extra)
    events.append(event)
    _refresh(difficulty, events, now, policy)
    _flush_versioned()
    _tell_about(difficulty, action, held, actor, assignee, event)
    _flush_versioned()
    after = snapshot(difficulty)
    if action == Action.REOPEN:
        after["reason"] = note  # the reporter's reason, also the timeline event's note
    audit.record(actor, f"difficulty.{action.value}", difficulty, before, after)
    return difficulty


def _checked_input(difficulty: Difficulty, action: Action, data: ActionInput, actor: User) -> User | None:
    """What the action asks for, checked (DifficultyError otherwise); the officer an assign names."""
    errors = validate_action(difficulty, action, data)
    assignee = None
    if action == Action.ASSIGN and not errors:
        assignee = next((u for u in assignees(difficulty, actor) if u.id == data.assignee_id), None)
        if assignee is None:
            errors["assignee_id"] = str(_l("Choose an officer of this part from the list."))
    if errors:
        raise DifficultyError(errors)
    return assignee


def _move(
    difficulty: Difficulty,
    action: Action,
    data: ActionInput,
    held: set[Relation],
    events: list[DifficultyEvent],
    now: datetime,
    assignee: User | None,
    calendar: sla.Calendar = sla.ROUND_THE_CLOCK,
) -> dict:
    """Move the difficulty as the action says; what its timeline event records beyond the note
    (its times to acknowledge and to resolve counted in `calendar`'s working time)."""
    extra: dict = {}
    rule = workflow.RULES[action]
    if rule.to is not None:
        difficulty.status = rule.to
    if (
        action == Action.COMMENT
        and Relation.REPORTER in held
        and difficulty.status == workflow.REPORTER_REPLY_RESUMES
    ):
        difficulty.status = Status.IN_PROGRESS
    if action in (Action.ACKNOWLEDGE, Action.MARK_DUPLICATE) and difficulty.acknowledged_at is None:
        difficulty.acknowledged_at = now
        difficulty.acknowledge_seconds = int(
            sla.business_time(steps_of(events), now, calendar).total_seconds()
        )
    if action in (Action.RESOLVE, Action.MARK_DUPLICATE):
        difficulty.resolution = (
            Resolution.DUPLICATE if action == Action.MARK_DUPLICATE else Resolution(data.resolution)
        )
        if difficulty.resolution == Resolution.DUPLICATE:
            difficulty.duplicate_of_id = data.duplicate_of_id
        difficulty.resolved_at = now
        difficulty.resolve_seconds = int(sla.business_time(steps_of(events), now, calendar).total_seconds())
        extra["resolution"] = difficulty.resolution
    if action == Action.CONFIRM:
        difficulty.closed_at = now
    if action == Action.REOPEN:
        difficulty.resolution = None
        difficulty.resolved_at = difficulty.closed_at = None
        difficulty.resolve_seconds = None
        difficulty.overdue_since = None
        level, owner_id = Officers.load([difficulty.part_id]).route(
            difficulty.level, difficulty.part_id, difficulty.constituency_id, difficulty.district_id
        )
        difficulty.level, difficulty.owner_id = level, owner_id
    if action == Action.ASSIGN:
        difficulty.owner_id = assignee.id
        new_level = workflow.ROLE_LEVEL[assignee.role]
        if new_level != difficulty.level:
            difficulty.level = new_level
            difficulty.status = Status.OPEN
    return extra


def _flush_versioned() -> None:
    """Flush; a version moved by another transaction meanwhile is a conflict."""
    try:
        db.session.flush()
    except StaleDataError as error:
        raise VersionConflict() from error


def _tell_about(
    difficulty: Difficulty,
    action: Action,
    held: set[Relation],
    actor: User,
    assignee: User | None,
    event: DifficultyEvent,
) -> None:
    """The notices of an action: to the new owner, the holders and the reporter's side."""
    if action == Action.ASSIGN and assignee.id != actor.id:
        _notify(difficulty, [assignee.id], NoticeKind.NEW, event)
    if action == Action.REOPEN:
        _notify_holders(difficulty, NoticeKind.NEW, event, exclude={actor.id})
    if Relation.REPORTER not in held or action == Action.REOPEN:
        _notify(difficulty, _reporter_side(difficulty) - {actor.id}, NoticeKind.UPDATE, event)
    elif action == Action.COMMENT:
        _notify_holders(difficulty, NoticeKind.UPDATE, event, exclude={actor.id})


def assign_each(
    scope: Scope, chosen: list[tuple[int, int]], assignee_id: int, now: datetime | None = None
) -> tuple[list[str], int]:
    """The board's bulk assign: hand each chosen difficulty (its id, and the version the board
    showed) to one officer, in the caller's transaction. The problems met (the caller must then
    roll everything back) and the status they answer with."""
    user = scope.user
    problems: list[str] = []
    status = 422
    found = {
        d.id: d
        for d in db.session.scalars(
            select(Difficulty).where(Difficulty.id.in_([i for i, _v in chosen]), scope.of(Difficulty))
        )
    }
    now = now or utcnow()
    for difficulty_id, version in sorted(chosen):
        difficulty = found.get(difficulty_id)
        try:
            if difficulty is None:
                raise NotAllowed()
            perform(
                user, difficulty, Action.ASSIGN, ActionInput(assignee_id=assignee_id, version=version), now
            )
        except VersionConflict:
            problems.append(str(_l("#%(id)s was changed by someone else a moment ago.", id=difficulty_id)))
            status = 409
            if difficulty is not None and difficulty.version != version:
                continue
            break  # the conflict surfaced on writing: the session must be rolled back now
        except NotAllowed:
            problems.append(str(_l("#%(id)s is not yours to assign now.", id=difficulty_id)))
            status = 409 if status == 409 else 403
        except DifficultyError as error:
            problems.append(str(_l("#%(id)s: %(problem)s", id=difficulty_id, problem=error)))
    return problems, status


def _reporter_side(difficulty: Difficulty) -> set[int]:
    return {i for i in (difficulty.reporter_id, difficulty.blo_id) if i is not None}


def _notify(
    difficulty: Difficulty, user_ids: Iterable[int], kind: NoticeKind, event: DifficultyEvent | None
) -> None:
    for user_id in sorted(set(user_ids)):
        db.session.add(
            Notification(
                user_id=user_id,
                difficulty_id=difficulty.id,
                event_id=event.id if event is not None and event.id else None,
                kind=kind,
                level=difficulty.level,
            )
        )


def _notify_holders(difficulty: Difficulty, kind: NoticeKind, event, exclude: set[int] = frozenset()) -> None:
    if difficulty.owner_id is not None:
        holders = [difficulty.owner_id]
    else:
        holders = Officers.load([difficulty.part_id]).holders(
            difficulty.level, difficulty.part_id, difficulty.constituency_id, difficulty.district_id
        )
    db.session.flush()
    _notify(difficulty, set(holders) - set(exclude), kind, event)


def mark_read(user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notices read (all of them when no ids are given); returns how many."""
    query = (
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if notification_ids is not None:
        query = query.where(Notification.id.in_(list(notification_ids)))
    return db.session.execute(query).rowcount


# -- escalation ---------------------------------------------------------------------------------


@dataclass
class Escalation:
    checked: int = 0
    notices: int = 0
    overdue: int = 0
    escalated: int = 0
    auto_closed: int = 0
    # due rows an officer changed while the run read them: nothing written for them this time
    lost: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


_D = Difficulty.__table__
_E = DifficultyEvent.__table__
_N = Notification.__table__
_A = AuditEntry.__table__

_UPDATE_DUE = (
    update(_D)
    .where(_D.c.id == bindparam("b_id"), _D.c.version == bindparam("b_version"))
    .values(
        status=bindparam("b_status"),
        level=bindparam("b_level"),
        owner_id=bindparam("b_owner_id"),
        level_started_at=bindparam("b_level_started_at"),
        acknowledge_due_at=bindparam("b_acknowledge_due_at"),
        resolve_due_at=bindparam("b_resolve_due_at"),
        next_check_at=bindparam("b_next_check_at"),
        overdue_since=bindparam("b_overdue_since"),
        closed_at=bindparam("b_closed_at"),
        version=bindparam("b_version") + 1,
    )
)


def escalate(
    now: datetime | None = None, batch_size: int = 5000, only_ids: Iterable[int] | None = None
) -> Escalation:
    """Write every notice, breach, climb and automatic close that is due by `now` (of the
    difficulties `only_ids` names, when given). Idempotent: what it writes moves each difficulty's
    next check past `now`, so a second run finds nothing.

    A handful of statements per batch of due difficulties, whatever their number: the due ones are
    found by the (status, next_check_at) index, their timelines read in one query, and the changes
    written with executemany.
    """
    now = now or utcnow()
    result = Escalation()
    only = None if only_ids is None else sorted(set(only_ids))
    if only is not None and not only:
        return result
    last_id = 0
    while True:
        due = db.session.execute(
            select(
                _D.c.id,
                _D.c.part_id,
                _D.c.constituency_id,
                _D.c.district_id,
                _D.c.category,
                _D.c.status,
                _D.c.level,
                _D.c.owner_id,
                _D.c.overdue_since,
                _D.c.resolved_at,
                _D.c.version,
                _D.c.resolve_minutes,
            )
            .where(
                _D.c.status.in_([s.value for s in (*RUNNING, Status.RESOLVED)]),
                _D.c.next_check_at <= now,
                _D.c.id > last_id,
                *([] if only is None else [_D.c.id.in_(only)]),
            )
            .order_by(_D.c.id)
            .limit(batch_size)
        ).all()
        if not due:
            break
        last_id = due[-1].id
        _escalate_batch(due, now, result)
    return result


_KINDS = {kind: kind for kind in EventKind}
_STATUSES = {status: status for status in Status}
_LEVELS = {level: level for level in Level}


def _escalate_batch(due, now: datetime, result: Escalation) -> None:
    batch = _Batch(due, now)
    for row in due:
        result.checked += 1
        batch.check(row)
    batch.write(result)


def _timelines(ids: list[int]) -> dict[int, list[sla.Step]]:
    """The steps of each difficulty's timeline, in one query."""
    steps: dict[int, list[sla.Step]] = defaultdict(list)
    # fetched at once, members looked up in dicts: a batch reads tens of thousands of events
    for difficulty_id, at, kind, status, level, percent in db.session.execute(
        select(_E.c.difficulty_id, _E.c.at, _E.c.kind, _E.c.status, _E.c.level, _E.c.percent)
        .where(_E.c.difficulty_id.in_(ids))
        .order_by(_E.c.difficulty_id, _E.c.id)
    ).all():
        steps[difficulty_id].append(sla.Step(at, _KINDS[kind], _STATUSES[status], _LEVELS[level], percent))
    return steps


class _Batch:
    """One batch of due difficulties: the events, notices, updates and audit entries the run writes
    for them, gathered row by row, then written with executemany."""

    def __init__(self, due, now: datetime):
        self.now = now
        self.steps = _timelines([row.id for row in due])
        self.known = policies({row.district_id for row in due})
        self.hours = calendars({row.district_id for row in due})
        self.officers = Officers.load(row.part_id for row in due)
        self.events: list[dict] = []
        self.notices: list[dict] = []
        self.updates: list[dict] = []
        self.audits: list[dict] = []
        # The counts each row would add: kept only if its update lands.
        self.gains: dict[int, list[str]] = defaultdict(list)

    def add_event(self, row, kind, status, level, owner_id, percent=None) -> None:
        self.events.append(
            {
                "difficulty_id": row.id,
                "part_id": row.part_id,
                "constituency_id": row.constituency_id,
                "district_id": row.district_id,
                "at": self.now,
                "actor_id": None,
                "kind": kind.value,
                "status": status.value,
                "level": level.value,
                "owner_id": owner_id,
                "percent": percent,
                "resolution": None,
                "note": "",
            }
        )
        self.steps[row.id].append(sla.Step(self.now, kind, status, level, percent))

    def notify(self, row, user_ids, kind, level) -> None:
        for user_id in sorted(set(user_ids)):
            self.notices.append(
                {
                    "user_id": user_id,
                    "difficulty_id": row.id,
                    "event_id": None,
                    "kind": kind.value,
                    "level": level.value,
                    "created_at": self.now,
                    "read_at": None,
                }
            )

    def holders(self, row, level: Level, owner_id: int | None) -> list[int]:
        if owner_id:
            return [owner_id]
        return self.officers.holders(level, row.part_id, row.constituency_id, row.district_id)

    def check(self, row) -> None:
        """What is due for one row: its automatic close, or its clock's notice or breach and climb."""
        status, level, owner_id = Status(row.status), Level(row.level), row.owner_id
        overdue_since, closed_at, clock, next_check = row.overdue_since, None, None, None
        if status == Status.RESOLVED:
            if row.resolved_at is None or row.resolved_at + sla.AUTO_CLOSE_AFTER > self.now:
                return
            status, closed_at = Status.CLOSED, self.now
            self.add_event(row, EventKind.AUTO_CLOSED, status, level, owner_id)
            self.gains[row.id].append("auto_closed")
        else:
            status, level, owner_id, overdue_since, clock = self._run_clock(row, status, level, owner_id)
            next_check = clock.next_check_at
        self._record(row, status, level, owner_id, overdue_since, closed_at, clock, next_check)

    def _run_clock(self, row, status: Status, level: Level, owner_id: int | None):
        """A running clock's notice, or its breach; the row's status, level, owner and overdue
        time after it, and its clock."""
        policy = policy_for(
            row.district_id, Category(row.category), self.known, row.resolve_minutes, self.hours
        )
        steps = self.steps[row.id]
        clock = sla.clock(steps, policy, self.now)
        crossed = clock.crossed()
        if not crossed:
            return status, level, owner_id, row.overdue_since, clock
        holders = self.holders(row, level, owner_id)
        overdue_since = row.overdue_since
        if crossed[-1] < sla.BREACH_PERCENT:
            percent = crossed[-1]
            self.add_event(row, EventKind.NOTICE, status, level, owner_id, percent)
            self.notify(row, holders, NoticeKind.HALF if percent == 50 else NoticeKind.THREE_QUARTERS, level)
            self.gains[row.id].append("notices")
        else:
            overdue_since = overdue_since or self.now
            status, level, owner_id = self._breach(row, status, level, owner_id, holders)
        return status, level, owner_id, overdue_since, sla.clock(steps, policy, self.now)

    def _breach(self, row, status: Status, level: Level, owner_id: int | None, holders: list[int]):
        """Overdue: noted and its holders told; below the state office it climbs a level."""
        self.add_event(row, EventKind.OVERDUE, status, level, owner_id, sla.BREACH_PERCENT)
        self.gains[row.id].append("overdue")
        self.notify(row, holders, NoticeKind.BREACH, level)
        if level.above is None:
            return status, level, owner_id
        new_level, new_owner = self.officers.route(
            level.above, row.part_id, row.constituency_id, row.district_id
        )
        status, level, owner_id = Status.OPEN, new_level, new_owner
        self.add_event(row, EventKind.ESCALATED, status, level, owner_id)
        self.notify(row, self.holders(row, level, new_owner), NoticeKind.ESCALATED_TO_YOU, level)
        self.gains[row.id].append("escalated")
        return status, level, owner_id

    def _record(self, row, status, level, owner_id, overdue_since, closed_at, clock, next_check) -> None:
        """The row's update, and its audit entry when it moved (or closed)."""
        self.updates.append(
            {
                "b_id": row.id,
                "b_version": row.version,
                "b_status": status.value,
                "b_level": level.value,
                "b_owner_id": owner_id,
                "b_level_started_at": clock.level_started_at if clock else None,
                "b_acknowledge_due_at": clock.due_at if clock and clock.acknowledging else None,
                "b_resolve_due_at": clock.due_at if clock and not clock.acknowledging else None,
                "b_next_check_at": next_check,
                "b_overdue_since": overdue_since,
                "b_closed_at": closed_at,
            }
        )
        if (
            clock is None
            or status != Status(row.status)
            or level != Level(row.level)
            or overdue_since != row.overdue_since
        ):
            self.audits.append(
                {
                    "at": self.now,
                    "actor_id": None,
                    "action": "difficulty.escalate",
                    "object_type": "Difficulty",
                    "object_id": str(row.id),
                    "before": {"status": row.status, "level": row.level},
                    "after": {"status": status.value, "level": level.value},
                    "remote_addr": None,
                }
            )

    def write(self, result: Escalation) -> None:
        """Write what was gathered, for the rows no officer changed meanwhile; count it in `result`."""
        connection = db.session.connection()
        # level_started_at stays as it was when there is no clock (a closed difficulty).
        for values in self.updates:
            if values["b_level_started_at"] is None:
                values["b_level_started_at"] = next(r.at for r in reversed(self.steps[values["b_id"]]))
        lost = self._lost(connection)
        kept = [values for values in self.updates if values["b_id"] not in lost]
        if kept:
            connection.execute(_UPDATE_DUE, kept)
        events = [e for e in self.events if e["difficulty_id"] not in lost]
        notices = [n for n in self.notices if n["difficulty_id"] not in lost]
        audits = [a for a in self.audits if int(a["object_id"]) not in lost]
        for row_id, names in self.gains.items():
            if row_id not in lost:
                for name in names:
                    setattr(result, name, getattr(result, name) + 1)
        result.lost += len(lost)
        if events:
            connection.execute(insert(_E), events)
        if notices:
            connection.execute(insert(_N), notices)
        if audits:
            connection.execute(insert(_A), audits)

    def _lost(self, connection) -> set[int]:
        """The rows whose version moved since they were read.

        An officer who acted since the rows were read wins, and the climb did not happen: the rows
        are locked (FOR NO KEY UPDATE; SQLite's write lock), those whose version moved are dropped
        with their events, notices and audit entries, and the rest are updated in one executemany,
        still conditional on the version, which the lock now holds still."""
        ids = [values["b_id"] for values in self.updates]
        current: dict[int, int] = {}
        if ids:
            locks.write_lock()
            current = dict(
                connection.execute(
                    select(_D.c.id, _D.c.version).where(_D.c.id.in_(ids)).with_for_update(key_share=True)
                ).all()
            )
        return {
            values["b_id"] for values in self.updates if current.get(values["b_id"]) != values["b_version"]
        }
