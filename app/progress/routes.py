"""Progress dashboards: state → districts → ACs → parts, the missing and the calls lists."""

from __future__ import annotations

import time

from flask import abort, current_app, make_response, redirect, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from jinja2_fragments.flask import render_block

from app.access import OFFICERS, PLACE_VIEWERS, allow
from app.campaign.clock import campaign_today
from app.campaign.services import current_campaign
from app.extensions import db
from app.figures.queries import (
    constituency_rows,
    district_rows,
    figures_version,
    part_rows,
    part_series,
    parts_needing_a_call,
    total_row,
)
from app.htmx import is_partial, render
from app.inputs import int_arg, page_arg
from app.models import Constituency, District, Part, Role
from app.places.services import page_of
from app.progress import bp
from app.progress.charts import area_charts, cumulative_chart, pace_chart
from app.progress.services import (
    FILTERS,
    SORTS,
    DayError,
    last_report_days,
    missing_parts,
    narrow,
    parse_day,
    part_history,
    sort_and_filter,
    target_of,
)
from app.reviews.services import latest_reviews
from app.scope import current_scope


def _table_options():
    """Day, sort, order and filter from the query string; a bad day is the user's error (400)."""
    campaign = current_campaign()
    try:
        day = parse_day(request.args.get("date"), campaign_today(), campaign)
    except DayError as error:
        abort(400, description=str(error))
    sort = request.args.get("sort", "rank")
    sort = sort if sort in SORTS else "rank"
    filter_by = request.args.get("filter", "all")
    filter_by = filter_by if filter_by in FILTERS else "all"
    descending = (
        request.args.get("order", "desc" if sort in ("pace", "missing", "electors") else "asc") == "desc"
    )
    return campaign, day, sort, filter_by, descending


def _table_context(rows, place, charts_condition=None, **context) -> dict:
    campaign, day, sort, filter_by, descending = _table_options()
    cumulative, pace = (None, None)
    if charts_condition is not None and not is_partial():
        cumulative, pace = area_charts(campaign, day, charts_condition)
    total = total_row(rows, place)
    shown = sort_and_filter(rows, sort, filter_by, descending)
    page, size = page_arg(), current_app.config["PAGE_SIZE"]
    if context.get("level") != "part":
        page, size = 1, max(len(shown), 1)  # a ranking of districts or ACs is never split across pages
    return dict(
        rows=shown[(page - 1) * size : page * size],
        shown_count=len(shown),
        page=page,
        page_size=size,
        total=total,
        place=place,
        day=day,
        today=campaign_today(),
        campaign=campaign,
        sort=sort,
        filter_by=filter_by,
        descending=descending,
        all_count=len(rows),
        cumulative_chart=cumulative,
        pace_chart=pace,
        **context,
    )


def _table_page(template: str, rows, place, charts_condition=None, **context):
    return render(template, block="table", **_table_context(rows, place, charts_condition, **context))


@bp.route("/")
@allow(OFFICERS | {Role.BLO})
def index():
    """Send each officer to the table of their own scope."""
    user = current_user
    if user.role == Role.STATE:
        return redirect(url_for("progress.state"))
    if user.role == Role.COLLECTOR:
        return redirect(url_for("progress.district", district_id=user.district_id))
    if user.role == Role.ERO:
        return redirect(url_for("progress.constituency", constituency_id=user.constituency_id))
    return redirect(url_for("progress.parts"))


# The state table as rendered, per figures version, day, language and query: the same for every
# state officer, whose scope is the whole state. Process memory, so a GET never writes. The TTL
# bounds what the version cannot see: on PostgreSQL a write stamped earlier may commit later.
# A plain dict of key → (expiry, table): each get, set and clear is one dict operation, which
# CPython keeps consistent under the dev server's threads; two requests missing the same key at
# once both render the table, and the second one's is kept.
STATE_TABLE_SECONDS = 30
STATE_TABLES_KEPT = 128
_state_tables: dict[tuple, tuple[float, str]] = {}


@bp.route("/state")
@allow(Role.STATE)
def state():
    """Rendering 55 districts costs far more than reading them: the table is rendered once per
    change of the figures. Its "as of" time is that of the figures it shows."""
    campaign, day, sort, filter_by, descending = _table_options()
    scope = current_scope()
    key = (
        figures_version(),
        day,
        campaign_today(),
        str(get_locale()),
        is_partial(),
        tuple(sorted(request.args.items(multi=True))),
        scope.role,
        scope.sees_whole_state,
        campaign
        and (
            campaign.id,
            campaign.daily_target_percent,
            campaign.enumeration_start,
            campaign.enumeration_end,
        ),
    )
    expires, table = _state_tables.get(key, (0.0, None))
    if table is None or expires <= time.monotonic():
        rows = district_rows(day, target_of(campaign), scope.district_filter())
        context = _table_context(rows, None, scope.constituency_filter(), level="district")
        table = render_block("progress/state.html", "table", **context)
        if len(_state_tables) >= STATE_TABLES_KEPT:
            _state_tables.clear()
        _state_tables[key] = (time.monotonic() + STATE_TABLE_SECONDS, table)
    if is_partial():
        response = make_response(table)
        response.vary.add("HX-Request")
        return response
    return render(
        "progress/state.html",
        table=table,
        day=day,
        today=campaign_today(),
        campaign=campaign,
        sort=sort,
        filter_by=filter_by,
        descending=descending,
    )


