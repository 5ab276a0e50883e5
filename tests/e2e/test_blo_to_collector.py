"""A BLO reports on a phone; the collector's dashboard shows it at once, no longer as missing."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.figures.models import FIGURES, DailyReport
from app.models import Constituency, Part
from tests.e2e.conftest import shot
from tests.e2e.test_report_journey import _shown_beside, _sign_in

pytestmark = pytest.mark.browser


def _unreported_part_of_bhopal(app):
    """A Bhopal part with no report today, and its BLO's login."""
    from app.campaign.clock import campaign_today

    with app.app_context():
        today = campaign_today()
        row = db.session.execute(
            select(Part.id, Constituency.number, Part.number)
            .join(Constituency, Part.constituency_id == Constituency.id)
            .where(
                Constituency.number.in_([1, 2]),
                Part.id.not_in(select(DailyReport.part_id).where(DailyReport.report_date == today)),
            )
            .order_by(Constituency.number, Part.number)
        ).first()
    assert row is not None, "the tiny demo leaves some Bhopal parts unreported today"
    return row


def test_blo_report_shows_on_the_collectors_dashboard(live_server, browser, page):
    app = live_server.app
    part_id, ac_number, part_number = _unreported_part_of_bhopal(app)
    label = f"{ac_number}-{part_number}"

    # the collector sees the part as missing today
    officer = browser.new_context(viewport={"width": 360, "height": 740})
    collector = officer.new_page()
    _sign_in(collector, live_server, "collector.bhopal")
    with app.app_context():
        ac_id = db.session.scalar(select(Constituency.id).where(Constituency.number == ac_number))
    collector.goto(f"{live_server}/progress/constituencies/{ac_id}")
    row = collector.locator(f"#row-{part_id}")
    expect(row).to_contain_text("not reported")

    # the BLO reports on her phone
    _sign_in(page, live_server, f"blo.{ac_number}.{part_number}")
    page.goto(f"{live_server}/reports/")
    card = page.locator("article.report-card").first
    expect(card.get_by_role("heading", name=re.compile(rf"^{label}: "))).to_be_visible()
    figures = {name: _shown_beside(card, name) for name in FIGURES}
    asd = sum(figures[name] for name in FIGURES if name.startswith("asd_"))
    if figures["collected"] + asd > figures["digitized"]:
        figures["digitized"] += 1
    for name in FIGURES:
        card.locator(f"input[name='{name}']").fill(str(figures[name]))
    card.get_by_role("button", name="Save the figures").click()
    expect(page.get_by_role("status").filter(has_text="Saved at")).to_be_visible()

    # the collector's dashboard shows it on the next load: reported, with the new figure
    collector.reload()
    row = collector.locator(f"#row-{part_id}")
    expect(row).not_to_contain_text("not reported")
    expect(row).to_contain_text("✓")
    expect(row).to_contain_text(f"{figures['digitized']:,}")
    shot(collector, "collector-sees-blo-report")
    officer.close()
