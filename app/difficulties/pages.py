"""The difficulties' read side: what each screen shows, built from the reader's scope and plain
arguments (the controls a route has read, a message), never from the request.

Other features read here too: the BLO's home page shows the three taps and their latest
difficulties (blank_form_context, latest_own).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import current_app, url_for
from flask_babel import format_date
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from app.access import may
from app.difficulties import labels, services, sla, workflow
from app.difficulties.board import (
    OWNER_CHOICES,
    STATUS_CHOICES,
    BoardFilters,
    assignee_choices,
    board_query,
    narrowing_conditions,
    row_calendars,
    shown_constituencies,
    time_left,
)
from app.difficulties.figures import figures, overall
from app.difficulties.forms import (
    MAX_ACKNOWLEDGE_HOURS,
    MAX_RESOLVE_HOURS,
    ROUTE_LEVELS,
    DifficultyForm,
    RoutingForm,
)
from app.difficulties.models import (
    Category,
    Difficulty,
    DifficultyEvent,
    DifficultyPhoto,
    Notification,
    Resolution,
    Source,
)
from app.difficulties.workflow import Action
from app.extensions import db
from app.lists import ListForm
from app.models import Constituency, District, Part
from app.scope import Scope
from app.timeutil import utcnow

# Up to this many parts are offered as a choice; beyond it the officer raises it from the part's page.
PART_CHOICES = 30

# -- the board -----------------------------------------------------------------------------------


def _place_choices(scope: Scope) -> tuple[list, list]:
    """The state narrows by district; a collector (or anyone spanning several ACs) by AC."""
    if scope.sees_whole_state:
        return db.session.scalars(scope.districts().order_by(District.name_en)).all(), []
    acs = db.session.scalars(scope.constituencies().order_by(Constituency.number)).all()
    return [], (acs if len(acs) > 1 else [])


def board_context(
    scope: Scope,
    controls: ListForm,
    filters: BoardFilters,
    message: str | None = None,
    level: str = "success",
) -> dict:
    """The board: a page of rows with their time left, its filters and whom the bulk assign offers."""
    user = scope.user
    now = utcnow()
    conditions = [
        *filters.conditions(user, now),
        *narrowing_conditions(controls.district, controls.constituency),
    ]
    pages = controls.paginate(
        board_query(scope, conditions, filters.ordering()), current_app.config["PAGE_SIZE"]
    )
    districts, constituencies = _place_choices(scope)
    args = {**filters.args, **controls.narrowing}
    return {
        "pages": pages,
        "rows": [
            (row, time_left(row, now, calendar))
            for row, calendar in zip(pages.items, row_calendars(pages.items), strict=True)
        ],
        "filters": filters,
        "args": args,
        "narrowing": controls.narrowing,
        "districts": districts,
        "constituencies": constituencies,
        "queue": services.queue_count(user),
        "assignees": assignee_choices(
            scope, user, shown_constituencies(scope, controls.district, controls.constituency)
        ),
        "status_choices": STATUS_CHOICES,
        "owner_choices": OWNER_CHOICES,
        "categories": list(Category),
        "sources": list(Source),
        "message": message,
        "message_level": level,
        "board_url": url_for("difficulties.board", **args, page=pages.page if pages.page > 1 else None),
    }


# -- one difficulty ------------------------------------------------------------------------------

# Actions that ask for more than a tap: they have their own form on the page.
FORM_ACTIONS = {Action.RESOLVE, Action.COMMENT, Action.ASSIGN, Action.MARK_DUPLICATE, Action.REOPEN}


def _events(difficulty: Difficulty) -> list[DifficultyEvent]:
    return list(
        db.session.scalars(
            select(DifficultyEvent)
            .where(DifficultyEvent.difficulty_id == difficulty.id)
            .options(selectinload(DifficultyEvent.actor), selectinload(DifficultyEvent.owner))
            .order_by(DifficultyEvent.id)
        )
    )


def _hints(scope: Scope, difficulty: Difficulty, actions, now: datetime) -> list[Difficulty]:
    """The active difficulties it may repeat, among those the reader may see."""
    if Action.MARK_DUPLICATE not in actions and not difficulty.is_active:
        return []
    hints = services.duplicate_hints(difficulty.constituency_id, difficulty.category, now, difficulty.id)
    if not hints:
        return hints
    visible = set(
        db.session.scalars(
            select(Difficulty.id).where(Difficulty.id.in_([h.id for h in hints]), scope.of(Difficulty))
        )
    )
    return [h for h in hints if h.id in visible]


def photo_of(difficulty: Difficulty) -> DifficultyPhoto | None:
    return db.session.scalar(select(DifficultyPhoto).where(DifficultyPhoto.difficulty_id == difficulty.id))


def _has_photo(difficulty: Difficulty) -> bool:
    found = db.session.scalar(
        select(DifficultyPhoto.id).where(DifficultyPhoto.difficulty_id == difficulty.id)
    )
    return found is not None


def part_open_to(scope: Scope, part_id: int) -> bool:
    """Whether the reader may open the part's progress page: the route allows their role and the
    part lies in their scope (a BLO who reported from a part no longer theirs may not)."""
    if not may(scope.role, "progress.part", {"part_id": part_id}):
        return False
    return db.session.scalar(select(Part.id).where(Part.id == part_id, scope.part_filter())) is not None


def show_context(
    scope: Scope, difficulty: Difficulty, *, message=None, level="info", errors=None, failed=None, sent=None
) -> dict:
    """One difficulty's page: its timeline and clock, and the actions its reader may take now
    (`failed`, `errors` and `sent`: a refused action's form, shown back as it was sent)."""
    user = scope.user
    now = utcnow()
    events = _events(difficulty)
    clock = services.live_clock(difficulty, events, now)
    held = services.relations_of(user, difficulty)
    actions = workflow.allowed_actions(
        difficulty.status, held, reopenable=workflow.may_reopen(difficulty.resolved_at, now)
    )
    return {
        "d": difficulty,
        "part": difficulty.part,
        "part_link": part_open_to(scope, difficulty.part_id),
        "events": events,
        "clock": clock,
        "overdue": difficulty.is_overdue or (clock.running and clock.breached),
        "actions": actions,
        "simple_actions": [a for a in actions if a not in FORM_ACTIONS],
        "hints": _hints(scope, difficulty, actions, now),
        "has_photo": _has_photo(difficulty),
        "assignees": services.assignees(difficulty, user) if Action.ASSIGN in actions else [],
        "resolutions": list(Resolution),
        "reopen_until": workflow.reopen_until(difficulty.resolved_at) if Action.REOPEN in actions else None,
        "reopen_days": sla.REOPEN_WITHIN.days,
        "reopen_max": workflow.REOPEN_REASON_MAX,
        # The officers' answers are theirs: a BLO writing on their own difficulty is offered none.
        "responses": labels.responses(difficulty.category) if workflow.answers_as_officer(held) else [],
        "message": message,
        "message_level": level,
        "errors": errors or {},
        "failed": failed,
        "sent": sent or {},
        "now": now,
    }


# -- notices -------------------------------------------------------------------------------------


def notifications_context(scope: Scope, controls: ListForm, message: str | None = None) -> dict:
    """The reader's notices, newest first, each with its difficulty's category, status and place."""
    user = scope.user
    query = (
        select(
            Notification,
            Difficulty.category,
            Difficulty.status,
            Constituency.number.label("ac_number"),
            Part.number.label("part_number"),
        )
        .join(Difficulty, Difficulty.id == Notification.difficulty_id)
        .join(Part, Part.id == Difficulty.part_id)
        .join(Constituency, Constituency.id == Difficulty.constituency_id)
        # A notice is its addressee's alone (the scope's owner rule); it carries no place of its own.
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    pages = controls.paginate(query, current_app.config["PAGE_SIZE"])
    return {"pages": pages, "unread": services.unread_count(user), "message": message}


# -- a district's routing ------------------------------------------------------------------------


def _hours_text(minutes: float) -> str:
    hours = minutes / 60
    return str(int(hours)) if hours == int(hours) else f"{hours:.2f}".rstrip("0")


def routing_rows(district: District, posted: RoutingForm | None = None) -> list[dict]:
    """Each category's route in the district (the default where none is saved), or, for a refused
    form, as it was typed."""
    saved = services.policies([district.id])
    rows = []
    for category in Category:
        default = sla.DEFAULT_POLICIES[category]
        policy = saved.get((district.id, category), default)
        row = {
            "category": category,
            "default": default,
            "default_acknowledge": _hours_text(default.acknowledge.total_seconds() / 60),
            "default_resolve": _hours_text(default.resolve.total_seconds() / 60),
            "first_level": policy.first_level.value,
            "acknowledge": _hours_text(policy.acknowledge.total_seconds() / 60),
            "resolve": _hours_text(policy.resolve.total_seconds() / 60),
            "changed": (district.id, category) in saved and policy != default,
        }
        if posted is not None:
            for name in ("first_level", "acknowledge", "resolve"):
                row[name] = posted.typed(category, name)
        rows.append(row)
    return rows


def routing_context(scope: Scope, district: District | None, editable: bool) -> dict:
    """The routing page without its rows: the collector edits their district's, the state office
    picks a district to read."""
    return {
        "district": district,
        "editable": editable,
        "levels": ROUTE_LEVELS,
        "districts": []
        if editable
        else db.session.scalars(scope.districts().order_by(District.name_en)).all(),
        "errors": {},
        "message": None,
        "limits": {"acknowledge": MAX_ACKNOWLEDGE_HOURS, "resolve": MAX_RESOLVE_HOURS},
    }


# -- a district's working hours ------------------------------------------------------------------

A_MONDAY = date(2024, 1, 1)


def clock_text(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def working_hours_context(
    scope: Scope, district: District | None, editable: bool, typed: dict | None = None
) -> dict:
    """The working hours page: the district's hours, weekdays and holidays as saved (or, for a
    refused form, as typed), one blank row for a new holiday, and the weekdays' names."""
    context = {
        "district": district,
        "editable": editable,
        "districts": []
        if editable
        else db.session.scalars(scope.districts().order_by(District.name_en)).all(),
        "weekday_names": [
            (str(i), format_date(A_MONDAY + timedelta(days=i - 1), "EEEE")) for i in range(1, 8)
        ],
        "errors": {},
        "message": None,
    }
    if district is None:
        return context
    if typed is None:
        saved = services.WorkingTime.of(district.id)
        typed = {
            "opens": clock_text(saved.opens),
            "closes": clock_text(saved.closes),
            "weekdays": {str(d) for d in saved.weekdays},
            "holidays": [(day.isoformat(), name, False) for day, name in saved.holidays.items()],
        }
    return {**context, **typed, "round_the_clock": sorted(sla.ROUND_THE_CLOCK_CATEGORIES)}


# -- figures -------------------------------------------------------------------------------------


def figures_context(scope: Scope) -> dict:
    """How fast the scope clears its difficulties, by category and by level, and how each was
    resolved: three grouped queries."""
    condition = scope.of(Difficulty)
    return {
        "total": overall(condition),
        "by_category": figures(condition, "category"),
        "by_level": figures(condition, "level"),
        "resolutions": list(Resolution),
    }


# -- raising one, and the BLO's own ----------------------------------------------------------------


def parts_to_choose(scope: Scope) -> list[Part]:
    """The user's parts, when few enough to offer as a choice (one more than the limit: too many)."""
    return list(
        db.session.scalars(
            scope.parts()
            .options(joinedload(Part.constituency))
            .order_by(Part.constituency_id, Part.number)
            .limit(PART_CHOICES + 1)
        )
    )


def place(scope: Scope, part_id: int | None) -> tuple[Part | None, list[Part]]:
    """The part asked for (through the scope: 403 for another's), else the user's only part; and the
    parts to choose from when neither settles it."""
    if part_id is not None:
        return scope.require_part(part_id), []
    parts = parts_to_choose(scope)
    if len(parts) == 1:
        return parts[0], []
    return None, parts


def _with_places(difficulties: list[Difficulty]) -> list[Difficulty]:
    """Load the hints' parts and ACs in one query, not one per hint."""
    part_ids = {d.part_id for d in difficulties}
    if part_ids:
        db.session.scalars(
            select(Part).options(joinedload(Part.constituency)).where(Part.id.in_(part_ids))
        ).all()
    return difficulties


def form_context(scope: Scope, part: Part | None, parts: list[Part], form: DifficultyForm, **extra) -> dict:
    """What templates/difficulties/_form.html needs; the home page builds it the same way."""
    hints = extra.pop("hints", None)
    if hints is None and part is not None and form.category.data in {c.value for c in Category}:
        hints = services.duplicate_hints(part.constituency_id, Category(form.category.data), utcnow())
    _with_places(hints or [])
    return {
        "form": form,
        "part": part,
        "parts": parts if len(parts) <= PART_CHOICES else [],
        "too_many_parts": len(parts) > PART_CHOICES,
        "hints": hints or [],
        "action": url_for("difficulties.new", part_id=part.id if part is not None else None),
        **extra,
    }


def hints_context(scope: Scope, part: Part | None, parts: list[Part], category: str) -> dict:
    """The form's hints block: the open difficulties of the category in the part's AC from the last
    24 hours."""
    form = DifficultyForm(formdata=None, parts=parts)
    form.category.data = category
    found = []
    if part is not None and category in {c.value for c in Category}:
        found = services.duplicate_hints(part.constituency_id, Category(category), utcnow())
    return form_context(scope, part, parts, form, hints=found)


def blank_form_context(scope: Scope) -> dict | None:
    """The form for the BLO's home page, or None when the user holds no part."""
    part, parts = place(scope, None)
    if part is None and not parts:
        return None
    return form_context(scope, part, parts, DifficultyForm(formdata=None, parts=parts))


def own_difficulties(scope: Scope):
    """The difficulties of the user's parts (and those they reported), newest first."""
    return (
        select(Difficulty)
        .where(scope.of(Difficulty))
        .options(joinedload(Difficulty.owner), joinedload(Difficulty.part).joinedload(Part.constituency))
        .order_by(Difficulty.opened_at.desc(), Difficulty.id.desc())
    )


def last_updates(difficulties) -> dict[int, object]:
    """When each difficulty's timeline last moved, in one grouped query."""
    ids = [d.id for d in difficulties]
    if not ids:
        return {}
    return dict(
        db.session.execute(
            select(DifficultyEvent.difficulty_id, func.max(DifficultyEvent.at))
            .where(DifficultyEvent.difficulty_id.in_(ids))
            .group_by(DifficultyEvent.difficulty_id)
        ).all()
    )


def latest_own(scope: Scope, limit: int = 5) -> tuple[list[Difficulty], dict]:
    """The BLO's home page: their latest difficulties and when each last changed."""
    found = list(db.session.scalars(own_difficulties(scope).limit(limit)).unique())
    return found, last_updates(found)


def mine_context(scope: Scope, controls: ListForm) -> dict:
    """The BLO's difficulties, newest first, each with where it stands and its last update."""
    pages = controls.paginate(own_difficulties(scope), current_app.config["PAGE_SIZE"])
    return {"pages": pages, "last_update": last_updates(pages.items)}
