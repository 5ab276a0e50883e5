"""The maps' plain base, drawn from the app's own data (no tile server): each AC's outline, the convex
hull of its parts' locations with a margin, labelled at its centroid, and the district headquarters,
as GeoJSON in the data of the district map, the AC map and the inspection maps."""

from __future__ import annotations

import json
import re

import numpy as np
from sqlalchemy import select

from app.extensions import db
from app.inspections.models import Inspection
from app.inspections.outlines import centroid, convex_hull, outline
from app.models import Constituency, District, Part
from tests.conftest import hindi


def _inside(point: tuple[float, float], ring: list[list[float]]) -> bool:
    """Whether (lon, lat) lies inside the closed ring (ray casting)."""
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _bhopal(app) -> District:
    with app.app_context():
        district = db.session.scalar(select(District).where(District.name_en == "Bhopal"))
        db.session.expunge(district)
        return district


def _parts_by_ac(app, district_id: int) -> dict[int, list[tuple[float, float]]]:
    with app.app_context():
        rows = db.session.execute(
            select(Constituency.number, Part.lon, Part.lat)
            .join(Part, Part.constituency_id == Constituency.id)
            .where(Constituency.district_id == district_id, Part.lat.is_not(None))
        ).all()
    found: dict[int, list] = {}
    for number, lon, lat in rows:
        found.setdefault(number, []).append((lon, lat))
    return found


def _outlines(base: dict) -> dict[int, dict]:
    return {f["properties"]["number"]: f for f in base["features"] if f["properties"]["kind"] == "ac"}


def _check_base(base: dict, district: District, parts: dict, numbers: set[int]) -> None:
    assert base["type"] == "FeatureCollection"
    outlines = _outlines(base)
    assert set(outlines) == numbers
    for number, feature in outlines.items():
        assert feature["geometry"]["type"] == "Polygon"
        ring = feature["geometry"]["coordinates"][0]
        assert ring[0] == ring[-1] and len(ring) >= 4
        assert all(_inside(point, ring) for point in parts[number]), number
        assert _inside(tuple(feature["properties"]["centre"]), ring)
        assert feature["properties"]["label"] == f"{number} Bhopal-{number}"
    (hq,) = [f for f in base["features"] if f["properties"]["kind"] == "hq"]
    assert hq["geometry"] == {"type": "Point", "coordinates": [district.hq_lon, district.hq_lat]}
    assert hq["properties"]["label"] == "Bhopal district headquarters"


# -- the geometry -----------------------------------------------------------------------------------


def test_the_hull_keeps_the_corners_counter_clockwise_and_drops_the_inside():
    square = np.array([[0, 0], [2, 0], [2, 2], [0, 2], [1, 1], [1, 0], [0, 0]])
    assert convex_hull(square).tolist() == [[0, 0], [2, 0], [2, 2], [0, 2]]
    assert convex_hull(np.array([[3, 3], [1, 1]])).tolist() == [[1, 1], [3, 3]]


def test_the_hull_of_a_cloud_holds_every_point_on_its_corners():
    rng = np.random.default_rng(23)
    for size in (3, 15, 16, 17, 300):
        points = np.round(rng.normal(size=(size, 2)), 2)  # rounded: repeated and collinear points too
        hull = convex_hull(points)
        assert {tuple(corner) for corner in hull.tolist()} <= {tuple(p) for p in points.tolist()}
        for a, b in zip(hull, np.roll(hull, -1, axis=0), strict=True):
            cross = (b[0] - a[0]) * (points[:, 1] - a[1]) - (b[1] - a[1]) * (points[:, 0] - a[0])
            assert (cross >= -1e-9).all(), size  # every point on or left of every edge


def test_one_part_or_parts_in_a_line_still_get_an_area_around_them():
    for lons, lats in (([77.4], [23.2]), ([77.40, 77.45, 77.50], [23.2, 23.2, 23.2])):
        ring = outline(np.array(lons), np.array(lats))
        assert ring[0] == ring[-1] and len(ring) > 4
        assert all(_inside((lon, lat), ring) for lon, lat in zip(lons, lats, strict=True))
    x, y = centroid(outline(np.array([77.4]), np.array([23.2])))
    assert abs(x - 77.4) < 1e-4 and abs(y - 23.2) < 1e-4


# -- in the maps' data ------------------------------------------------------------------------------


def test_the_district_map_data_carries_each_acs_outline_label_and_the_headquarters(app, client, auth):
    district = _bhopal(app)
    parts = _parts_by_ac(app, district.id)
    auth.login("collector.bhopal")
    data = client.get(f"/maps/data.json?district_id={district.id}").get_json()
    _check_base(data["base"], district, parts, {1, 2})


def test_an_acs_map_outlines_that_ac_alone(app, client, auth):
    district = _bhopal(app)
    parts = _parts_by_ac(app, district.id)
    with app.app_context():
        ac1 = db.session.scalar(select(Constituency.id).where(Constituency.number == 1))
    auth.login("ero.1")
    data = client.get(f"/maps/data.json?constituency_id={ac1}").get_json()
    _check_base(data["base"], district, parts, {1})
    # an ERO sees their own AC on the district's map too
    data = client.get(f"/maps/data.json?district_id={district.id}").get_json()
    assert set(_outlines(data["base"])) == {1}


def test_the_labels_are_in_hindi_on_a_hindi_page(app, client, auth):
    district = _bhopal(app)
    auth.login("collector.bhopal", lang="hi")
    base = client.get(f"/maps/data.json?district_id={district.id}").get_json()["base"]
    with app.app_context():
        name_hi = db.session.scalar(select(Constituency.name_hi).where(Constituency.number == 1))
    assert _outlines(base)[1]["properties"]["label"] == f"1 {name_hi}"
    (hq,) = [f for f in base["features"] if f["properties"]["kind"] == "hq"]
    label = hq["properties"]["label"]
    assert label == hindi(app, "%(district)s district headquarters", district=district.name_hi)
    assert district.name_hi in label and "headquarters" not in label


def _data_map(html: str) -> dict:
    return json.loads(re.search(r"data-map='([^']+)'", html)[1].replace("&#39;", "'"))


def test_the_inspection_maps_carry_the_base_and_the_scripts_that_draw_it(app, client, auth):
    district = _bhopal(app)
    parts = _parts_by_ac(app, district.id)
    auth.login("collector.bhopal")
    planner = client.get("/inspections/new?radius_km=80").get_data(as_text=True)
    _check_base(_data_map(planner)["base"], district, parts, {1, 2})
    assert 'data-base-script="/static/js/map-base.js?v=' in planner
    assert 'data-base-stylesheet="/static/css/map-base.css?v=' in planner
    with app.app_context():  # the tiny demo's inspections are Bhopal's
        inspection_id = db.session.scalar(select(Inspection.id).order_by(Inspection.id))
    plan = client.get(f"/inspections/{inspection_id}").get_data(as_text=True)
    _check_base(_data_map(plan)["base"], district, parts, {1, 2})
    assert 'data-base-script="/static/js/map-base.js?v=' in plan
    coverage = client.get("/inspections/coverage/data.json").get_json()
    _check_base(coverage["base"], district, parts, {1, 2})
    district_page = client.get(f"/maps/districts/{district.id}").get_data(as_text=True)
    assert 'data-base-script="/static/js/map-base.js?v=' in district_page
