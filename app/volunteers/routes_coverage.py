"""The collector's views of volunteers: which parts have help (a list and a map), who is on now,
arriving or leaving in each AC, and the hours, days, no-shows and offers of each organisation.
Their contexts are built in pages_coverage.py.
"""

from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _

from app.access import OFFICERS, allow
from app.campaign.clock import campaign_today
from app.campaign.services import current_campaign
from app.htmx import render
from app.inputs import BadArgument
from app.lists import ListForm
from app.scope import Scope, current_scope
from app.volunteers import bp
from app.volunteers import pages_coverage as pages
from app.volunteers.figures import COVERAGE_FILTERS, ON_NOW_FILTERS


def _read(**controls) -> tuple[Scope, ListForm]:
    scope = current_scope()
    return scope, ListForm.read(scope=scope, **controls)


@bp.route("/coverage")
@allow(OFFICERS)
def coverage():
    """Parts with and without help on the day: counts, a map and the list (filtered, by page)."""
    today = campaign_today()
    scope, form = _read(today=today, campaign=current_campaign(), filters=COVERAGE_FILTERS)
    return render("volunteers/coverage.html", block="coverage", **pages.coverage_context(scope, form, today))


@bp.route("/coverage/data.json")
@allow(OFFICERS)
def coverage_data():
    """The coverage map's points: every located part of the area, coloured with or without help."""
    try:
        scope, form = _read(today=campaign_today(), campaign=current_campaign())
    except BadArgument as error:
        return jsonify(error=error.message), 400
    area = pages.area_of(scope, form)
    if not area.chosen:
        return jsonify(error=_("Choose a district or an AC.")), 400
    response = jsonify(**pages.coverage_data(area, form.day))
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.route("/on-now")
@allow(OFFICERS)
def on_now():
    """Per AC: volunteers checked in and not out, arriving within the hour, leaving within the hour."""
    scope, form = _read(filters=ON_NOW_FILTERS)
    return render("volunteers/on_now.html", block="board", **pages.on_now_context(scope, form))


@bp.route("/figures")
@allow(OFFICERS)
def figures():
    """Hours, days, no-shows and offers by organisation; hours by institution (by page)."""
    scope, form = _read()
    return render("volunteers/figures.html", block="figures", **pages.figures_context(scope, form))
