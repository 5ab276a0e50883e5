"""What the coverage page, the map and the exports read about inspections: the window of the last
N days, the district's default N, and the visits as rows. Grouped queries, no request."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased

from app.campaign.clock import campaign_zone
from app.inspections import services
from app.inspections.models import ActionItem, Inspection, Stop
from app.models import Constituency, District, Part, User
from app.scope import Scope

MAX_DAYS = 90


def window_start(today: date, days: int) -> datetime:
    """The first moment of the last `days` days (today included), campaign time, as stored (UTC)."""
    local = datetime.combine(today - timedelta(days=days - 1), time(0), tzinfo=campaign_zone())
    return local.astimezone(UTC).replace(tzinfo=None)


def default_days(scope: Scope, district: District | None, constituency: Constituency | None) -> int:
    """The district's stale-after days: after them a part counts as not inspected."""
    district_id = (
        (district.id if district else None)
        or (constituency.district_id if constituency else None)
        or scope.user.district_id
        or (scope.user.constituency.district_id if scope.user.constituency else None)
    )
    settings = services.settings_for(district_id) if district_id else services.Settings()
    return settings.stale_after_days


def visits_query(condition, first: date | None = None) -> Select:
    """One row per stop of the inspections matching `condition` (from `first` on): the day, the
    inspector, the place, what was found, the inspection's status (a pending stop of an ended one was
    not reached), the difficulty and how many action items. One query."""
    inspector = aliased(User)
    actions = (
        select(ActionItem.stop_id, func.count(ActionItem.id).label("actions"))
        .group_by(ActionItem.stop_id)
        .subquery("actions")
    )
    stmt = (
        select(
            Inspection.day,
            inspector.name.label("inspector"),
            Constituency.number.label("ac_number"),
            Part.number.label("part_number"),
            Part.name_en,
            Part.name_hi,
            Stop,
            Inspection.status.label("inspection_status"),
            func.coalesce(actions.c.actions, 0).label("actions"),
        )
        .join(Inspection, Inspection.id == Stop.inspection_id)
        .join(inspector, inspector.id == Inspection.inspector_id)
        .join(Part, Part.id == Stop.part_id)
        .join(Constituency, Constituency.id == Stop.constituency_id)
        .outerjoin(actions, actions.c.stop_id == Stop.id)
        .where(condition)
        .order_by(Inspection.day, inspector.name, Inspection.id, Stop.position)
    )
    if first is not None:
        stmt = stmt.where(Inspection.day >= first)
    return stmt
