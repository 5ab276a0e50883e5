"""The maps' plain base in a real browser at 360 px, with no tile server: the district map, the
inspection planner and an inspection's route map draw each AC's outline (an SVG path) with its number
and name, and the district headquarters, under the parts; with tiles configured, the outlines are
drawn hollow over them. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.inspections.models import Inspection
from app.models import Constituency, District
from tests.e2e.conftest import ARTIFACTS, shot
from tests.e2e.test_journeys import sign_in, to_english

pytestmark = __import__("pytest").mark.browser

BHOPAL_PARTS = 12  # tiny demo: ACs 1 and 2, six parts each


def _ids(app) -> tuple[int, int]:
    with app.app_context():
        district_id = db.session.scalar(select(District.id).where(District.name_en == "Bhopal"))
        inspection_id = db.session.scalar(select(Inspection.id).order_by(Inspection.id))
        return district_id, inspection_id


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width} px wide at 360"


def _expect_base(page, container: str, names: list[str]) -> None:
    outlines = page.locator(f"{container} svg path.map-ac-outline")
    expect(outlines).to_have_count(len(names))
    for k in range(len(names)):
        assert re.fullmatch(r"M[\d ,.LMz-]+", outlines.nth(k).get_attribute("d") or ""), "an empty outline"
    labels = page.locator(f"{container} .map-ac-label")
    expect(labels).to_have_text(names)
    for k in range(len(names)):
        expect(labels.nth(k).locator("span")).to_be_visible()
    # nothing of the base answers a tap
    assert page.locator(f"{container} path.map-ac-outline.leaflet-interactive").count() == 0


def test_the_district_map_draws_the_acs_and_the_headquarters_without_tiles(live_server, page):
    district_id, _inspection_id = _ids(live_server.app)
    sign_in(page, live_server, "collector.bhopal")
    to_english(page)
    page.goto(f"{live_server}/maps/districts/{district_id}")
    expect(page.locator(".part-map path.leaflet-interactive")).to_have_count(BHOPAL_PARTS)
    _expect_base(page, ".part-map", ["1 Bhopal-1", "2 Bhopal-2"])
    hq = page.locator(".part-map .map-hq")
    expect(hq.locator("span")).to_be_visible()
    expect(hq).to_have_text(re.compile("District HQ"))
    expect(hq.locator("[title]")).to_have_attribute("title", "Bhopal district headquarters")
    assert "map-plain" in page.locator(".part-map").get_attribute("class")
    _no_sideways_scroll(page)
    page.locator(".part-map").screenshot(path=str(ARTIFACTS / "map-base-district-360-en.png"))
    # the parts are drawn above the outlines: a tap on one still opens its popup
    page.locator(".part-map path.leaflet-interactive").first.click()
    expect(page.locator(".leaflet-popup-content")).to_be_visible()
    assert page.console_errors == []


def test_the_labels_speak_hindi_on_a_hindi_page(live_server, page):
    district_id, _inspection_id = _ids(live_server.app)
    with live_server.app.app_context():
        names = db.session.scalars(
            select(Constituency.name_hi)
            .where(Constituency.district_id == district_id)
            .order_by(Constituency.number)
        ).all()
    sign_in(page, live_server, "collector.bhopal")  # demo accounts read Hindi
    if page.locator("html").get_attribute("lang") != "hi":
        page.get_by_role("button", name="हिन्दी").click()
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    page.goto(f"{live_server}/maps/districts/{district_id}")
    _expect_base(page, ".part-map", [f"{n + 1} {name}" for n, name in enumerate(names)])
    _no_sideways_scroll(page)
    shot(page, "map-base-district-360-hi")
    assert page.console_errors == []


def test_the_inspection_maps_draw_the_base_under_the_route_and_the_suggestions(live_server, page):
    _district_id, inspection_id = _ids(live_server.app)
    sign_in(page, live_server, "collector.bhopal")
    to_english(page)
    page.goto(f"{live_server}/inspections/{inspection_id}")
    expect(page.locator(".inspection-map path.insp-route")).to_have_count(1)
    _expect_base(page, ".inspection-map", ["1 Bhopal-1", "2 Bhopal-2"])
    _no_sideways_scroll(page)
    shot(page, "map-base-route-360")

    page.goto(f"{live_server}/inspections/new?radius_km=80")
    expect(page.locator(".inspection-map path.insp-part").first).to_be_visible()
    _expect_base(page, ".inspection-map", ["1 Bhopal-1", "2 Bhopal-2"])
    # the start is the headquarters: one mark for both
    expect(page.locator(".inspection-map .insp-start")).to_have_count(1)
    expect(page.locator(".inspection-map .map-hq")).to_have_count(0)
    _no_sideways_scroll(page)
    shot(page, "map-base-planner-360")
    assert page.console_errors == []


def test_with_tiles_the_outlines_are_drawn_hollow_over_them(live_server, page):
    app = live_server.app
    district_id, _inspection_id = _ids(app)
    before = app.config.get("MAP_TILE_URL", "")
    # a "tile server" on the live server itself: every tile is the app's icon
    app.config["MAP_TILE_URL"] = f"{live_server}/static/icons/icon-192.png?z={{z}}&x={{x}}&y={{y}}"
    try:
        sign_in(page, live_server, "collector.bhopal")
        to_english(page)
        page.goto(f"{live_server}/maps/districts/{district_id}")
        expect(page.locator(".part-map img.leaflet-tile").first).to_be_attached()
        _expect_base(page, ".part-map", ["1 Bhopal-1", "2 Bhopal-2"])
        expect(page.locator(".part-map path.map-ac-outline.is-over-tiles")).to_have_count(2)
        assert "map-plain" not in page.locator(".part-map").get_attribute("class")
        assert page.console_errors == []
    finally:
        app.config["MAP_TILE_URL"] = before
