"""Journeys a person takes, in a real browser on a phone-sized screen."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import shot

pytestmark = __import__("pytest").mark.browser


def sign_in(page, base: str, login: str, password: str = "sir-demo-2025") -> None:
    page.goto(f"{base}/auth/login")
    page.get_by_label(re.compile("Login|लॉगिन")).fill(login)
    page.get_by_label(re.compile("Password|पासवर्ड")).fill(password)
    page.get_by_role("button", name=re.compile("Sign in|साइन इन")).click()
    page.wait_for_url(f"{base}/")


def to_english(page) -> None:
    button = page.get_by_role("button", name="English")
    if button.count():
        button.click()
        expect(page.locator("html")).to_have_attribute("lang", "en")


def test_collector_signs_in_and_browses_to_a_part(live_server, page):
    sign_in(page, live_server, "collector.bhopal")
    to_english(page)
    expect(page.get_by_role("heading", name=re.compile("Namaste"))).to_be_visible()
    shot(page, "collector-home")

    page.get_by_role("link", name="Places").click()
    expect(page.get_by_role("link", name="Bhopal")).to_be_visible()
    expect(page.get_by_role("link", name="Raisen")).to_have_count(0)
    page.get_by_role("link", name="Bhopal").click()
    page.get_by_role("link", name="Bhopal-1").click()
    expect(page.get_by_role("heading", name=re.compile("AC 1"))).to_be_visible()

    # active search: the table narrows as she types, without a page load
    search = page.get_by_placeholder("Search part, building or BLO")
    search.fill("1-3")
    search.press("Enter")  # the "search" event: sent at once, whether or not the typing delay fired
    expect(page.locator("#rows tbody tr")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=1-3"))
    shot(page, "collector-ac-search")
    page.locator("#rows tbody a").first.click()
    expect(page.get_by_role("heading", name=re.compile(r"^1-3: "))).to_be_visible()
    expect(page.get_by_text("Electors on the frozen roll")).to_be_visible()
    shot(page, "collector-part")
    assert page.console_errors == []


def test_switching_to_hindi(live_server, page):
    page.goto(f"{live_server}/auth/login")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_role("button", name="हिन्दी").click()
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    expect(page.get_by_role("heading", name="साइन इन करें")).to_be_visible()
    sign_in(page, live_server, "state")
    page.get_by_role("link", name="क्षेत्र").click()
    expect(page.get_by_role("columnheader", name="जिला")).to_be_visible()
    shot(page, "state-districts-hindi")
    # the total of electors uses Indian grouping, e.g. 19,xxx or 1,xx,xxx
    total = page.locator("tfoot th").last.inner_text()
    assert re.fullmatch(r"\d{1,2}(,\d{2})*,\d{3}", total), total
    assert page.console_errors == []


def test_pages_fit_a_360px_phone(live_server, page):
    sign_in(page, live_server, "collector.bhopal")
    for path in ("/", "/places/", "/places/parts", "/accounts/", "/accounts/new", "/campaign/"):
        page.goto(live_server + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} is {width}px wide"
    shot(page, "collector-accounts-new")


def test_wrong_password_then_sign_in(live_server, page):
    page.goto(f"{live_server}/auth/login")
    page.get_by_label("Login").fill("blo.1.1")
    page.get_by_label("Password").fill("nope")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Wrong login or password.")).to_be_visible()
    sign_in(page, live_server, "blo.1.1")
    to_english(page)
    expect(page.get_by_role("heading", name="Your parts")).to_be_visible()
    shot(page, "blo-home")
