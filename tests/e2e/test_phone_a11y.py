"""Phones and accessibility: the same page by a tap or a reload, what fits 360 px, tap targets, axe-core."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import shot
from tests.e2e.test_journeys import sign_in, to_english

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core-4.14.1.min.js"
ROLES = ["state", "admin", "collector.bhopal", "ero.1", "sup.1.1", "blo.1.1"]
PHONE = {"width": 360, "height": 740}

REPORT_LAYOUT = """() => {
  const style = (el) => getComputedStyle(el);
  const submit = document.querySelector('.report-submit');
  const button = submit.querySelector('button[type=submit]').getBoundingClientRect();
  const figure = document.querySelector('.figure');
  return {
    submitPosition: style(submit).position,
    buttonInViewport: button.top >= 0 && button.bottom <= window.innerHeight && button.height >= 44,
    figureDisplay: style(figure).display,
    figureColumns: style(figure).gridTemplateColumns,
    inputFontSize: style(figure.querySelector('input')).fontSize,
  };
}"""


def test_report_form_looks_the_same_by_a_boosted_tap_and_a_reload(live_server, page):
    sign_in(page, live_server, "blo.1.1")
    to_english(page)
    page.evaluate("window.sirSamePage = true")
    page.locator(".nav-links").get_by_role("link", name="Report").click()
    expect(page.get_by_role("heading", name="Daily report")).to_be_visible()
    assert page.evaluate("window.sirSamePage === true"), "the tap was not a boosted swap"
    boosted = page.evaluate(REPORT_LAYOUT)
    shot(page, "report-boosted-360-en")
    page.reload()
    expect(page.get_by_role("heading", name="Daily report")).to_be_visible()
    reloaded = page.evaluate(REPORT_LAYOUT)
    assert boosted == reloaded
    assert boosted["submitPosition"] == "sticky" and boosted["buttonInViewport"]
    assert boosted["figureDisplay"] == "grid" and len(boosted["figureColumns"].split()) == 2
    assert page.console_errors == []


def test_charts_arrive_by_a_boosted_tap_from_a_page_without_them(live_server, page):
    sign_in(page, live_server, "collector.bhopal")
    to_english(page)
    assert page.evaluate("typeof window.Chart") == "undefined"  # the home page has no chart
    assert page.evaluate("typeof window.L") == "undefined"
    page.locator(".nav-links").get_by_role("link", name="Progress").click()
    # the charts under the table load when scrolled to (issue 23, point 17)
    page.locator("figure.chart").first.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => window.Chart && [...document.querySelectorAll('canvas.progress-chart')]"
        ".every(c => Chart.getChart(c))"
    )
    assert page.evaluate("typeof window.L") == "undefined"  # no map on this page
    assert page.console_errors == []


def _menu_links(page) -> list[str]:
    return page.eval_on_selector_all(".nav-links a", "links => links.map(a => a.href)")


@pytest.mark.parametrize("login", ["collector.bhopal", "blo.1.1", "sup.1.1"])
def test_menu_fits_a_phone(live_server, page, login):
    sign_in(page, live_server, login)
    for lang in ("hi", "en"):
        if lang == "en":
            to_english(page)
        boxes = page.eval_on_selector_all(
            ".nav-links a",
            "links => links.map(a => { const r = a.getBoundingClientRect();"
            " return {text: a.textContent.trim(), left: r.left, right: r.right, height: r.height}; })",
        )
        assert len(boxes) >= 4
        for box in boxes:
            assert box["left"] >= 0 and box["right"] <= PHONE["width"], box
            assert box["height"] >= 44, box
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        shot(page, f"menu-{login}-360-{lang}")


KEY_COLUMNS = """() => {
  const table = document.querySelector('.progress-table table');
  const heads = [...table.querySelectorAll('thead th')];
  const visible = heads.filter(th => th.getBoundingClientRect().width > 0).map(th => th.textContent.trim());
  const scroller = table.parentElement;
  return {visible, scrolls: scroller.scrollWidth > scroller.clientWidth + 1};
}"""


def test_progress_table_shows_the_key_columns_without_sideways_scrolling(live_server, page):
    sign_in(page, live_server, "collector.bhopal")
    to_english(page)
    for url in ("/progress/", _first_ac_progress_url(page, live_server)):
        page.goto(f"{live_server}{url}")
        shown = page.evaluate(KEY_COLUMNS)
        assert not shown["scrolls"], shown
        names = [re.sub(r"\s+", " ", text) for text in shown["visible"]]
        assert len(names) == 4, names  # place, parts reported (or report), digitized, pace
        assert names[1] in ("Parts reported", "Report") and names[2] == "Digitized", names
        assert names[3].startswith("Pace today"), names
        page.get_by_text("Show all columns").click()  # one tap: the rest, scrolling sideways
        everything = page.evaluate(KEY_COLUMNS)
        # the ACs' table has the inspections' flagged count beside the difficulties; a part carries a badge
        columns = 14 if url == "/progress/" else 13
        assert len(everything["visible"]) == columns and everything["scrolls"], everything
    shot(page, "progress-parts-all-columns-360-en")


def _first_ac_progress_url(page, base: str) -> str:
    page.goto(f"{base}/progress/")
    return page.locator(".progress-table tbody th a").first.get_attribute("href")


# Links in running text are exempt (WCAG 2.5.8); a box or a radio button is tapped through its label.
TAP_TARGETS = """() => [...document.querySelectorAll(
    'main a, main button, main summary, main select, main input:not([type=hidden]),'
    + 'header a, header button')]
  .filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
  .filter(el => !el.closest('p, li:not(nav li), dd, figcaption')
                || el.closest('table, form, nav'))
  .map(el => el.matches('[type=checkbox], [type=radio]')
              ? el.closest('label') || document.querySelector(`label[for="${el.id}"]`) || el : el)
  .map(el => { const r = el.getBoundingClientRect();
               return {html: el.outerHTML.slice(0, 120), width: r.width, height: r.height}; })
  .filter(t => t.width < 44 || t.height < 44)"""


def _key_pages(page, base: str, login: str) -> list[str]:
    """The role's home, every page of its menu, and the first place or part each menu page links to."""
    sign_in(page, base, login)
    urls = [f"{base}/", *_menu_links(page)]
    for url in list(urls):
        page.goto(url)
        urls += page.eval_on_selector_all(
            "main table tbody a[href^='/'], main .report-waiting a, main article a[href^='/reports/']",
            "links => links.slice(0, 1).map(a => a.href)",
        )
    return list(dict.fromkeys(urls))


