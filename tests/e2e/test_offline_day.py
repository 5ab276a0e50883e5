"""Issue 21's last side roads and a field worker's whole day offline, in Chromium at 360 px.

- A kept report the server refuses stops saying "waiting": its note and its mark give the reason and
  a way to correct it, in Hindi.
- The queue page says when this phone last sent anything.
- Signed out with no network, the installed app's start page opens the kept sign-in page.
- Offline, the difficulty form asks for no duplicate hints (no failed request, no console error).
- The day: a BLO and a volunteer each go offline before leaving, do their day's work, reload, close
  the tab and reopen the start page offline; in the evening the network comes back as a throttled
  link, and everything arrives once, with the tap times, exactly as typed.
"""

from __future__ import annotations

import re
from datetime import UTC, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.difficulties.models import Difficulty
from app.extensions import db
from app.figures.models import FIGURES, DailyReport
from app.volunteers.models import VisitDay
from tests.conftest import remove_seeded_volunteers
from tests.e2e.conftest import shot
from tests.e2e.phone import kept_pages, sign_in, throttle, until, worker_ready
from tests.idempotency.support import advance, clear_today, part_id, report_count
from tests.volunteers.matrix_mine import part_of
from tests.volunteers.mine_support import make_offer

pytestmark = pytest.mark.browser
HOME_KEPT = "async () => !!(await caches.match(location.origin + '/'))"
THIS_PAGE_KEPT = "async () => !!(await caches.match(location.href))"
SAVED = "Saved on this phone, waiting to send."


def _hindi(page) -> None:
    page.get_by_role("button", name="हिन्दी").click()
    expect(page.locator("html")).to_have_attribute("lang", "hi")


def _tap(page, group: str, value: str) -> None:
    page.locator(f".tap-{group} label.tap").filter(has=page.locator(f"input[value='{value}']")).click()


def _stored(moment):
    return moment.astimezone(UTC).replace(tzinfo=None)


def test_a_refused_kept_report_says_not_saved_with_the_reason_and_a_way_to_correct_it(live_server, page):
    app = live_server.app
    pid = part_id(app, 1, 1)
    previous, electors = clear_today(app, pid)
    sign_in(page, live_server, "blo.1.1")
    _hindi(page)
    page.goto(f"{live_server}/reports/parts/{pid}")
    worker_ready(page)
    kept_pages(page)
    until(page, THIS_PAGE_KEPT)
    card = page.locator(f"#report-{pid}")
    figures = advance(previous, electors)
    figures["mapped_self"] = previous["mapped_self"] - 1  # lower than before, and no reason given
    page.context.set_offline(True)
    for name in FIGURES:
        card.locator(f"input[name='{name}']").fill(str(figures[name]))
    card.locator("button[type=submit]").click()
    note = card.locator("[data-offline-note]")
    expect(note).to_contain_text("इस फ़ोन पर रखा गया")

    page.context.set_offline(False)  # the page sends it; the server refuses it
    expect(note).to_contain_text("सहेजा नहीं गया:", timeout=15000)
    expect(note).not_to_contain_text("इस फ़ोन पर रखा गया")
    expect(note).to_have_attribute("role", "alert")
    expect(note.get_by_role("link", name="ठीक करें")).to_be_visible()
    assert report_count(app, pid) == 0

    # Read again: the form holds what was typed, and its mark says refused, not "waiting to send".
    page.reload()
    mark = page.locator(f"#kept-{pid}")
    expect(mark).to_be_visible()
    expect(mark.locator("[data-kept-refused]")).to_be_visible()
    expect(mark.locator("[data-kept-waiting]")).to_be_hidden()
    expect(card.locator("input[name='mapped_self']")).to_have_value(str(figures["mapped_self"]))
    shot(page, "offline-refused-report-hi-360")
    mark.get_by_role("link", name="ठीक करें").click()
    expect(card.locator("input[name='mapped_self']")).to_have_attribute("aria-invalid", "true")
    card.locator("input[name='correction_reason']").fill("दोबारा गिनती")
    card.locator("button[type=submit]").click()
    expect(page.locator("[data-offline-badge]")).to_be_hidden(timeout=15000)
    assert report_count(app, pid) == 1


def test_the_queue_page_says_when_this_phone_last_sent(live_server, page):
    sign_in(page, live_server, "blo.1.1")
    worker_ready(page)
    page.goto(f"{live_server}/offline/queue")
    last = page.locator("[data-offline-last-sent]")
    expect(last).to_have_text("Nothing sent from this phone in the last day.")

    page.goto(f"{live_server}/")
    page.context.set_offline(True)
    _tap(page, "categories", "network")
    _tap(page, "severities", "high")
    page.locator("#difficulty-form button.send").click()
    expect(page.locator("#difficulty-form [data-offline-note]")).to_contain_text(SAVED)
    page.context.set_offline(False)
    expect(page.locator("[data-offline-badge]")).to_be_hidden(timeout=15000)
    page.goto(f"{live_server}/offline/queue")
    expect(last).to_have_text(re.compile(r"^Last sent from this phone: .*\d\d:\d\d"))


