"""Inspection pages (outputs): the share of each AC's parts inspected in the last N days, as a table
and on a map (visited in the window or not, flagged marked). The controls are read by
forms.CoverageForm, what the pages show is built by pages_outputs.py."""

from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _

from app.access import allow
from app.campaign.clock import campaign_today
from app.htmx import render
from app.inputs import BadArgument
from app.inspections import bp
from app.inspections.figures import default_days
from app.inspections.forms import CoverageForm
from app.inspections.pages_outputs import CoverageArea, coverage_context, coverage_points
from app.inspections.permissions import COVERAGE_ROLES
from app.scope import Scope, current_scope


def coverage_area(scope: Scope | None = None) -> CoverageArea:
    scope = scope or current_scope()
    form = CoverageForm.read(scope=scope, today=campaign_today())
    days = form.days.data or default_days(scope, form.district, form.constituency)
    return CoverageArea(scope, form.district, form.constituency, days, form.narrowing)


@bp.route("/coverage")
@allow(*COVERAGE_ROLES)
def coverage():
    """Per AC: its parts, how many were inspected in the window, the share, and the open flags."""
    area = coverage_area()
    return render("inspections/coverage.html", block="coverage", **coverage_context(area, campaign_today()))


@bp.route("/coverage/data.json")
@allow(*COVERAGE_ROLES)
def coverage_data():
    """The coverage map's points: every located part of the area, inspected in the window or not,
    flagged ones marked. Three queries: the parts, the visits in the window, the open flags."""
    try:
        area = coverage_area()
    except BadArgument as error:
        return jsonify(error=error.message), 400
    if not area.mapped:
        return jsonify(error=_("Choose a district or an AC.")), 400
    response = jsonify(**coverage_points(area, campaign_today()))
    response.headers["Cache-Control"] = "private, no-cache"
    return response
