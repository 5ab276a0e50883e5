"""Weak networks in the browser (issue 11): posts kept on the phone while offline, sent once when
back online; the pages a BLO reads offline; the queue page; signing out forgets the phone's copy."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.campaign.clock import campaign_today
from app.extensions import db
from app.figures.models import FIGURES, DailyReport
from tests.e2e.test_report_journey import _sign_in
from tests.idempotency.support import advance, clear_today, part_id, report_count

pytestmark = pytest.mark.browser
SAVED = "Saved on this phone, waiting to send."


def _worker_ready(page) -> None:
    """The service worker controls the page and has kept its copy of the pages to read offline."""
    page.wait_for_function(
        "navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=10000
    )


def _waiting(page) -> int:
    return page.evaluate("async () => (await window.sirQueue.all()).length")


def _fill(card, figures: dict) -> None:
    for name in FIGURES:
        card.locator(f"input[name='{name}']").fill(str(figures[name]))


def test_a_report_filled_offline_is_saved_once_back_online(live_server, page):
    app = live_server.app
    pid = part_id(app, 1, 1)
    previous, electors = clear_today(app, pid)
    _sign_in(page, live_server, "blo.1.1")
    page.goto(f"{live_server}/reports/parts/{pid}")
    _worker_ready(page)
    page.context.set_offline(True)
    card = page.locator(f"#report-{pid}")
    figures = advance(previous, electors)
    _fill(card, figures)
    started = time.perf_counter()
    card.get_by_role("button", name="Save the figures").click()
    expect(card.get_by_role("status").filter(has_text=SAVED)).to_be_visible()
    print(f"\nsaving offline: {(time.perf_counter() - started) * 1000:.0f} ms")
    assert report_count(app, pid) == 0
    badge = page.locator("[data-offline-badge]")
    expect(badge).to_be_visible()
    expect(badge.locator("[data-offline-count]")).to_have_text("1")

    page.reload()
    expect(page.locator("#offline-copy")).to_be_visible()
    expect(page.locator("#offline-copy")).to_contain_text("last updated")
    expect(page.locator("[data-offline-count]")).to_have_text("1")
    assert report_count(app, pid) == 0

    page.context.set_offline(False)
    expect(page.locator("[data-offline-badge]")).to_be_hidden(timeout=10000)
    assert _waiting(page) == 0
    assert report_count(app, pid) == 1
    with app.app_context():
        report = db.session.scalar(
            select(DailyReport).where(DailyReport.part_id == pid, DailyReport.report_date == campaign_today())
        )
        assert report.figures() == figures