def test_signed_out_offline_the_start_page_opens_the_sign_in_page(live_server, page):
    sign_in(page, live_server, "blo.1.1")
    worker_ready(page)
    until(page, "async () => !!(await caches.match(location.origin + '/auth/login'))")
    until(page, HOME_KEPT)
    page.context.set_offline(True)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server}/auth/login")

    page.goto(f"{live_server}/")  # the installed app's start page, still offline
    expect(page).to_have_url(f"{live_server}/auth/login")
    expect(page.get_by_role("button", name=re.compile("Sign in|साइन इन"))).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def test_offline_the_difficulty_form_asks_for_no_hints(live_server, page):
    sign_in(page, live_server, "blo.1.1")
    worker_ready(page)
    failed = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.context.set_offline(True)
    _tap(page, "categories", "network")  # online, this asks the server for similar difficulties
    _tap(page, "severities", "high")
    page.locator("#difficulty-form button.send").click()
    expect(page.locator("#difficulty-form [data-offline-note]")).to_contain_text(SAVED)
    assert [url for url in failed if "/difficulties/hints" in url] == []
    assert page.console_errors == []


def _blo_day(live_server, page, app, pid, previous, electors) -> dict:
    """Offline from the start: two difficulties, the report, a reload, the tab closed and the start
    page reopened from the phone. What was typed."""
    page.context.set_offline(True)
    for kept, (category, severity) in enumerate((("network", "high"), ("forms_short", "low")), start=1):
        _tap(page, "categories", category)
        _tap(page, "severities", severity)
        page.locator("#difficulty-form button.send").click()
        expect(page.locator("#difficulty-form [data-offline-note]")).to_contain_text(SAVED)
        expect(page.locator("[data-offline-count]")).to_have_text(str(kept))  # this one kept, not the last
        expect(page.locator("#difficulty-form input[name='category']:checked")).to_have_count(0)
    page.goto(f"{live_server}/reports/parts/{pid}")  # the kept copy
    card = page.locator(f"#report-{pid}")
    figures = advance(previous, electors)
    for name in FIGURES:
        card.locator(f"input[name='{name}']").fill(str(figures[name]))
    card.locator("button[type=submit]").click()
    expect(card.locator("[data-offline-note]")).to_contain_text(SAVED)
    page.reload()
    for name in FIGURES:  # what was typed, not the server's copy
        expect(card.locator(f"input[name='{name}']")).to_have_value(str(figures[name]))
    expect(page.locator("[data-offline-count]")).to_have_text("3")
    return figures


def _volunteer_day(live_server, page, offer, ten_today) -> tuple:
    """Offline from the start: check in, the work log, a reload, the start page reopened from the
    phone, check out. The taps' times."""
    page.context.set_offline(True)
    tapped_in = ten_today + timedelta(minutes=7)
    page.clock.set_fixed_time(tapped_in)
    page.goto(f"{live_server}/volunteers/assignments/{offer}")
    assignment = page.locator("#assignment")
    page.get_by_role("button", name="Check in", exact=True).click()
    expect(assignment.get_by_text("Checked in (waiting to send)")).to_be_visible()
    page.reload()
    expect(assignment.get_by_text("Checked in (waiting to send)")).to_be_visible()
    tapped_out = ten_today + timedelta(hours=3, minutes=10)
    page.clock.set_fixed_time(tapped_out)
    assignment.get_by_text("Leaving? Check out").click()
    assignment.get_by_role("button", name="Yes, check out now").click()
    expect(page.locator("[data-offline-count]")).to_have_text("2")
    return tapped_in, tapped_out