@bp.route("/districts/<int:district_id>")
@allow(Role.STATE, Role.COLLECTOR)
def district(district_id: int):
    scope = current_scope()
    district = scope.require_district(district_id)
    campaign, day, *_ = _table_options()
    condition = (Constituency.district_id == district.id) & scope.constituency_filter()
    rows = constituency_rows(day, target_of(campaign), condition)
    return _table_page("progress/district.html", rows, district, condition, level="constituency")


@bp.route("/constituencies/<int:constituency_id>")
@allow(Role.STATE, Role.COLLECTOR, Role.ERO)
def constituency(constituency_id: int):
    scope = current_scope()
    constituency = scope.require_constituency(constituency_id)
    campaign, day, *_ = _table_options()
    rows = part_rows(
        day, target_of(campaign), (Part.constituency_id == constituency.id) & scope.part_filter()
    )
    return _table_page(
        "progress/constituency.html", rows, constituency, Constituency.id == constituency.id, level="part"
    )


@bp.route("/parts")
@allow(Role.SUPERVISOR, Role.BLO)
def parts():
    """A supervisor's (or a BLO's) own parts."""
    campaign, day, *_ = _table_options()
    rows = part_rows(day, target_of(campaign), current_scope().part_filter())
    return _table_page("progress/parts.html", rows, None, level="part")


@bp.route("/parts/<int:part_id>")
@allow(PLACE_VIEWERS)
def part(part_id: int):
    part = current_scope().require_part(part_id)
    campaign, day, *_ = _table_options()
    start = campaign.enumeration_start if campaign else day
    history = part_history(part.id, start, day)
    row = part_rows(day, target_of(campaign), Part.id == part.id)[0]
    series = part_series(part.id, start, day)
    target = target_of(campaign)
    charts = (
        cumulative_chart(series, part.electors, start, target),
        pace_chart(series, part.electors, target),
    )
    return render(
        "progress/part.html",
        part=part,
        row=row,
        history=history,
        charts=charts,
        latest_review=latest_reviews([part.id]).get(part.id),
        day=day,
        campaign=campaign,
        today=campaign_today(),
    )


def _narrowing(scope):
    """Optional district_id / constituency_id narrowing, each checked through the scope."""
    district_id = int_arg("district_id")
    constituency_id = int_arg("constituency_id")
    district = scope.require_district(district_id) if district_id else None
    constituency = scope.require_constituency(constituency_id) if constituency_id else None
    return district, constituency


@bp.route("/missing")
@allow(OFFICERS)
def missing():
    """Parts that have not reported on the day: missing is not zero."""
    scope = current_scope()
    campaign, day, *_ = _table_options()
    district, constituency = _narrowing(scope)
    condition = narrow(scope.part_filter(), district and district.id, constituency and constituency.id)
    page = page_arg()
    size = current_app.config["PAGE_SIZE"]
    rows, total = page_of(missing_parts(day, condition), page, size)
    last_days = last_report_days([row[0].id for row in rows], day)
    return render(
        "progress/missing.html",
        block="table",
        rows=rows,
        last_days=last_days,
        total=total,
        page=page,
        page_size=size,
        day=day,
        today=campaign_today(),
        district=district,
        constituency=constituency,
    )


@bp.route("/calls")
@allow(OFFICERS)
def calls():
    """Parts below the target two days running, furthest behind first, with a tap-to-call link."""
    scope = current_scope()
    campaign, day, *_ = _table_options()
    district, constituency = _narrowing(scope)
    if scope.sees_whole_state and district is None and constituency is None:
        districts = db.session.scalars(scope.districts().order_by(District.name_en)).all()
        return render(
            "progress/calls.html",
            block="table",
            rows=None,
            districts=districts,
            day=day,
            today=campaign_today(),
            district=None,
            constituency=None,
        )
    condition = narrow(scope.part_filter(), district and district.id, constituency and constituency.id)
    needing = parts_needing_a_call(day, target_of(campaign), condition)
    page, size = page_arg(), current_app.config["PAGE_SIZE"]
    shown = needing[(page - 1) * size : page * size]
    return render(
        "progress/calls.html",
        block="table",
        rows=shown,
        latest=latest_reviews(row.id for row in shown),
        total=len(needing),
        page=page,
        page_size=size,
        districts=None,
        day=day,
        today=campaign_today(),
        district=district,
        constituency=constituency,
        campaign=campaign,
    )
