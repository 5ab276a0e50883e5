"""The district map and its charts in a real browser on a phone-sized screen."""

from __future__ import annotations

import datetime
import re

from playwright.sync_api import expect

from tests.e2e.conftest import shot
from tests.e2e.test_journeys import sign_in, to_english

pytestmark = __import__("pytest").mark.browser

BHOPAL_PARTS = 12  # tiny demo: ACs 1 and 2, six parts each


def _open_district_map(page, base: str) -> None:
    sign_in(page, base, "collector.bhopal")
    to_english(page)
    # the collector's district id, read from her own places page
    page.goto(f"{base}/places/")
    href = page.get_by_role("link", name="Bhopal").get_attribute("href")
    district_id = int(re.search(r"/districts/(\d+)", href)[1])
    page.goto(f"{base}/maps/districts/{district_id}")


def test_district_map_shows_every_part_with_a_popup(live_server, page):
    _open_district_map(page, live_server)
    expect(page.get_by_role("heading", name="Map of Bhopal")).to_be_visible()
    markers = page.locator(".part-map path.leaflet-interactive")
    expect(markers).to_have_count(BHOPAL_PARTS)
    expect(page.locator(".map-status")).to_be_hidden()
    # every marker carries a colour band; the legend explains them
    classes = [markers.nth(k).get_attribute("class") for k in range(BHOPAL_PARTS)]
    assert all(re.search(r"\bband-(0|25|50|75|90|none)\b", c) for c in classes), classes
    expect(page.locator(".map-legend li")).to_have_count(7)

    markers.first.click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_be_visible()
    expect(popup).to_contain_text(re.compile(r"\d+-\d+ "))
    expect(popup).to_contain_text(re.compile(r"Digitized: \d+\.\d %|No report yet"))
    expect(popup).to_contain_text(re.compile("Reported today|Missing today"))
    link = popup.get_by_role("link", name="Open the part")
    assert re.search(r"/parts/\d+$", link.get_attribute("href"))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the map page is {width}px wide"
    shot(page, "map-district")
    assert page.console_errors == []


def test_district_charts_are_drawn(live_server, page):
    _open_district_map(page, live_server)
    canvases = page.locator("canvas.progress-chart")
    expect(canvases).to_have_count(2)
    page.wait_for_function(
        "() => [...document.querySelectorAll('canvas.progress-chart')].every(c => Chart.getChart(c))"
    )
    info = page.evaluate(
        """() => [...document.querySelectorAll('canvas.progress-chart')].map(c => {
            const chart = Chart.getChart(c);
            return {width: c.width, type: chart.config.type,
                    datasets: chart.data.datasets.map(d => ({type: d.type, data: d.data,
                                                             dash: d.borderDash || null,
                                                             colours: d.backgroundColor}))};
        })"""
    )
    cumulative, pace = info
    assert cumulative["width"] > 0 and pace["width"] > 0
    assert cumulative["type"] == "line" and pace["type"] == "bar"
    # cumulative target: 10 % a day from the campaign's first day, capped at 100 %
    target = cumulative["datasets"][1]["data"]
    assert target[0] == 10 and target[4] == 50 and target[-1] == 100
    assert cumulative["datasets"][1]["dash"] == [6, 4]
    # pace bars: coloured against the 10 % daily target (the demo's districts all run below it)
    bars, colours = pace["datasets"][0]["data"], pace["datasets"][0]["colours"]
    expected = ["#2e7d32" if v >= 10 else "#f9a825" if v >= 5 else "#c62828" for v in bars]
    assert colours == expected
    assert set(pace["datasets"][1]["data"]) == {10}

    page.locator("figure.chart").first.scroll_into_view_if_needed()
    shot(page, "chart-district")
    assert page.console_errors == []


def test_choosing_a_day_redraws_map_and_charts(live_server, page):
    _open_district_map(page, live_server)
    expect(page.locator(".part-map path.leaflet-interactive")).to_have_count(BHOPAL_PARTS)
    day = page.locator("#map-date").get_attribute("value")
    year, month, dayno = (int(x) for x in day.split("-"))
    earlier = (datetime.date(year, month, dayno) - datetime.timedelta(days=5)).isoformat()
    page.locator("#map-date").fill(earlier)  # the change event asks for the new day's map area
    expect(page).to_have_url(re.compile(rf"date={earlier}"))
    expect(page.locator(".part-map")).to_have_attribute("data-points-url", re.compile(earlier))
    expect(page.locator(".part-map path.leaflet-interactive")).to_have_count(BHOPAL_PARTS)
    page.wait_for_function(
        "() => [...document.querySelectorAll('canvas.progress-chart')].every(c => Chart.getChart(c))"
    )
    last = page.evaluate(
        "() => { const c = Chart.getChart(document.querySelector('canvas.progress-chart'));"
        " return c.data.labels[c.data.labels.length - 1]; }"
    )
    assert last == earlier
    assert page.console_errors == []


def test_boosted_link_to_an_ac_map_draws_it(live_server, page):
    _open_district_map(page, live_server)
    expect(page.locator(".part-map path.leaflet-interactive")).to_have_count(BHOPAL_PARTS)
    page.get_by_role("link", name="1 Bhopal-1").click()  # hx-boost: the body is swapped, no page load
    expect(page.get_by_role("heading", name=re.compile("Map of AC 1"))).to_be_visible()
    expect(page.locator(".part-map path.leaflet-interactive")).to_have_count(6)
    page.wait_for_function(
        "() => [...document.querySelectorAll('canvas.progress-chart')].every(c => Chart.getChart(c))"
    )
    assert page.evaluate("Object.keys(Chart.instances).length") == 2  # the district's charts were freed
    assert page.console_errors == []


def test_the_map_controls_speak_the_pages_language(live_server, page):
    """Leaflet's zoom buttons are named in Hindi on a Hindi page, in English on an English one."""
    _open_district_map(page, live_server)
    expect(page.locator(".leaflet-control-zoom-in")).to_have_attribute("title", "Zoom in")
    page.get_by_role("button", name="हिन्दी").click()
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    expect(page.locator(".leaflet-control-zoom-in")).to_have_attribute("title", "बड़ा करें")
    expect(page.locator(".leaflet-control-zoom-out")).to_have_attribute("title", "छोटा करें")
