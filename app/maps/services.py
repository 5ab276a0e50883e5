"""The map's points: each located part with its latest report on or before the day, in one query."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, select
from sqlalchemy.sql.elements import ColumnElement

from app.extensions import db
from app.figures.models import DailyReport
from app.figures.selects import latest_report_days
from app.models import Constituency, Part

# Digitized % bands of the map, lowest first: (lower bound, CSS class). Colours live in static/css/app.css.
BANDS = ((0, "band-0"), (25, "band-25"), (50, "band-50"), (75, "band-75"), (90, "band-90"))
NO_REPORT_BAND = "band-none"


def band(percent: float | None) -> str:
    """The map's colour band (a CSS class) for a digitized %; grey when never reported."""
    if percent is None:
        return NO_REPORT_BAND
    name = BANDS[0][1]
    for lower, css_class in BANDS:
        if percent >= lower:
            name = css_class
    return name


@dataclass(frozen=True)
class MapPoint:
    id: int
    lat: float
    lon: float
    label: str  # "AC-part", e.g. "152-12"
    name: str
    pct: float | None  # None: never reported up to the day
    reported_today: bool

    def as_json(self, url: str) -> dict:
        return {
            "id": self.id,
            "lat": self.lat,
            "lon": self.lon,
            "label": self.label,
            "name": self.name,
            "pct": self.pct,
            "band": band(self.pct),
            "reported_today": self.reported_today,
            "url": url,
        }


def map_points(
    day: date,
    part_condition: ColumnElement[bool],
    *,
    district_id: int | None = None,
    constituency_id: int | None = None,
    language: str = "en",
) -> tuple[list[MapPoint], int]:
    """The located parts of a district or an AC within `part_condition`, each with its latest
    report on or before `day`, in one query. Returns (points, parts without a location)."""
    if constituency_id is not None:
        area_report = DailyReport.constituency_id == constituency_id
        area_part = Part.constituency_id == constituency_id
    elif district_id is not None:
        area_report = DailyReport.district_id == district_id
        area_part = Part.district_id == district_id
    else:
        raise ValueError("map_points needs a district or a constituency")
    latest = latest_report_days(day, area_report)
    rows = db.session.execute(
        select(
            Part.id,
            Part.number,
            Part.name_en,
            Part.name_hi,
            Part.lat,
            Part.lon,
            Part.electors,
            Constituency.number,
            DailyReport.digitized,
            DailyReport.report_date,
        )
        .join(Constituency, Part.constituency_id == Constituency.id)
        .outerjoin(latest, latest.c.part_id == Part.id)
        .outerjoin(DailyReport, and_(DailyReport.part_id == Part.id, DailyReport.report_date == latest.c.day))
        .where(area_part, part_condition)
        .order_by(Constituency.number, Part.number)
    ).all()
    points, unlocated = [], 0
    for part_id, number, name_en, name_hi, lat, lon, electors, ac_number, digitized, report_day in rows:
        if lat is None or lon is None:
            unlocated += 1
            continue
        reported = report_day is not None
        points.append(
            MapPoint(
                id=part_id,
                lat=lat,
                lon=lon,
                label=f"{ac_number}-{number}",
                name=name_hi if language == "hi" else name_en,
                pct=(round(digitized * 100 / electors, 2) if electors else 0.0) if reported else None,
                reported_today=reported and report_day == day,
            )
        )
    return points, unlocated


def points_json(points: list[MapPoint], part_url: Callable[[int], str]) -> list[dict]:
    return [point.as_json(part_url(point.id)) for point in points]
