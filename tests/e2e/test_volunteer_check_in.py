"""A volunteer on a 360 px phone, in Hindi, accepts an offer, finds the booth and checks in with the
phone's position (check-in.js); the BLO sees them on their today page and confirms they came."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.volunteers.models import Attendance, VisitDay
from tests.conftest import remove_seeded_volunteers
from tests.e2e.conftest import shot
from tests.e2e.test_journeys import sign_in
from tests.volunteers.matrix_mine import part_of
from tests.volunteers.mine_support import make_offer

pytestmark = __import__("pytest").mark.browser


@pytest.mark.usefixtures("ten_today")
def test_volunteer_accepts_checks_in_with_gps_and_the_blo_confirms(live_server, browser):
    app = live_server.app
    remove_seeded_volunteers(app)
    offer = make_offer(app)
    with app.app_context():
        part = part_of(1, 1)
        lat, lon = part.lat + 0.002, part.lon  # about 220 m north of the booth
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        locale="hi-IN",
        geolocation={"latitude": lat, "longitude": lon, "accuracy": 20},
        permissions=["geolocation"],
    )
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    sign_in(page, live_server, "vol.bhopal.1")
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    page.locator(f"a[href='/volunteers/assignments/{offer}']").first.click()
    expect(page.locator("#assignment")).to_contain_text("स्वीकार करने के बाद बीएलओ का नाम")
    accept = page.get_by_role("button", name="स्वीकार करें")
    box = accept.bounding_box()
    assert box["height"] >= 44 and box["x"] + box["width"] <= 360
    accept.click()
    expect(page.locator("#assignment .flash")).to_contain_text("स्वीकार किया")
    expect(page.locator("a[href^='tel:']")).to_be_visible()

    page.get_by_role("button", name="चेक-इन करें").click()
    expect(page.locator("#assignment .flash")).to_contain_text("मीटर दूर हैं")
    with app.app_context():
        visit = db.session.query(VisitDay).filter_by(assignment_id=offer).one()
        assert visit.check_in_lat is not None and 150 < visit.check_in_distance_m < 300
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "volunteer-assignment-360-hi")
    assert not errors, errors
    context.close()

    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="hi-IN")
    page = context.new_page()
    sign_in(page, live_server, "blo.1.1")
    page.locator("a[href='/volunteers/today']").click()
    expect(page.locator("#volunteers")).to_contain_text("चेक-इन")
    came = page.get_by_role("button", name="आए", exact=True)
    assert came.bounding_box()["height"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    came.click()
    expect(page.locator("#volunteers .flash")).to_contain_text("धन्यवाद")
    shot(page, "volunteer-blo-today-360-hi")
    with app.app_context():
        assert (
            db.session.query(VisitDay).filter_by(assignment_id=offer).one().attendance == Attendance.CONFIRMED
        )
    context.close()
