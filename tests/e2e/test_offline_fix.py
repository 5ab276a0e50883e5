"""A refused post kept on the phone can be fixed (issue 21): at 360 px in Hindi the queue shows the
server's reason; its form opens filled with what was typed, the reason beside the field; the
corrected post is saved once and the refused one leaves the queue; deleting asks first."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.campaign.clock import campaign_today
from app.extensions import db
from app.figures.models import FIGURES, DailyReport
from tests.e2e.phone import worker_ready
from tests.e2e.test_report_journey import _sign_in
from tests.idempotency.support import advance, clear_today, part_id, report_count

pytestmark = pytest.mark.browser
KEPT = "इस फ़ोन पर रखा गया"


def _queue_lower_report(live_server, page):
    """In Hindi, offline: a report with a figure lower than the last report and no reason, kept."""
    app = live_server.app
    pid = part_id(app, 1, 1)
    previous, electors = clear_today(app, pid)
    assert previous["mapped_self"] > 0
    _sign_in(page, live_server, "blo.1.1")
    page.get_by_role("button", name="हिन्दी").click()
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    page.goto(f"{live_server}/reports/parts/{pid}")
    worker_ready(page)
    page.context.set_offline(True)
    card = page.locator(f"#report-{pid}")
    figures = advance(previous, electors)
    figures["mapped_self"] = previous["mapped_self"] - 1
    for name in FIGURES:
        card.locator(f"input[name='{name}']").fill(str(figures[name]))
    card.locator("button[type=submit]").click()
    expect(card.locator("[data-offline-note]")).to_contain_text(KEPT)
    page.context.set_offline(False)
    page.goto(f"{live_server}/offline/queue")
    item = page.locator(".offline-item")
    expect(item).to_have_count(1)
    expect(item).to_have_attribute("data-state", "refused", timeout=10000)
    return app, pid, figures, item


def test_a_refused_report_opens_as_typed_and_once_fixed_is_saved_once(live_server, page):
    app, pid, figures, item = _queue_lower_report(live_server, page)
    expect(item.locator("[data-field=state]")).to_have_text("सहेजा नहीं गया")
    expect(item.locator("[data-field=created]")).to_contain_text(KEPT + ":")
    expect(item.locator("[data-field=created]")).not_to_contain_text("सहेजा गया")
    reason = item.locator("[data-field=reason]")
    expect(reason).to_be_visible()
    expect(reason).not_to_be_empty()
    assert report_count(app, pid) == 0

    item.get_by_role("link", name="फ़ॉर्म खोलें").click()
    page.wait_for_url(re.compile(rf"/reports/parts/{pid}.*#offline-fix="))
    card = page.locator(f"#report-{pid}")
    for name in FIGURES:  # what was typed, not the server's figures
        expect(card.locator(f"input[name='{name}']")).to_have_value(str(figures[name]))
    lowered = card.locator("input[name='mapped_self']")
    expect(lowered).to_have_attribute("aria-invalid", "true")
    expect(card.locator(f"#e{pid}-mapped_self")).not_to_be_empty()
    why = card.locator("input[name='correction_reason']")  # the reason the server asked for, beside its field
    expect(why).to_be_visible()
    expect(why).to_have_attribute("aria-invalid", "true")
    expect(card.locator(f"#r{pid}-help")).not_to_be_empty()
    # Sent again without the reason: refused again (the server's own form comes back), still one item.
    card.locator("form").evaluate("(form) => { form.dataset.before = '1'; }")
    card.locator("button[type=submit]").click()
    expect(card.locator("form:not([data-before])")).to_have_count(1)
    expect(card.locator("input[name='correction_reason'][aria-invalid=true]")).to_be_visible()
    expect(page.locator("[data-offline-count]")).to_have_text(re.compile("1|१"))
    assert report_count(app, pid) == 0
    card.locator("input[name='correction_reason']").fill("दोबारा गिनती")
    card.locator("button[type=submit]").click()
    expect(card.locator(f"#confirm-{pid}")).not_to_be_empty()
    expect(page.locator("[data-offline-badge]")).to_be_hidden(timeout=10000)

    page.goto(f"{live_server}/offline/queue")
    expect(page.locator(".offline-item[data-state=refused]")).to_have_count(0)
    expect(page.locator("[data-offline-send]")).to_be_hidden()
    assert report_count(app, pid) == 1
    with app.app_context():
        report = db.session.scalar(
            select(DailyReport).where(DailyReport.part_id == pid, DailyReport.report_date == campaign_today())
        )
        assert report.figures() == figures
        db.session.remove()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the queue page is {width}px wide"


def test_deleting_a_refused_item_asks_first(live_server, page):
    app, pid, _figures, item = _queue_lower_report(live_server, page)
    asked = []

    def refuse(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", refuse)
    item.get_by_role("button", name="हटाएं").click()
    expect(page.locator(".offline-item")).to_have_count(1)
    assert asked and "हटाएं" in asked[0], asked
    page.once("dialog", lambda dialog: dialog.accept())
    item.get_by_role("button", name="हटाएं").click()
    expect(page.locator(".offline-item")).to_have_count(0)
    expect(page.locator("[data-offline-badge]")).to_be_hidden()
    assert report_count(app, pid) == 0


def test_a_fixed_report_kept_offline_again_replaces_the_refused_one(live_server, page):
    app, pid, figures, item = _queue_lower_report(live_server, page)
    refused_key = item.get_attribute("data-key")
    item.get_by_role("link", name="फ़ॉर्म खोलें").click()
    card = page.locator(f"#report-{pid}")
    expect(card.locator("input[name='mapped_self']")).to_have_value(str(figures["mapped_self"]))
    why = card.locator("input[name='correction_reason']")
    expect(why).to_be_visible()
    why.fill("दोबारा गिनती")
    page.context.set_offline(True)
    card.locator("button[type=submit]").click()
    expect(card.locator("[data-offline-note]")).to_contain_text(KEPT)
    page.goto(f"{live_server}/offline/queue")
    kept = page.locator(".offline-item")
    expect(kept).to_have_count(1)  # the corrected post, under a key of its own; the refused one is gone
    expect(kept).to_have_attribute("data-state", "waiting")
    assert kept.get_attribute("data-key") != refused_key
    page.context.set_offline(False)  # back online, the phone sends what waits by itself
    expect(page.locator("[data-offline-badge]")).to_be_hidden(timeout=10000)
    expect(
        page.locator(".offline-item[data-state=waiting], .offline-item[data-state=refused]")
    ).to_have_count(0)
    assert report_count(app, pid) == 1
    with app.app_context():
        report = db.session.scalar(
            select(DailyReport).where(DailyReport.part_id == pid, DailyReport.report_date == campaign_today())
        )
        assert report.figures() == figures
        assert report.correction_reason == "दोबारा गिनती"
        db.session.remove()


def test_a_reason_naming_no_field_shows_at_the_top_of_the_form(live_server, page):
    """A report kept for a day that has since closed: the reason heads the form, the figures are as typed."""
    app = live_server.app
    pid = part_id(app, 1, 1)
    previous, electors = clear_today(app, pid)
    _sign_in(page, live_server, "blo.1.1")
    page.get_by_role("button", name="हिन्दी").click()
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    page.goto(f"{live_server}/reports/parts/{pid}")
    worker_ready(page)
    page.context.set_offline(True)
    card = page.locator(f"#report-{pid}")
    figures = advance(previous, electors)
    for name in FIGURES:
        card.locator(f"input[name='{name}']").fill(str(figures[name]))
    card.locator("button[type=submit]").click()
    expect(card.locator("[data-offline-note]")).to_contain_text(KEPT)
    page.evaluate(  # kept so long that its day has closed
        """async () => {
             const queue = await window.sirOffline.queue();
             const [item] = await queue.all();
             const fields = item.fields.map(([n, v]) => [n, n === 'report_date' ? '2020-01-01' : v]);
             await queue.update(item.key, {fields}); }"""
    )
    page.context.set_offline(False)
    page.goto(f"{live_server}/offline/queue")
    item = page.locator(".offline-item")
    expect(item).to_have_attribute("data-state", "refused", timeout=10000)
    reason = item.locator("[data-field=reason]").inner_text()
    assert reason
    item.get_by_role("link", name="फ़ॉर्म खोलें").click()
    card = page.locator(f"#report-{pid}")
    top = card.locator("form [data-offline-fix-reason][role=alert]")
    expect(top).to_have_text(reason)
    first_field = card.locator("input[name='distributed']").element_handle()
    assert top.evaluate("(note, field) => !!(note.compareDocumentPosition(field) & 4)", first_field)
    for name in FIGURES:
        expect(card.locator(f"input[name='{name}']")).to_have_value(str(figures[name]))
    card.locator("button[type=submit]").click()  # for the day the form is open on
    expect(card.locator(f"#confirm-{pid}")).not_to_be_empty()
    expect(page.locator("[data-offline-badge]")).to_be_hidden(timeout=10000)
    expect(top).to_have_count(0)
    assert report_count(app, pid) == 1
