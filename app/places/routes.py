from __future__ import annotations

from flask import current_app

from app.access import PLACE_VIEWERS, allow
from app.htmx import render
from app.inspections.services import open_flags
from app.lists import ListForm
from app.models import Part
from app.places import bp
from app.places.services import constituencies_with_figures, districts_with_figures, parts_query
from app.scope import current_scope


@bp.route("/")
@allow(PLACE_VIEWERS)
def districts():
    q = ListForm.read().q.data
    rows = districts_with_figures(current_scope(), q)
    return render("places/districts.html", block="rows", rows=rows, q=q)


@bp.route("/districts/<int:district_id>")
@allow(PLACE_VIEWERS)
def district(district_id: int):
    scope = current_scope()
    district = scope.require_district(district_id)
    q = ListForm.read().q.data
    rows = constituencies_with_figures(scope, district, q)
    return render("places/district.html", block="rows", district=district, rows=rows, q=q)


@bp.route("/constituencies/<int:constituency_id>")
@allow(PLACE_VIEWERS)
def constituency(constituency_id: int):
    scope = current_scope()
    constituency = scope.require_constituency(constituency_id)
    form = ListForm.read()
    pages = form.paginate(parts_query(scope, form.q.data, constituency), current_app.config["PAGE_SIZE"])
    return render(
        "places/constituency.html", block="rows", constituency=constituency, pages=pages, q=form.q.data
    )


@bp.route("/parts")
@allow(PLACE_VIEWERS)
def parts():
    form = ListForm.read()
    pages = form.paginate(parts_query(current_scope(), form.q.data), current_app.config["PAGE_SIZE"])
    return render("places/parts.html", block="rows", pages=pages, q=form.q.data)


@bp.route("/parts/<int:part_id>")
@allow(PLACE_VIEWERS)
def part(part_id: int):
    part = current_scope().require_part(part_id)
    return render("places/part.html", part=part, flag=open_flags(Part.id == part.id).get(part.id))
