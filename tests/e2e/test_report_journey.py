"""A BLO reports today's figures on a phone: open, fill, see the pace, save, in well under 20 seconds."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.figures.models import FIGURES
from tests.e2e.conftest import ARTIFACTS, shot
from tests.e2e.phone import change_two_figures_and_save, clear_today_for
from tests.e2e.phone import sign_in as _sign_in

pytestmark = pytest.mark.browser


def _shown_beside(card, name: str) -> int:
    """The previous report's figure shown under a field's label: "Yesterday: 1,020" or "26 Nov: 1,020"."""
    text = card.locator(f"label[for$='-{name}'] .previous").inner_text()
    match = re.search(r":\s*([\d,]+)", text)
    assert match, f"no previous figure beside {name}: {text!r}"
    return int(match[1].replace(",", ""))


def test_blo_reports_today_on_a_phone(live_server, page):
    _sign_in(page, live_server, "blo.1.1")

    page.goto(f"{live_server}/reports/")
    card = page.locator("article.report-card").first
    expect(card.get_by_role("heading", name=re.compile(r"^1-1: "))).to_be_visible()
    save = card.get_by_role("button", name="Save the figures")
    expect(save).to_be_in_viewport()  # the save button stays in reach while the form scrolls

    previous = {name: _shown_beside(card, name) for name in FIGURES}
    figures = dict(previous)
    asd = sum(previous[name] for name in FIGURES if name.startswith("asd_"))
    if previous["collected"] + asd > previous["digitized"]:
        figures["digitized"] += 1  # one more form digitized than yesterday: never lower
    for name in FIGURES:
        field = card.locator(f"input[name='{name}']")
        field.fill(str(figures[name]))

    # the pace against the target updates as she types, before anything is saved
    check = card.locator(".report-check")
    expect(check).to_contain_text("Pace:")
    expect(check).to_contain_text("Target: 10 % a day")
    expect(check).not_to_contain_text("Figures still to fill")
    # what her screen shows (a full-page shot here would resize the page under the next tap)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "blo-report-filled.png"), caret="initial")

    save.click()
    confirmation = page.get_by_role("status").filter(has_text="Saved at")
    expect(confirmation).to_be_visible()
    expect(confirmation).to_contain_text("Pace:")
    shot(page, "blo-report-saved")

    # the form stays filled with what was saved, and a new visit shows it again
    expect(card.locator("input[name='digitized']")).to_have_value(str(figures["digitized"]))
    page.goto(f"{live_server}/reports/")
    expect(page.locator("input[name='digitized']").first).to_have_value(str(figures["digitized"]))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the report page is {width}px wide"
    assert page.console_errors == []


def test_a_lower_figure_asks_for_a_reason_as_she_types(live_server, page):
    _sign_in(page, live_server, "blo.1.1")
    page.goto(f"{live_server}/reports/")
    card = page.locator("article.report-card").first
    previous = {name: _shown_beside(card, name) for name in FIGURES}
    for name in FIGURES:
        card.locator(f"input[name='{name}']").fill(str(previous[name]))
    expect(card.locator(".report-check")).to_contain_text("Pace:")
    assert previous["mapped_self"] > 0
    card.locator("input[name='mapped_self']").fill(str(previous["mapped_self"] - 1))
    reason = card.get_by_label("Reason for the lower figure")
    expect(reason).to_be_visible()
    expect(card.locator("[id$='-mapped_self'].field-error")).to_contain_text("Lower than the last report")
    reason.fill("Recount at the booth")
    card.get_by_role("button", name="Save the figures").click()
    expect(page.get_by_role("status").filter(has_text="Saved at")).to_be_visible()
    expect(card.locator("mark.badge", has_text="Correction")).to_be_visible()
    shot(page, "blo-report-correction")
    assert page.console_errors == []


def test_before_the_cutoff_she_can_switch_to_yesterday(live_server, page, database_url):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from app.extensions import db
    from app.models import Campaign
    from tests.conftest import make_app

    app = make_app(database_url)
    with app.app_context():  # yesterday stays open until 23:00 in a zone where it is not 23:00 yet
        campaign = db.session.query(Campaign).one()
        campaign.timezone = next(z for z in ("Asia/Kolkata", "UTC") if datetime.now(ZoneInfo(z)).hour < 23)
        campaign.report_cutoff_hour = 23
        db.session.commit()
        db.session.remove()
        db.engine.dispose()

    _sign_in(page, live_server, "blo.1.1")
    page.goto(f"{live_server}/reports/")
    card = page.locator("article.report-card").first
    today_radio = card.get_by_role("radio", name=re.compile("^Today"))
    expect(today_radio).to_be_checked()
    shown_today = _shown_beside(card, "digitized")
    card.get_by_role("radio", name=re.compile("^Yesterday")).check()
    # the card comes back for yesterday, in place: the previous report beside it is an older one
    expect(card.get_by_role("radio", name=re.compile("^Yesterday"))).to_be_checked()
    expect(card.locator("label[for$='-digitized'] .previous")).not_to_contain_text("Yesterday")
    assert _shown_beside(card, "digitized") <= shown_today
    assert page.url == f"{live_server}/reports/"
    assert page.console_errors == []


def test_a_prefilled_report_needs_only_the_two_changed_figures(live_server, page):
    """The BLO journey at 360 px, signed in beforehand: open, change two figures, save, confirmed.
    Its time is `make bench`'s blo_report_two_figures_s, beside its 20 s budget."""
    clear_today_for(live_server.app, "blo.1.1")
    _sign_in(page, live_server, "blo.1.1")
    confirmation = change_two_figures_and_save(page, live_server)
    expect(confirmation).not_to_contain_text("no change today")
    assert page.console_errors == []


def test_saving_the_prefilled_figures_says_no_change_today(live_server, page):
    clear_today_for(live_server.app, "blo.1.1")
    _sign_in(page, live_server, "blo.1.1")
    page.goto(f"{live_server}/reports/")
    card = page.locator("article.report-card").first
    expect(card.locator(".previous.as-last")).to_have_count(10)
    card.get_by_role("button", name="Save the figures").click()
    expect(page.get_by_role("status").filter(has_text="as no change today")).to_be_visible()


def test_a_save_tapped_while_typing_keeps_its_confirmation(live_server, page):
    """Save tapped before the live check fired: the check that follows must not wipe the
    confirmation, and the mark beside the changed figure must follow the saved value."""
    _sign_in(page, live_server, "blo.1.1")
    page.goto(f"{live_server}/reports/")
    card = page.locator("article.report-card").first
    previous = {name: _shown_beside(card, name) for name in FIGURES}
    card.locator("input[name='distributed']").fill(str(previous["distributed"] + 1))
    card.get_by_role("button", name="Save the figures").click()  # within the check's 400 ms delay
    confirmation = page.get_by_role("status").filter(has_text="Saved at")
    expect(confirmation).to_be_visible()
    page.wait_for_timeout(1000)  # the delayed live check has come and gone by now
    expect(confirmation).to_be_visible()
    expect(card.locator("[id$='-distributed'].previous")).not_to_contain_text("as last report")
    assert page.console_errors == []
