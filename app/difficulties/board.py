"""The officers' board: its filters, its one query for a page of rows, the time each row has left,
and whom its bulk assign may hand difficulties to. The exports' "difficulties" table reads the same
filters and query, so a download holds what the board shows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from app.difficulties import services, sla, workflow
from app.difficulties.models import (
    ACTIVE,
    RUNNING,
    WAITING,
    Category,
    Difficulty,
    Level,
    Notification,
    Source,
    Status,
)
from app.extensions import db
from app.inputs import BadArgument
from app.models import Constituency, District, Part, Role, User
from app.scope import Scope

STATUS_CHOICES = ("active", *(s.value for s in Status), "all")
OWNER_CHOICES = ("mine", *(level.value for level in Level))
FILTER_NAMES = ("status", "category", "owner", "overdue", "source")


@dataclass(frozen=True)
class BoardFilters:
    """The board's own controls; the district, AC and page are the list form's (app/lists.py)."""

    status: str = "active"
    category: Category | None = None
    owner: str | None = None
    overdue: bool = False
    source: Source | None = None

    @classmethod
    def parse(cls, args: Mapping[str, str]) -> BoardFilters:
        """Read from a query string; a value the board does not offer is a 400 naming it."""

        def option(name: str, options) -> str | None:
            text = (args.get(name) or "").strip()
            if not text:
                return None
            if text not in options:
                raise BadArgument(name, text)
            return text

        status = option("status", STATUS_CHOICES) or "active"
        category = option("category", [c.value for c in Category])
        source = option("source", [s.value for s in Source])
        return cls(
            status=status,
            category=Category(category) if category else None,
            owner=option("owner", OWNER_CHOICES),
            overdue=option("overdue", ("1",)) == "1",
            source=Source(source) if source else None,
        )

    def conditions(self, user: User, now: datetime) -> list[ColumnElement[bool]]:
        found = []
        if self.status == "active":
            found.append(Difficulty.status.in_(ACTIVE))
        elif self.status != "all":
            found.append(Difficulty.status == Status(self.status))
        if self.category is not None:
            found.append(Difficulty.category == self.category)
        if self.owner == "mine":
            found.append(services.queue_condition(user))
        elif self.owner is not None:
            found.append(Difficulty.level == Level(self.owner))
        if self.overdue:
            found.append(overdue_condition(now))
        if self.source is not None:
            found.append(Difficulty.source == self.source)
        return found

    def ordering(self) -> tuple | None:
        """ "Waiting on me" is worked through by the time left on each one's clock: the overdue
        first, then the soonest due, the paused last; the rest of the board lists newest first."""
        if self.owner != "mine":
            return None
        return time_left_order()

    @property
    def args(self) -> dict[str, str]:
        """The filters as query arguments (the defaults left out), for links and downloads."""
        found = {
            "status": self.status if self.status != "active" else None,
            "category": self.category.value if self.category else None,
            "owner": self.owner,
            "overdue": "1" if self.overdue else None,
            "source": self.source.value if self.source else None,
        }
        return {name: value for name, value in found.items() if value}


def overdue_condition(now: datetime) -> ColumnElement[bool]:
    """Active and past its time: marked by the escalation job, or due already and not yet checked."""
    return and_(
        Difficulty.status.in_(ACTIVE),
        or_(
            Difficulty.overdue_since.is_not(None),
            and_(Difficulty.status.in_(RUNNING), Difficulty.acknowledge_due_at <= now),
            and_(Difficulty.status.in_(RUNNING), Difficulty.resolve_due_at <= now),
        ),
    )


def time_left_order() -> tuple:
    """By the due time of the running clock (past ones first, being the earliest); paused and
    stopped ones, which have none, after them, newest first."""
    due = func.coalesce(Difficulty.acknowledge_due_at, Difficulty.resolve_due_at)
    return (
        case((due.is_(None), 1), else_=0),
        due,
        Difficulty.opened_at.desc(),
        Difficulty.id.desc(),
    )


NEWEST_FIRST = (Difficulty.opened_at.desc(), Difficulty.id.desc())


def narrowing_conditions(district: District | None, constituency: Constituency | None) -> list:
    found = []
    if district is not None:
        found.append(Difficulty.district_id == district.id)
    if constituency is not None:
        found.append(Difficulty.constituency_id == constituency.id)
    return found


def board_query(scope: Scope, conditions: list, order: tuple | None = None) -> Select:
    """One query for the rows: the difficulty's columns with its AC, part and owner's names, newest
    first unless `order` says otherwise."""
    owner = aliased(User)
    return (
        select(
            Difficulty.id,
            Difficulty.opened_at,
            Difficulty.category,
            Difficulty.severity,
            Difficulty.status,
            Difficulty.level,
            Difficulty.source,
            Difficulty.version,
            Difficulty.owner_id,
            Difficulty.acknowledge_due_at,
            Difficulty.resolve_due_at,
            Difficulty.overdue_since,
            Difficulty.resolution,
            Difficulty.acknowledged_at,
            Difficulty.resolved_at,
            Difficulty.closed_at,
            Difficulty.acknowledge_seconds,
            Difficulty.resolve_seconds,
            Difficulty.duplicate_of_id,
            Difficulty.district_id,
            Constituency.number.label("ac_number"),
            Part.number.label("part_number"),
            Part.name_en.label("part_name_en"),
            Part.name_hi.label("part_name_hi"),
            owner.name.label("owner_name"),
        )
        .join(Part, Part.id == Difficulty.part_id)
        .join(Constituency, Constituency.id == Difficulty.constituency_id)
        .outerjoin(owner, owner.id == Difficulty.owner_id)
        .where(scope.of(Difficulty), *conditions)
        .order_by(*(order or NEWEST_FIRST))
    )


@dataclass(frozen=True)
class TimeLeft:
    """What the board's time column says: overdue (by how long), time left, paused, or stopped."""

    state: str  # "overdue", "left", "paused", "stopped"
    delta: timedelta | None = None
    due_at: datetime | None = None
    # It climbed past an earlier level's time: the time left is the new level's own.
    climbed: bool = False

    @property
    def overdue(self) -> bool:
        return self.state == "overdue"


