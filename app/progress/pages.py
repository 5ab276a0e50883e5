"""The progress screens' read side: what a table of districts, ACs or parts shows, a part's page,
and the day and place a list of parts is narrowed to. Built from the checked list controls (a
ListForm) and plain arguments; the routes read the controls and render."""

from __future__ import annotations

from flask import current_app

from app.figures.queries import part_rows, part_series, total_row
from app.inspections.services import open_flags
from app.lists import ListForm
from app.models import Part
from app.progress.charts import area_charts, cumulative_chart, pace_chart
from app.progress.services import part_history, sort_and_filter, target_of
from app.reviews.services import latest_reviews

EXPORT_TABLES = {"district": "districts", "constituency": "constituencies", "part": "parts"}


def table_context(
    form: ListForm,
    rows,
    view: str,
    level: str,
    place=None,
    charts_condition=None,
    difficulties=None,
    flags=None,
    with_charts: bool = True,
) -> dict:
    """What the table page shows, built here rather than in the template. `difficulties` are the
    open and overdue difficulty counts of each row's place (figures.place_counts); the charts are
    drawn for `charts_condition` when the whole page is asked for (`with_charts`)."""
    day, campaign = form.day, form.campaign
    cumulative, pace = (None, None)
    if charts_condition is not None and with_charts:
        cumulative, pace = area_charts(campaign, day, charts_condition)
    shown = sort_and_filter(rows, form.sort_by, form.filter_by, form.descending)
    # A ranking of districts or ACs is never split across pages.
    per_page = current_app.config["PAGE_SIZE"] if level == "part" else max(len(shown), 1)
    narrowing = {}
    if view == "district":
        narrowing = {"district_id": place.id}
    elif view == "constituency":
        narrowing = {"constituency_id": place.id}
    difficulties = difficulties or {}
    return dict(
        view=view,
        level=level,
        place=place,
        form=form,
        difficulties=difficulties,
        flags=flags or {},
        flags_total=len(flags or {}) if level == "part" else sum((flags or {}).values()),
        difficulties_total=(
            sum(c.open for c in difficulties.values()),
            sum(c.overdue for c in difficulties.values()),
        ),
        pages=form.paginate_list(shown, per_page),
        total=total_row(rows, place),
        all_count=len(rows),
        day=day,
        today=form.today,
        campaign=campaign,
        links={"date": day.isoformat(), **narrowing},
        export_table=EXPORT_TABLES[level],
        pager_args={
            "date": day.isoformat(),
            "sort": form.sort_by,
            "filter": form.filter_by,
            "order": "desc" if form.descending else "asc",
        },
        cumulative_chart=cumulative,
        pace_chart=pace,
    )


def part_context(part: Part, form: ListForm) -> dict:
    """One part's page: its row on the day, its history and charts since the enumeration began,
    its latest review and its open inspection flag."""
    campaign, day = form.campaign, form.day
    start = campaign.enumeration_start if campaign else day
    history = part_history(part.id, start, day)
    row = part_rows(day, target_of(campaign), Part.id == part.id)[0]
    series = part_series(part.id, start, day)
    target = target_of(campaign)
    charts = (
        cumulative_chart(series, part.electors, start, target),
        pace_chart(series, part.electors, target),
    )
    return dict(
        part=part,
        row=row,
        history=history,
        charts=charts,
        latest_review=latest_reviews([part.id]).get(part.id),
        flag=open_flags(Part.id == part.id).get(part.id),
        day=day,
        campaign=campaign,
        today=form.today,
    )


def list_context(form: ListForm) -> dict:
    """The day and the place a list of parts is narrowed to, and the arguments its links keep."""
    return dict(
        day=form.day,
        today=form.today,
        district=form.district,
        constituency=form.constituency,
        narrowing=form.narrowing,
        links={"date": form.day.isoformat(), **form.narrowing},
    )
