"""Figures for charts and maps: the data dicts static/js/charts.js draws, and the map's points.

The chart dicts follow the format documented at the top of static/js/charts.js. The map's points
come from one grouped query: each part's latest report on or before the day.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import and_, func, select
from sqlalchemy.sql.elements import ColumnElement

from app.extensions import db
from app.formatting import lang
from app.models import Campaign, Constituency, ConstituencyDay, DailyReport, Part
from app.progress.queries import digitized_series

# Digitized % bands of the map, lowest first: (lower bound, CSS class). Colours live in static/css/app.css.
BANDS = ((0, "band-0"), (25, "band-25"), (50, "band-50"), (75, "band-75"), (90, "band-90"))
NO_REPORT_BAND = "band-none"


def _percent(value: int | None, electors: int) -> float | None:
    if value is None or not electors:
        return None
    return round(value * 100 / electors, 2)


def _labels(series: Sequence[tuple[date, int | None]]) -> list[str]:
    return [day.isoformat() for day, _value in series]


def cumulative_chart(
    series: Sequence[tuple[date, int | None]],
    electors: int,
    start: date,
    target: Decimal | float,
    *,
    label: str | None = None,
    target_label: str | None = None,
    y_label: str | None = None,
    language: str | None = None,
) -> dict:
    """Cumulative digitized % per day; None (a gap) where a part did not report.

    `series` is digitized_series() or part_series() output; `start` is the campaign's first day,
    from which charts.js draws the cumulative target line (target × days since start, ≤ 100).
    """
    return {
        "kind": "cumulative",
        "labels": _labels(series),
        "label": label or _("Digitized %"),
        "values": [_percent(value, electors) for _day, value in series],
        "target": float(target),
        "start": start.isoformat(),
        "target_label": target_label or _("Target"),
        "y_label": y_label or _("percent of electors"),
        "lang": language or lang(),
    }


def pace_chart(
    series: Sequence[tuple[date, int | None]],
    electors: int,
    target: Decimal | float,
    *,
    before: int | None = 0,
    label: str | None = None,
    target_label: str | None = None,
    y_label: str | None = None,
    language: str | None = None,
) -> dict:
    """Daily pace: digitized that day minus the day before, as % of electors.

    `before` is the digitized figure on the day before the series starts (0 when it starts with
    the campaign; None when unknown: the first day then has no bar). A day without a report has
    no bar (None); the day after a gap is measured from the last report, carried forward, as
    ProgressRow.daily_pace measures it.
    """
    values: list[float | None] = []
    previous = before
    for _day, value in series:
        if value is None or previous is None or not electors:
            values.append(None)
        else:
            values.append(round((value - previous) * 100 / electors, 2))
        if value is not None:
            previous = value
    return {
        "kind": "pace",
        "labels": _labels(series),
        "label": label or _("Daily pace"),
        "values": values,
        "target": float(target),
        "target_label": target_label or _("Daily target"),
        "y_label": y_label or _("percent of electors per day"),
        "lang": language or lang(),
    }


def area_charts(
    campaign: Campaign | None, day: date, constituency_condition: ColumnElement[bool]
) -> tuple[dict | None, dict | None]:
    """The cumulative and pace charts of the ACs matching `constituency_condition`, from the
    campaign's start to `day` (or its end); (None, None) when there is nothing to draw."""
    if campaign is None:
        return None, None
    end = min(day, campaign.enumeration_end)
    if end < campaign.enumeration_start:
        return None, None
    ids = select(Constituency.id).where(constituency_condition)
    electors = int(
        db.session.scalar(
            select(func.coalesce(func.sum(Constituency.electors), 0)).where(Constituency.id.in_(ids))
        )
    )
    series = digitized_series(campaign.enumeration_start, end, ConstituencyDay.constituency_id.in_(ids))
    target = campaign.daily_target_percent
    return (
        cumulative_chart(series, electors, campaign.enumeration_start, target),
        pace_chart(series, electors, target),
    )


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
    latest = (
        select(DailyReport.part_id, func.max(DailyReport.report_date).label("day"))
        .where(area_report, DailyReport.report_date <= day)
        .group_by(DailyReport.part_id)
        .subquery()
    )
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