def time_left(row, now: datetime, calendar: sla.Calendar = sla.ROUND_THE_CLOCK) -> TimeLeft:
    """From the due times the timeline wrote at the last event: no timeline read per row. The time
    left (or past) is working time of `calendar`, as the clock counts it."""
    status = Status(row.status)
    if status not in ACTIVE:
        return TimeLeft("stopped")
    due = row.acknowledge_due_at or row.resolve_due_at
    if status in WAITING or due is None:
        return TimeLeft("overdue" if row.overdue_since else "paused")
    if due <= now:
        return TimeLeft("overdue", calendar.between(due, now), due)
    # Past an earlier level's time, it climbed: the new owner has their level's own time.
    return TimeLeft("left", calendar.between(now, due), due, climbed=row.overdue_since is not None)


def row_calendars(rows) -> list[sla.Calendar]:
    """The working time each board row's clock counts, for its time left: two queries a page."""
    hours = services.calendars({row.district_id for row in rows})
    return [services.calendar_of(row.district_id, Category(row.category), hours) for row in rows]


def assignee_choices(scope: Scope, user: User, constituency_ids: list[int] | None) -> list[User]:
    """Whom the bulk assign offers: officers at or below the user's level who hold a place among
    the ACs shown (their supervisors, their EROs, their district's collector). None: too wide a view
    (the whole state) to offer a list; the state narrows to a district first."""
    own = workflow.ROLE_LEVEL.get(user.role)
    if own is None or constituency_ids is None:
        return []
    roles = [r for r, level in workflow.ROLE_LEVEL.items() if level.rank <= own.rank and r != Role.STATE]
    districts = select(Constituency.district_id).where(Constituency.id.in_(constituency_ids))
    supervisors = select(Part.supervisor_id).where(Part.constituency_id.in_(constituency_ids))
    if user.role == Role.SUPERVISOR:
        supervisors = supervisors.where(scope.part_filter())
    query = select(User).where(
        User.active.is_(True),
        User.role.in_(roles),
        or_(
            and_(User.role == Role.SUPERVISOR, User.id.in_(supervisors)),
            and_(User.role == Role.ERO, User.constituency_id.in_(constituency_ids)),
            and_(User.role == Role.COLLECTOR, User.district_id.in_(districts)),
        ),
    )
    return list(db.session.scalars(query.order_by(User.role, User.name)))


def shown_constituencies(
    scope: Scope, district: District | None, constituency: Constituency | None
) -> list[int] | None:
    """The ACs a board shows, for its assignee list; None for the whole state."""
    if constituency is not None:
        return [constituency.id]
    if district is not None:
        return list(
            db.session.scalars(select(Constituency.id).where(Constituency.district_id == district.id))
        )
    if scope.sees_whole_state:
        return None
    return list(db.session.scalars(select(Constituency.id).where(scope.constituency_filter())))


def badge_counts(user: User) -> tuple[int, int]:
    """The queue waiting on the user and their unread notices, in one query."""
    queue = select(func.count(Difficulty.id)).where(services.queue_condition(user)).scalar_subquery()
    unread = (
        select(func.count(Notification.id))
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .scalar_subquery()
    )
    row = db.session.execute(select(queue, unread)).one()
    return row[0] or 0, row[1] or 0
