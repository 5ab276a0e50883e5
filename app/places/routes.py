from __future__ import annotations

from flask import current_app, request

from app.access import PLACE_VIEWERS, allow
from app.htmx import render
from app.inputs import page_arg
from app.places import bp
from app.places.services import (
    constituencies_with_figures,
    districts_with_figures,
    page_of,
    parts_query,
)
from app.scope import current_scope


@bp.route("/")
@allow(PLACE_VIEWERS)
def districts():
    q = request.args.get("q", "")[:80]
    rows = districts_with_figures(current_scope(), q)
    return render("places/districts.html", block="rows", rows=rows, q=q)


@bp.route("/districts/<int:district_id>")
@allow(PLACE_VIEWERS)
def district(district_id: int):
    scope = current_scope()
    district = scope.require_district(district_id)
    q = request.args.get("q", "")[:80]
    rows = constituencies_with_figures(scope, district, q)
    return render("places/district.html", block="rows", district=district, rows=rows, q=q)


@bp.route("/constituencies/<int:constituency_id>")
@allow(PLACE_VIEWERS)
def constituency(constituency_id: int):
    scope = current_scope()
    constituency = scope.require_constituency(constituency_id)
    q = request.args.get("q", "")[:80]
    page = page_arg()
    rows, total = page_of(parts_query(scope, q, constituency), page, current_app.config["PAGE_SIZE"])
    return render(
        "places/constituency.html",
        block="rows",
        constituency=constituency,
        rows=rows,
        total=total,
        page=page,
        q=q,
        page_size=current_app.config["PAGE_SIZE"],
    )


@bp.route("/parts")
@allow(PLACE_VIEWERS)
def parts():
    q = request.args.get("q", "")[:80]
    page = page_arg()
    rows, total = page_of(parts_query(current_scope(), q), page, current_app.config["PAGE_SIZE"])
    return render(
        "places/parts.html",
        block="rows",
        rows=rows,
        total=total,
        page=page,
        q=q,
        page_size=current_app.config["PAGE_SIZE"],
    )


@bp.route("/parts/<int:part_id>")
@allow(PLACE_VIEWERS)
def part(part_id: int):
    part = current_scope().require_part(part_id)
    return render("places/part.html", part=part)
