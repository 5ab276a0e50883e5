"""A BLO's report reaching the server after the supervisor entered the day: the phone shows both sets
and the BLO's choice stands, in the browser (htmx swaps the 409 card; the choice is a boosted post)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.campaign.clock import campaign_today
from app.extensions import db
from app.figures.models import FIGURES, DailyReport
from app.models import Part, User
from app.reports.services import submit_report
from tests.e2e.conftest import shot
from tests.e2e.test_report_journey import _sign_in
from tests.idempotency.support import advance, clear_today, part_id

pytestmark = pytest.mark.browser


def test_the_blo_sees_both_sets_and_saves_hers(live_server, page):
    app = live_server.app
    pid = part_id(app, 1, 1)
    previous, electors = clear_today(app, pid)
    _sign_in(page, live_server, "blo.1.1")
    page.goto(f"{live_server}/reports/parts/{pid}")
    card = page.locator(f"#report-{pid}")
    mine = advance(previous, electors, step=6)
    for name in FIGURES:
        card.locator(f"input[name='{name}']").fill(str(mine[name]))

    # Meanwhile the supervisor enters other figures for the day from the office.
    theirs = advance(previous, electors, step=10)
    with app.app_context():
        supervisor = db.session.scalar(select(User).where(User.login == "sup.1.1"))
        submit_report(supervisor, db.session.get(Part, pid), campaign_today(), theirs)
        supervisor_name = supervisor.name
        db.session.commit()

    card.get_by_role("button", name="Save the figures").click()
    conflict = page.locator(f"article.report-conflict#report-{pid}")
    expect(conflict).to_contain_text("Two sets of figures")
    expect(conflict).to_contain_text(supervisor_name)
    digitized = conflict.locator("tr", has_text=re.compile("digitized", re.I)).first
    expect(digitized).to_contain_text(f"{theirs['digitized']:,}")
    expect(digitized).to_contain_text(f"{mine['digitized']:,}")
    shot(page, "blo-report-conflict")
    with app.app_context():
        report = db.session.scalar(
            select(DailyReport).where(DailyReport.part_id == pid, DailyReport.report_date == campaign_today())
        )
        assert report.figures() == theirs  # nothing replaced while she chooses

    conflict.get_by_role("button", name="Save mine instead").click()
    expect(page.locator(".flash-success")).to_contain_text("Saved at")
    with app.app_context():
        report = db.session.scalar(
            select(DailyReport).where(DailyReport.part_id == pid, DailyReport.report_date == campaign_today())
        )
        assert report.figures() == mine
    # The refused save is an error response on purpose (htmx logs it); nothing else went wrong.
    assert page.console_errors and all("409" in error for error in page.console_errors), page.console_errors
