"""The state ranking on a phone: Chart.js and charts.js arrive only when the chart is scrolled
into view (issue 23, point 17)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import shot
from tests.e2e.test_journeys import sign_in, to_english

pytestmark = pytest.mark.browser


def test_the_state_rankings_chart_loads_only_when_scrolled_to(live_server, browser):
    context = browser.new_context(viewport={"width": 360, "height": 600}, locale="en-IN")
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    sign_in(page, live_server, "state")
    to_english(page)
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server}/progress/state")
    page.wait_for_load_state("networkidle")
    canvases = page.locator("canvas.progress-chart")
    expect(canvases).to_have_count(2)
    top = page.evaluate("document.querySelector('figure.chart').getBoundingClientRect().top")
    assert top > 600 + 200, f"the chart is {top}px down: in view already, nothing to wait for"
    page.wait_for_timeout(500)
    assert not [u for u in requested if "charts.js" in u or "chart-4" in u], requested
    assert page.evaluate("typeof window.Chart") == "undefined"

    page.locator("figure.chart").first.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => window.Chart"
        " && [...document.querySelectorAll('canvas.progress-chart')].every(c => Chart.getChart(c))"
    )
    assert any("charts.js" in u for u in requested) and any("chart-4" in u for u in requested)
    shot(page, "state-ranking-chart-scrolled")
    assert errors == []
    context.close()


SMALLEST_TEXT = """() => {
    const sizes = [];
    const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode, element = node.parentElement;
        if (!node.textContent.trim() || !element.getClientRects().length) continue;
        if (element.closest('.visually-hidden')) continue;
        sizes.push([parseFloat(getComputedStyle(element).fontSize), node.textContent.trim().slice(0, 30)]);
    }
    sizes.sort((a, b) => a[0] - b[0]);
    return sizes.slice(0, 3);
}"""


@pytest.mark.parametrize(("login", "path"), [("state", "/progress/state"), ("ero.1", "/progress/")])
def test_a_progress_tables_text_is_legible_on_a_phone(live_server, page, login, path):
    sign_in(page, live_server, login)
    to_english(page)
    page.goto(f"{live_server}{path}")
    expect(page.locator(".progress-table table")).to_be_visible()
    smallest = page.evaluate(SMALLEST_TEXT)
    assert smallest and smallest[0][0] >= 12, smallest