def test_a_field_workers_day_offline_arrives_once_with_the_tap_times(live_server, browser, ten_today):
    app = live_server.app
    remove_seeded_volunteers(app)
    offer = make_offer(app, accept=True)  # today, 10:00 to 14:00
    pid = part_id(app, 1, 1)
    previous, electors = clear_today(app, pid)
    with app.app_context():
        last = db.session.scalar(select(Difficulty.id).order_by(Difficulty.id.desc())) or 0
        part = part_of(1, 1)
        where = {"latitude": part.lat, "longitude": part.lon, "accuracy": 20}
    phones = {}
    for login in ("blo.1.1", "vol.bhopal.1"):
        context = browser.new_context(
            viewport={"width": 360, "height": 740},
            locale="en-IN",
            geolocation=where,
            permissions=["geolocation"],
        )
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
        sign_in(page, live_server, login)  # morning, online: the one visit that keeps the pages
        worker_ready(page)
        kept_pages(page)
        until(page, HOME_KEPT)
        phones[login] = (context, page, errors)
    blo = phones["blo.1.1"][1]
    until(blo, "async () => !!(await caches.match(location.origin + '/reports/'))")
    blo.goto(f"{live_server}/reports/parts/{pid}")
    until(blo, THIS_PAGE_KEPT)
    blo.goto(f"{live_server}/")
    volunteer = phones["vol.bhopal.1"][1]
    volunteer.goto(f"{live_server}/volunteers/assignments/{offer}")
    until(volunteer, THIS_PAGE_KEPT)

    figures = _blo_day(live_server, blo, app, pid, previous, electors)
    tapped_in, tapped_out = _volunteer_day(live_server, volunteer, offer, ten_today)

    # Each closes the tab and opens the installed app's start page, still offline: it opens.
    for login, (context, page, errors) in list(phones.items()):
        page.close()
        page = context.new_page()
        page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
        page.goto(f"{live_server}/")
        expect(page.locator("#offline-copy")).to_be_visible()
        expect(page.locator("[data-offline-count]")).to_have_text("3" if login == "blo.1.1" else "2")
        phones[login] = (context, page, errors)
    with app.app_context():
        assert db.session.scalar(select(Difficulty.id).where(Difficulty.id > last)) is None
        assert db.session.query(VisitDay).filter_by(assignment_id=offer).count() == 0
    assert report_count(app, pid) == 0

    # The evening: the network returns, weak (400 kbit/s, 400 ms), at 18:30 by the server's clock.
    evening = ten_today + timedelta(hours=8, minutes=30)
    app.config["CLOCK"] = lambda: evening
    for context, page, _errors in phones.values():
        throttle(context, page)
        context.set_offline(False)
    states = (
        "async () => (await (await window.sirOffline.queue()).all())"
        ".map((k) => [k.state, k.reasonCode, k.reason])"
    )
    for _context, page, _errors in phones.values():
        try:  # a weak link on a loaded machine: the sends take their time
            expect(page.locator("[data-offline-badge]")).to_be_hidden(timeout=60000)
        except AssertionError:
            raise AssertionError(f"still kept after an evening online: {page.evaluate(states)}") from None
        page.goto(f"{live_server}/offline/queue")
        expect(page.locator("[data-offline-last-sent]")).to_contain_text("Last sent from this phone")

    with app.app_context():
        arrived = db.session.scalars(
            select(Difficulty).where(Difficulty.id > last).order_by(Difficulty.id)
        ).all()
        assert [(d.category.value, d.severity.value) for d in arrived] == [
            ("network", "high"),
            ("forms_short", "low"),
        ]
        reports = db.session.scalars(
            select(DailyReport).where(DailyReport.part_id == pid, DailyReport.report_date >= evening.date())
        ).all()
        assert len(reports) == 1 and reports[0].figures() == figures
        visit = db.session.query(VisitDay).filter_by(assignment_id=offer).one()
        assert visit.check_in_at == _stored(tapped_in) and visit.check_out_at == _stored(tapped_out)
        assert visit.check_in_received_at == _stored(evening)
    for context, _page, errors in phones.values():
        assert errors == []
        context.close()


def test_offline_a_lower_figure_asks_for_the_reason_and_the_kept_report_is_saved(live_server, page):
    app = live_server.app
    pid = part_id(app, 1, 1)
    previous, electors = clear_today(app, pid)
    sign_in(page, live_server, "blo.1.1")
    _hindi(page)
    page.goto(f"{live_server}/reports/parts/{pid}")
    worker_ready(page)
    card = page.locator(f"#report-{pid}")
    figures = advance(previous, electors)
    figures["mapped_self"] = previous["mapped_self"] - 1
    page.context.set_offline(True)
    for name in FIGURES:
        card.locator(f"input[name='{name}']").fill(str(figures[name]))
    reason = card.locator("input[name='correction_reason']")
    expect(reason).to_be_visible()  # asked on the phone, before any network
    expect(card.locator(".report-check")).to_contain_text("नेटवर्क नहीं")
    card.locator("input[name='mapped_self']").fill(str(previous["mapped_self"]))
    expect(reason).to_have_count(0)  # no lower figure, nothing asked
    card.locator("input[name='mapped_self']").fill(str(figures["mapped_self"]))
    reason.fill("दोबारा गिनती")
    card.locator("button[type=submit]").click()
    expect(card.locator("[data-offline-note]")).to_contain_text("इस फ़ोन पर रखा गया")

    page.context.set_offline(False)
    expect(page.locator("[data-offline-badge]")).to_be_hidden(timeout=15000)
    with app.app_context():
        report = db.session.scalars(select(DailyReport).where(DailyReport.part_id == pid)).all()
        today = [r for r in report if r.figures() == figures]
        assert len(today) == 1 and today[0].correction_reason == "दोबारा गिनती"


def test_queue_items_are_named_by_what_was_sent(live_server, page):
    """Not by the form's heading and button ("…three taps · 3. Send"), but "Difficulty: No network, …"."""
    sign_in(page, live_server, "blo.1.1")
    _hindi(page)
    worker_ready(page)
    page.context.set_offline(True)
    _tap(page, "categories", "network")
    _tap(page, "severities", "high")
    page.locator("#difficulty-form button.send").click()
    expect(page.locator("#difficulty-form [data-offline-note]")).to_contain_text("इस फ़ोन पर रखा गया")
    labels = "async () => (await (await window.sirOffline.queue()).all()).map((kept) => kept.label)"
    assert page.evaluate(labels) == ["कठिनाई: नेटवर्क नहीं, काम रुक गया है"]
