"""The progress charts: the data dicts static/js/charts.js draws, in the format documented at the
top of that file."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.sql.elements import ColumnElement

from app.extensions import db
from app.figures.models import ConstituencyDay
from app.figures.queries import digitized_series
from app.formatting import lang
from app.models import Campaign, Constituency


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
