"""What the coverage pages show (the read side; no request): the share of each AC's parts inspected
in the last N days as a table, and every located part of the area for the map (visited in the
window or not, flagged marked)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.sql.elements import ColumnElement

from app.campaign.clock import campaign_day_of
from app.extensions import db
from app.formatting import day as format_day
from app.formatting import lang
from app.inspections import services
from app.inspections.figures import MAX_DAYS, window_start
from app.inspections.models import PartFlag, Stop, StopStatus
from app.inspections.outlines import map_base
from app.lists import place_choices
from app.models import Constituency, District, Part
from app.scope import Scope


@dataclass
class CoverageArea:
    """The parts the page covers: the scope narrowed to the district or AC asked for."""

    scope: Scope
    district: District | None
    constituency: Constituency | None
    days: int
    narrowing: dict = field(default_factory=dict)

    @property
    def parts(self) -> ColumnElement[bool]:
        condition = self.scope.part_filter()
        if self.district is not None:
            condition = condition & (Part.district_id == self.district.id)
        if self.constituency is not None:
            condition = condition & (Part.constituency_id == self.constituency.id)
        return condition

    @property
    def place(self):
        return self.constituency or self.district or self.scope.user.constituency or self.scope.user.district

    @property
    def mapped(self) -> bool:
        """The map draws one district or AC; the state office chooses one first."""
        return not self.scope.sees_whole_state or self.place is not None

    def choices(self) -> tuple[list[District], list[Constituency]]:
        return place_choices(self.scope, self.district)

    @property
    def args(self) -> dict:
        return {**self.narrowing, "days": self.days}


def coverage_context(area: CoverageArea, today: date) -> dict:
    """Per AC: its parts, how many were inspected in the window, the share, and the open flags."""
    rows = services.coverage(area.parts, window_start(today, area.days))
    flagged = services.flagged_counts(area.parts, Part.constituency_id)
    districts, constituencies = area.choices()
    return {
        "area": area,
        "rows": rows,
        "flagged": flagged,
        "totals": (sum(r.parts for r in rows), sum(r.inspected for r in rows), sum(flagged.values())),
        "districts": districts,
        "constituencies": constituencies,
        "today": today,
        "first_day": today - timedelta(days=area.days - 1),
        "max_days": MAX_DAYS,
        "data_url": url_for("inspections.coverage_data", **area.args) if area.mapped else None,
        "tile_url": current_app.config.get("MAP_TILE_URL", ""),
        "tile_attribution": current_app.config.get("MAP_TILE_ATTRIBUTION", ""),
    }


def _coverage_rows(area: CoverageArea, today: date) -> tuple[list, dict, dict]:
    """The area's parts, each visited part's last visit in the window, each open flag's raising:
    three queries."""
    condition = area.parts
    parts = db.session.execute(
        select(Part.id, Part.number, Part.name_en, Part.name_hi, Part.lat, Part.lon, Constituency.number)
        .join(Constituency, Constituency.id == Part.constituency_id)
        .where(condition)
        .order_by(Constituency.number, Part.number)
    ).all()
    visited = dict(
        db.session.execute(
            select(Stop.part_id, func.max(Stop.visited_at))
            .join(Part, Part.id == Stop.part_id)
            .where(
                condition,
                Stop.status == StopStatus.VISITED,
                Stop.visited_at >= window_start(today, area.days),
            )
            .group_by(Stop.part_id)
        ).all()
    )
    flags = dict(
        db.session.execute(
            select(PartFlag.part_id, PartFlag.raised_at)
            .join(Part, Part.id == PartFlag.part_id)
            .where(condition, PartFlag.cleared_at.is_(None))
        ).all()
    )
    return parts, visited, flags


def coverage_points(area: CoverageArea, today: date) -> dict:
    """The coverage map's points: every located part of the area, inspected in the window or not,
    flagged ones marked, and the counts the map's legend gives."""
    parts, visited, flags = _coverage_rows(area, today)
    hindi = lang() == "hi"
    points, unlocated = [], 0
    for part_id, number, name_en, name_hi, lat, lon, ac_number in parts:
        if lat is None or lon is None:
            unlocated += 1
            continue
        last = visited.get(part_id)
        flag = flags.get(part_id)
        if flag is not None:
            band, detail = "inspect-flagged", _("Figures flagged by an inspection on %(day)s", day=_day(flag))
        elif last is not None:
            band, detail = "inspect-yes", _("Inspected on %(day)s", day=_day(last))
        else:
            band, detail = "inspect-no", _("Not inspected in the last %(days)s days", days=area.days)
        points.append(
            {
                "id": part_id,
                "lat": lat,
                "lon": lon,
                "label": f"{ac_number}-{number}",
                "name": (name_hi or name_en) if hindi else name_en,
                "band": band,
                "detail": detail,
                "url": _part_url(part_id),
            }
        )
    return {
        "base": _base(area),
        "days": area.days,
        "parts": len(parts),
        "unlocated": unlocated,
        "inspected": sum(1 for p in parts if p[0] in visited),
        "flagged": len(flags),
        "points": points,
    }


def _base(area: CoverageArea) -> dict | None:
    """The map's plain base: the AC's outline on an AC's map, the ACs in scope on a district's."""
    place = area.place
    if isinstance(place, Constituency):
        return map_base(place.district, Constituency.id == place.id, lang())
    if isinstance(place, District):
        return map_base(place, area.scope.constituency_filter(), lang())
    return None


def _day(at) -> str:
    if isinstance(at, str):  # SQLite's max() of a datetime comes back as text
        at = datetime.fromisoformat(at)
    return format_day(campaign_day_of(at))


def _part_url(part_id: int) -> str:
    return url_for("progress.part", part_id=part_id)
