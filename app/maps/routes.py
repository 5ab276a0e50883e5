"""Maps of a district's or an AC's parts coloured by digitized %, with the area's progress charts."""

from __future__ import annotations

from flask import current_app, jsonify, url_for
from flask_babel import gettext as _
from sqlalchemy import and_

from app.access import OFFICERS, allow
from app.campaign.clock import campaign_today
from app.campaign.services import current_campaign
from app.extensions import db
from app.formatting import lang
from app.htmx import render
from app.inputs import BadArgument
from app.inspections.outlines import map_base
from app.lists import ListForm
from app.maps import bp
from app.maps.services import BANDS, map_points, points_json
from app.models import Constituency
from app.progress.charts import area_charts
from app.scope import current_scope


def _controls(**narrowing) -> ListForm:
    """The day of a map (campaign today when none) and, for its data, the place; a bad one is a 400."""
    return ListForm.read(today=campaign_today(), campaign=current_campaign(), **narrowing)


def _part_url(part_id: int) -> str:
    """The part's progress page once the progress feature has it, its place page until then."""
    endpoint = "progress.part" if "progress.part" in current_app.view_functions else "places.part"
    return url_for(endpoint, part_id=part_id)


def _map_page(template: str, place, place_argument: dict[str, int], constituency_condition, **context):
    """The map page of a district or an AC: `place_argument` names it to the data URL, the
    condition picks its ACs for the charts."""
    day = _controls().day
    cumulative, pace = area_charts(current_campaign(), day, constituency_condition)
    today = campaign_today()
    return render(
        template,
        block="map_area",
        place=place,
        day=day,
        today=today,
        data_url=url_for("maps.data", **place_argument, date=day.isoformat()),
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
    condition = and_(Constituency.district_id == district.id, scope.constituency_filter())
    constituencies = db.session.scalars(
        scope.constituencies().where(Constituency.district_id == district.id).order_by(Constituency.number)
    ).all()
    return _map_page(
        "maps/district.html", district, {"district_id": district.id}, condition, constituencies=constituencies
    )


@bp.route("/constituencies/<int:constituency_id>")
@allow(OFFICERS)
def constituency(constituency_id: int):
    constituency = current_scope().require_constituency(constituency_id)
    return _map_page(
        "maps/constituency.html",
        constituency,
        {"constituency_id": constituency.id},
        Constituency.id == constituency.id,
    )


@bp.route("/data.json")
@allow(OFFICERS)
def data():
    scope = current_scope()
    try:
        form = _controls(scope=scope)
    except BadArgument as error:
        return jsonify(error=error.message), 400
    if form.district is None and form.constituency is None:
        return jsonify(error=_("Choose a district or an AC.")), 400
    day = form.day
    points, unlocated = map_points(
        day,
        scope.part_filter(),
        district_id=form.district and form.district.id,
        constituency_id=form.constituency and form.constituency.id,
        language=lang(),
    )
    if form.constituency is not None:
        district, acs = form.constituency.district, Constituency.id == form.constituency.id
    else:
        district, acs = form.district, scope.constituency_filter()
    response = jsonify(
        day=day.isoformat(),
        parts=len(points) + unlocated,
        unlocated=unlocated,
        reported=sum(1 for p in points if p.reported_today),
        points=points_json(points, _part_url),
        base=map_base(district, acs, lang()),
    )
    response.headers["Cache-Control"] = "private, no-cache"
    return response
