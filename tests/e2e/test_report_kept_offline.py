"""A report kept on the phone, in Hindi on a 360 px phone (issue 21): a reload or a new tab shows
what the BLO typed, marked waiting to send, never the server's older copy; saving again replaces
the kept report; the live check waits for the network; online, the last figures are saved once."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.campaign.clock import campaign_today
from app.extensions import db
from app.figures.models import FIGURES, DailyReport
from tests.e2e.phone import kept_pages, until, worker_ready
from tests.e2e.test_journeys import sign_in
from tests.idempotency.support import advance, audit_count, clear_today, part_id, report_count

pytestmark = pytest.mark.browser


def _hindi(app, text: str) -> str:
    from flask_babel import force_locale, gettext

    with app.test_request_context(), force_locale("hi"):
        translated = gettext(text)
    assert translated != text, text  # the Hindi is there
    return translated


def _fill(card, figures: dict) -> None:
    for name in FIGURES:
        card.locator(f"input[name='{name}']").fill(str(figures[name]))


def _shows(card, figures: dict) -> None:
    for name in FIGURES:
        expect(card.locator(f"input[name='{name}']")).to_have_value(str(figures[name]))


def _waiting(page) -> int:
    script = "async () => (await (await window.sirOffline.queue()).forUser(window.sirOffline.config().user))"
    return page.evaluate(script + ".length")


def test_a_kept_report_shows_as_typed_and_the_last_save_is_the_one_sent(live_server, page):
    app = live_server.app
    pid = part_id(app, 1, 1)
    previous, electors = clear_today(app, pid)
    url = f"{live_server}/reports/parts/{pid}"
    sign_in(page, live_server, "blo.1.1")
    page.goto(url)
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    worker_ready(page)
    kept_pages(page)
    # This very page is kept (not only some page): the offline reload below opens the phone's copy.
    until(page, "async () => !!(await caches.match(location.href))")
    # The day's report page too (the worker keeps it for a BLO): the new tab below opens it offline.
    until(page, "async () => !!(await caches.match(location.origin + '/reports/'))")
    before = audit_count(app, "report.")
    kept = _hindi(app, "Saved on this phone, waiting to send.")
    waiting = _hindi(
        app,
        "Waiting to send: these are the figures you saved on this phone; the server does not have them yet.",
    )
    replaced = _hindi(app, "Your earlier kept figures were replaced by these.")
    check_later = _hindi(app, "No network: the figures will be checked when you are online.")

    page.context.set_offline(True)
    card = page.locator(f"#report-{pid}")
    first = advance(previous, electors)
    _fill(card, first)
    # The live check cannot reach the server: it says so rather than keep yesterday's verdict.
    expect(card.locator(f"#check-{pid}")).to_have_text(check_later)
    card.locator("button[type=submit]").click()
    expect(card.get_by_role("status").filter(has_text=kept)).to_be_visible()
    expect(page.locator("[data-offline-count]")).to_have_text("1")

    page.reload()  # offline: the phone's copy of the page, filled from the kept report
    expect(page.locator("#offline-copy")).to_be_visible()
    card = page.locator(f"#report-{pid}")
    _shows(card, first)
    expect(card.locator(f"#kept-{pid}")).to_be_visible()
    expect(card.locator(f"#kept-{pid}")).to_contain_text(waiting)
    expect(card.locator(f"#check-{pid}")).to_have_text(check_later)

    second = advance(first, electors, step=4)
    assert second != first
    _fill(card, second)
    card.locator("button[type=submit]").click()
    expect(card.get_by_role("status").filter(has_text=kept)).to_be_visible()
    expect(card.locator(f"#kept-{pid}")).to_contain_text(replaced)
    expect(page.locator("[data-offline-count]")).to_have_text("1")
    assert _waiting(page) == 1

    other = page.context.new_page()  # a new tab on the day's page, still offline: the last kept figures
    other.goto(f"{live_server}/reports/")
    other_card = other.locator(f"#report-{pid}")
    _shows(other_card, second)
    expect(other_card.locator(f"#kept-{pid}")).to_contain_text(waiting)
    other.close()
    assert report_count(app, pid) == 0

    page.context.set_offline(False)
    expect(page.locator("[data-offline-badge]")).to_be_hidden(timeout=15000)
    expect(card.locator(f"#kept-{pid}")).to_be_hidden()
    expect(card.locator(f"#check-{pid}")).not_to_have_text(check_later)  # checked again, online
    assert report_count(app, pid) == 1
    assert audit_count(app, "report.") == before + 1
    with app.app_context():
        report = db.session.scalar(
            select(DailyReport).where(DailyReport.part_id == pid, DailyReport.report_date == campaign_today())
        )
        assert report.figures() == second
