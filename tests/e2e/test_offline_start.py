"""Issue 21 (points 3 and 4): the installed app opens with no network (its start page, the BLO's home
with the three-tap difficulty form, the volunteer's home), and signing out with no network signs out:
the sign-in page at once, the old session ended at the server's first contact."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.phone import sign_in, until, worker_ready

pytestmark = pytest.mark.browser
SAVED = "Saved on this phone, waiting to send."
HOME_KEPT = """async () => {
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    if (name.startsWith('sir-pages-') && await cache.match(location.origin + '/')) return true;
  }
  return false; }"""
SIGN_IN_KEPT = "async () => !!(await caches.match(location.origin + '/auth/login'))"


@pytest.mark.parametrize("login", ["blo.1.1", "vol.bhopal.1"])
def test_the_start_page_opens_offline_after_one_visit_with_its_last_updated_time(live_server, page, login):
    sign_in(page, live_server, login)  # the first visit, online: nothing else to do
    worker_ready(page)
    until(page, HOME_KEPT)

    page.context.set_offline(True)
    page.goto(f"{live_server}/")
    expect(page.locator("#offline-copy")).to_be_visible()
    expect(page.locator("#offline-copy")).to_contain_text(re.compile(r"last updated \d"))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_a_difficulty_logged_on_the_start_page_offline_is_queued(live_server, page):
    sign_in(page, live_server, "blo.1.1")
    worker_ready(page)
    until(page, HOME_KEPT)

    page.context.set_offline(True)
    page.goto(f"{live_server}/")
    expect(page.locator("#offline-copy")).to_contain_text("last updated")
    page.locator(".tap-categories .tap").nth(1).click()
    page.locator(".tap-severities .tap").nth(1).click()
    page.locator("button.send").click()
    expect(page.locator("#difficulty-form [data-offline-note]")).to_contain_text(SAVED)
    expect(page.locator("[data-offline-count]")).to_have_text("1")
    kept = page.evaluate(
        "async () => (await (await window.sirOffline.queue()).all()).map((kept) => kept.url)"
    )
    assert kept == ["/difficulties/new"]


def test_signing_out_offline_opens_the_sign_in_page_and_ends_the_session_back_online(live_server, page):
    sign_in(page, live_server, "blo.1.1")
    worker_ready(page)
    until(page, SIGN_IN_KEPT)
    old_cookies = page.context.cookies()
    assert any(cookie["name"] == "session" for cookie in old_cookies)

    page.context.set_offline(True)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server}/auth/login")
    expect(page.get_by_role("button", name=re.compile("Sign in|साइन इन"))).to_be_visible()
    pages = "async () => (await caches.keys()).filter((name) => name.startsWith('sir-pages-'))"
    assert page.evaluate(pages) == []  # no copy of the BLO's pages for whoever comes next

    with page.expect_navigation():  # the sign-out is sent first, then a fresh sign-in form
        page.context.set_offline(False)
    until(page, "async () => !(await caches.has('signout-pending'))")
    expect(page.get_by_role("button", name=re.compile("Sign in|साइन इन"))).to_be_visible()

    # The old cookie, from another browser: not signed in any more.
    other = page.context.browser.new_context()
    other.add_cookies(old_cookies)
    answer = other.request.get(f"{live_server}/")
    assert "/auth/login" in answer.url
    other.close()
