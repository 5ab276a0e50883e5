"""Issue 23 §6 in the browser: the collector, on a 360 px phone in Hindi, opens the hours per
volunteer, follows a volunteer's certificate of service, and prints it: the page fits the phone,
and the print is one A4 page without the site's header or the page's links."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from app.campaign.clock import campaign_today
from app.extensions import db
from app.volunteers.models import Organisation
from tests.e2e.conftest import shot
from tests.e2e.test_journeys import sign_in
from tests.volunteers.views_support import assignment, at, clean_slate, part_of, visit, volunteer

pytestmark = __import__("pytest").mark.browser

INSTITUTION = "NSS इकाई 4, शासकीय महाविद्यालय"
A4_POINTS = (595, 842)  # a PDF page's width and height, A4 portrait


def _served(app) -> tuple[str, str]:
    """vol.bhopal.7 worked this week and last at three parts; their name, and the range's query."""
    clean_slate(app)
    with app.app_context():
        today = campaign_today()
        old = today - timedelta(days=today.weekday() + 3)
        who = volunteer(
            "vol.bhopal.7", organisation=Organisation.NSS, institution="NSS इकाई 4, शासकीय महाविद्यालय"
        )
        for (ac, number), day, minutes in (((1, 1), today, 240), ((1, 2), old, 300), ((2, 1), old, 180)):
            made = assignment(who, part_of(ac, number), days=(old, today))
            visit(made, day, at(day, 9), at(day, 9) + timedelta(minutes=minutes), minutes)
        db.session.commit()
        return who.name, f"start={old.isoformat()}&end={today.isoformat()}"


def test_the_certificate_of_service_at_360_px_in_hindi_prints_on_one_a4_page(live_server, page):
    name, days = _served(live_server.app)
    sign_in(page, live_server, "collector.bhopal")  # the demo collector reads Hindi
    expect(page.locator("html")).to_have_attribute("lang", "hi")

    page.goto(f"{live_server}/volunteers/hours?{days}")
    expect(page.get_by_role("heading", name=re.compile("हर स्वयंसेवक के घंटे"))).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("link", name=f"{name} का सेवा प्रमाण-पत्र").click()

    certificate = page.locator("article.certificate")
    expect(page.get_by_role("heading", name="सेवा प्रमाण-पत्र")).to_be_visible()
    expect(certificate).to_contain_text("कार्यालय जिला निर्वाचन अधिकारी, भोपाल")
    expect(certificate).to_contain_text(name)
    expect(certificate.locator(".certificate-figures")).to_contain_text("12 घं 0 मि")
    expect(certificate.locator("td.nowrap")).to_have_text(["1-1", "1-2", "2-1"])
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "volunteer-certificate-360-hi")

    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".certificate-links")).to_be_hidden()
    expect(certificate).to_be_visible()
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    sizes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert len(sizes) == 1, f"{len(sizes)} pages"
    width, height = (round(float(value)) for value in sizes[0])
    assert (width, height) == A4_POINTS
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 px an inch
    shot(page, "volunteer-certificate-print-hi")
