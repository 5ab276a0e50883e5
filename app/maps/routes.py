"""Maps of a district's or an AC's parts coloured by digitized %, with the area's progress charts."""

from __future__ import annotations

from datetime import date

from flask import current_app, jsonify, request, url_for
from flask_babel import gettext as _
from sqlalchemy import and_

from app.access import OFFICERS, allow
from app.campaign.clock import campaign_today
from app.campaign.services import current_campaign
from app.errors import render_error
from app.extensions import db
from app.formatting import lang
from app.htmx import render
from app.inputs import int_arg, parse_iso_day
from app.maps import bp
from app.maps.services import BANDS, map_points, points_json
from app.models import Constituency
from app.progress.charts import area_charts
from app.scope import current_scope


class BadDate(ValueError):
    pass


def _day() -> date:
    """The `date` parameter (ISO), campaign today when absent."""
    value = request.args.get("date", "").strip()
    if not value:
        return campaign_today()
    try:
        return parse_iso_day(value)
    except ValueError as error:
        raise BadDate(value) from error


def _bad_date_message() -> str:
    return _("The date must look like %(example)s.", example=campaign_today().isoformat())


def _part_url(part_id: int) -> str:
    """The part's progress page once the progress feature has it, its place page until then."""
    endpoint = "progress.part" if "progress.part" in current_app.view_functions else "places.part"
    return url_for(endpoint, part_id=part_id)


def _map_page(template: str, place, day: date, data_url: str, constituency_condition, **context):
    cumulative, pace = area_charts(current_campaign(), day, constituency_condition)
    today = campaign_today()
    return render(
        template,
        block="map_area",
        place=place,
        day=day,
        today=today,
        data_url=data_url,
        tile_url=current_app.config.get("MAP_TILE_URL", ""),
        tile_attribution=current_app.config.get("MAP_TILE_ATTRIBUTION", ""),
        bands=BANDS,
        cumulative=cumulative,
        pace=pace,
        **context,
    )


@bp.route("/districts/<int:district_id>")
@allow(OFFICERS)
def district(district_id: int):
    scope = current_scope()
    district = scope.require_district(district_id)
    try:
        day = _day()
    except BadDate:
        return render_error(400, _bad_date_message())
    data_url = url_for("maps.data", district_id=district.id, date=day.isoformat())
    condition = and_(Constituency.district_id == district.id, scope.constituency_filter())
    constituencies = db.session.scalars(
        scope.constituencies().where(Constituency.district_id == district.id).order_by(Constituency.number)
    ).all()
    return _map_page("maps/district.html", district, day, data_url, condition, constituencies=constituencies)


@bp.route("/constituencies/<int:constituency_id>")
@allow(OFFICERS)
def constituency(constituency_id: int):
    scope = current_scope()
    constituency = scope.require_constituency(constituency_id)
    try:
        day = _day()
    except BadDate:
        return render_error(400, _bad_date_message())
    data_url = url_for("maps.data", constituency_id=constituency.id, date=day.isoformat())
    return _map_page(
        "maps/constituency.html", constituency, day, data_url, Constituency.id == constituency.id
    )


@bp.route("/data.json")
@allow(OFFICERS)
def data():
    scope = current_scope()
    district_id = int_arg("district_id")
    constituency_id = int_arg("constituency_id")
    if constituency_id is not None:
        scope.require_constituency(constituency_id)
    elif district_id is not None:
        scope.require_district(district_id)
    else:
        return jsonify(error=_("Choose a district or an AC.")), 400
    try:
        day = _day()
    except BadDate:
        return jsonify(error=_bad_date_message()), 400
    points, unlocated = map_points(
        day,
        scope.part_filter(),
        district_id=district_id,
        constituency_id=constituency_id,
        language=lang(),
    )
    response = jsonify(
        day=day.isoformat(),
        parts=len(points) + unlocated,
        unlocated=unlocated,
        reported=sum(1 for p in points if p.reported_today),
        points=points_json(points, _part_url),
    )
    response.headers["Cache-Control"] = "private, no-cache"
    return response
