"""The tap's time is the time (issue 21, point 2), in the browser: a volunteer checks in offline, the
page says "checked in (waiting to send)" with the check-out below it, they check out offline too; the
server's clock moves on, the network returns, and the stored check-in and check-out are the times
of the taps (the phone's clock), the arrivals kept beside them."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.volunteers.models import VisitDay
from tests.conftest import remove_seeded_volunteers
from tests.e2e.phone import kept_pages, sign_in, until, worker_ready
from tests.volunteers.matrix_mine import part_of
from tests.volunteers.mine_support import make_offer

pytestmark = pytest.mark.browser
SAVED = "Saved on this phone, waiting to send."
WAITING = "Checked in (waiting to send)"


def _stored(moment) -> object:
    """An aware moment as the database keeps it (naive UTC)."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def test_a_check_in_kept_offline_is_stored_at_the_time_of_the_tap(live_server, browser, ten_today):
    app = live_server.app
    remove_seeded_volunteers(app)
    offer = make_offer(app, accept=True)  # today, 10:00 to 14:00
    with app.app_context():
        part = part_of(1, 1)
        lat, lon = part.lat, part.lon
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        locale="en-IN",
        geolocation={"latitude": lat, "longitude": lon, "accuracy": 20},
        permissions=["geolocation"],
    )
    page = context.new_page()
    sign_in(page, live_server, "vol.bhopal.1")
    page.goto(f"{live_server}/volunteers/assignments/{offer}")
    worker_ready(page)
    kept_pages(page)
    # This very page is kept: the offline reload below opens the phone's copy.
    until(page, "async () => !!(await caches.match(location.href))")

    tapped_in = ten_today + timedelta(minutes=5)  # the phone's clock: 10:05
    page.clock.set_fixed_time(tapped_in)
    context.set_offline(True)
    page.get_by_role("button", name="Check in", exact=True).click()
    assignment = page.locator("#assignment")
    expect(assignment.locator("[data-offline-note]")).to_contain_text(SAVED)
    expect(assignment.get_by_text(WAITING)).to_be_visible()
    expect(page.get_by_role("button", name="Check in", exact=True)).to_be_hidden()
    with app.app_context():
        assert db.session.query(VisitDay).filter_by(assignment_id=offer).count() == 0

    # Read again offline (the kept copy): the check-in still waits, the check-out is there.
    page.reload()
    expect(page.locator("#offline-copy")).to_be_visible()
    expect(assignment.get_by_text(WAITING)).to_be_visible()
    tapped_out = ten_today + timedelta(hours=2, minutes=5)  # 12:05
    page.clock.set_fixed_time(tapped_out)
    assignment.get_by_text("Leaving? Check out").click()
    assignment.get_by_role("button", name="Yes, check out now").click()
    expect(page.locator("[data-offline-count]")).to_have_text("2")

    # The network returns at 13:30 by the server's clock: both posts arrive then.
    arrival = ten_today + timedelta(hours=3, minutes=30)
    app.config["CLOCK"] = lambda: arrival
    context.set_offline(False)
    expect(page.locator("[data-offline-badge]")).to_be_hidden(timeout=15000)
    expect(assignment).to_contain_text("Checked out")
    with app.app_context():
        visit = db.session.query(VisitDay).filter_by(assignment_id=offer).one()
        assert visit.check_in_at == _stored(tapped_in) and visit.check_in_received_at == _stored(arrival)
        assert visit.check_out_at == _stored(tapped_out) and visit.check_out_received_at == _stored(arrival)
        assert visit.minutes == 120 and not visit.check_in_outside_hours
        assert visit.check_in_lat is not None
    context.close()
