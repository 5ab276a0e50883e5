from __future__ import annotations

import time

from flask import current_app, make_response, redirect, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from jinja2_fragments.flask import render_block
from sqlalchemy import and_

from app.access import OFFICERS, PLACE_VIEWERS, allow
from app.campaign.clock import campaign_today
from app.campaign.services import current_campaign
from app.difficulties.figures import place_counts
from app.difficulties.models import Difficulty
from app.extensions import db
from app.figures.queries import (
    constituency_rows,
    district_rows,
    figures_version,
    part_rows,
    parts_needing_a_call,
)
from app.htmx import is_partial, render
from app.inspections.models import PartFlag
from app.inspections.services import open_flag_counts, open_flags
from app.lists import ListForm
from app.models import Constituency, District, Part, Role
from app.progress import bp
from app.progress.pages import list_context, part_context, table_context
from app.progress.services import (
    DESCENDING_SORTS,
    FILTERS,
    SORTS,
    last_report_days,
    missing_parts,
    target_of,
)
from app.reviews.services import latest_reviews
from app.scope import current_scope

TEMPLATE = "progress/table.html"


def _controls(**narrowing) -> ListForm:
    """The day, sort, order, filter and page of a progress list; a bad one is a 400."""
    campaign = current_campaign()
    return ListForm.read(
        today=campaign_today(),
        campaign=campaign,
        sorts=SORTS,
        descending_sorts=DESCENDING_SORTS,
        filters=FILTERS,
        **narrowing,
    )


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
    form = _controls()
    campaign, day = form.campaign, form.day
    scope = current_scope()
    # Difficulties change more often than the figures: counted on every request (one grouped
    # query on the district-status index), and part of the key of the cached table.
    difficulties = place_counts(scope.of(Difficulty), "district")
    flags = open_flag_counts(scope.of(PartFlag), PartFlag.district_id)  # inspections' open flags
    key = (
        figures_version(),
        tuple(sorted(flags.items())),
        tuple(sorted((place_id, c.open, c.overdue) for place_id, c in difficulties.items())),
        day,
        form.today,
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
        context = table_context(
            form,
            rows,
            "state",
            "district",
            None,
            scope.constituency_filter(),
            difficulties,
            flags,
            with_charts=not is_partial(),
        )
        table = render_block(TEMPLATE, "table", **context)
        if len(_state_tables) >= STATE_TABLES_KEPT:
            _state_tables.clear()
        _state_tables[key] = (time.monotonic() + STATE_TABLE_SECONDS, table)
    if is_partial():
        response = make_response(table)
        response.vary.add("HX-Request")
        return response
    return render(
        TEMPLATE, table=table, view="state", form=form, day=day, today=form.today, campaign=campaign
    )


def _table_page(
    rows_of,
    condition,
    view: str,
    level: str,
    place=None,
    charts_condition=None,
    difficulties=None,
    flags=None,
):
    """A progress table below the state: `rows_of` gives the rows of one level that match the
    condition, on the day and against the target the controls ask for."""
    form = _controls()
    rows = rows_of(form.day, target_of(form.campaign), condition)
    return render(
        TEMPLATE,
        block="table",
        **table_context(
            form,
            rows,
            view,
            level,
            place,
            charts_condition,
            difficulties,
            flags,
            with_charts=not is_partial(),
        ),
    )


@bp.route("/districts/<int:district_id>")
@allow(Role.STATE, Role.COLLECTOR)
def district(district_id: int):
    scope = current_scope()
    district = scope.require_district(district_id)
    condition = (Constituency.district_id == district.id) & scope.constituency_filter()
    difficulties = place_counts(
        (Difficulty.district_id == district.id) & scope.of(Difficulty), "constituency"
    )
    flags = open_flag_counts(
        (PartFlag.district_id == district.id) & scope.of(PartFlag), PartFlag.constituency_id
    )
    return _table_page(
        constituency_rows, condition, "district", "constituency", district, condition, difficulties, flags
    )


@bp.route("/constituencies/<int:constituency_id>")
@allow(Role.STATE, Role.COLLECTOR, Role.ERO)
def constituency(constituency_id: int):
    scope = current_scope()
    constituency = scope.require_constituency(constituency_id)
    condition = (Part.constituency_id == constituency.id) & scope.part_filter()
    charts_condition = Constituency.id == constituency.id
    difficulties = place_counts(
        (Difficulty.constituency_id == constituency.id) & scope.of(Difficulty), "part"
    )
    return _table_page(
        part_rows,
        condition,
        "constituency",
        "part",
        constituency,
        charts_condition,
        difficulties,
        open_flags(condition),
    )


@bp.route("/parts")
@allow(Role.SUPERVISOR, Role.BLO)
def parts():
    """A supervisor's (or a BLO's) own parts."""
    scope = current_scope()
    difficulties = place_counts(scope.of(Difficulty), "part")
    return _table_page(
        part_rows,
        scope.part_filter(),
        "parts",
        "part",
        difficulties=difficulties,
        flags=open_flags(scope.part_filter()),
    )


@bp.route("/parts/<int:part_id>")
@allow(PLACE_VIEWERS)
def part(part_id: int):
    part = current_scope().require_part(part_id)
    return render("progress/part.html", **part_context(part, _controls()))


@bp.route("/missing")
@allow(OFFICERS)
def missing():
    """Parts that have not reported on the day: missing is not zero."""
    scope = current_scope()
    form = _controls(scope=scope)
    condition = and_(scope.part_filter(), *form.part_conditions())
    pages = form.paginate(missing_parts(form.day, condition), current_app.config["PAGE_SIZE"])
    last_days = last_report_days([row[0].id for row in pages], form.day)
    return render(
        "progress/missing.html", block="table", pages=pages, last_days=last_days, **list_context(form)
    )


@bp.route("/calls")
@allow(OFFICERS)
def calls():
    """Parts below the target two days running, furthest behind first, with a tap-to-call link."""
    scope = current_scope()
    form = _controls(scope=scope)
    if scope.sees_whole_state and form.district is None and form.constituency is None:
        districts = db.session.scalars(scope.districts().order_by(District.name_en)).all()
        return render(
            "progress/calls.html", block="table", pages=None, districts=districts, **list_context(form)
        )
    condition = and_(scope.part_filter(), *form.part_conditions())
    needing = parts_needing_a_call(form.day, target_of(form.campaign), condition)
    pages = form.paginate_list(needing, current_app.config["PAGE_SIZE"])
    return render(
        "progress/calls.html",
        block="table",
        pages=pages,
        latest=latest_reviews(row.id for row in pages),
        districts=None,
        campaign=form.campaign,
        **list_context(form),
    )