@pytest.mark.parametrize("login", ["blo.1.1", "sup.1.1", "collector.bhopal"])
def test_tap_targets_are_at_least_44_px(live_server, page, login):
    for url in _key_pages(page, live_server, login):
        page.goto(url)
        small = page.evaluate(TAP_TARGETS)
        assert small == [], f"{url}: {small}"


@pytest.fixture
def axe_page(browser):
    """A phone-sized page that may inject axe-core: the app's CSP forbids inline scripts."""
    context = browser.new_context(viewport=PHONE, locale="en-IN", bypass_csp=True)
    yield context.new_page()
    context.close()


def _axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => (await axe.run(document)).violations.map(v => ({
            id: v.id, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' + n.html.slice(0, 100))}))"""
    )


@pytest.mark.parametrize("login", ROLES)
def test_axe_finds_nothing_on_any_page(live_server, axe_page, login):
    page = axe_page
    pages = _key_pages(page, live_server, login)
    problems = {}
    for lang in ("hi", "en"):
        if lang == "en":
            to_english(page)
        for url in pages:
            page.goto(url)
            for width in (PHONE["width"], 1280) if lang == "en" else (PHONE["width"],):
                page.set_viewport_size({"width": width, "height": 740})
                violations = _axe_violations(page)
                if violations:
                    problems[f"{lang} {width} {url}"] = violations
        page.set_viewport_size(PHONE)
    assert not problems, "\n".join(
        f"{where}: {v['id']} {v['nodes']}" for where, found in problems.items() for v in found
    )


@pytest.mark.parametrize(
    "login,paths", [("blo.1.1", ["/reports/"]), ("collector.bhopal", ["/", "/progress/"])]
)
def test_screenshots_at_both_widths_in_both_languages(live_server, page, login, paths):
    """Pictures to look at (test-artifacts/); the page never scrolls sideways at either width."""
    sign_in(page, live_server, login)
    for lang in ("hi", "en"):
        if lang == "en":
            to_english(page)
        for path in paths:
            for width in (PHONE["width"], 1280):
                page.set_viewport_size({"width": width, "height": 740})
                page.goto(f"{live_server}{path}")
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                name = path.strip("/").replace("/", "-") or "home"
                shot(page, f"{login.split('.')[0]}-{name}-{width}-{lang}")
