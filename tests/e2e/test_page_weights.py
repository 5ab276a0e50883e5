"""Light pages on weak networks: the budgets of issue 6, measured on the wire in Chromium."""

from __future__ import annotations

import pytest

from bench.page_weights import (
    BLO_REPORT_BUDGET_KB,
    HTMX_BUDGET_KB,
    OFFICER_HOME_BUDGET_KB,
    blo_report_interactions,
    first_load_kb,
    fragments_kb,
    officer_table_interactions,
    signed_in_page,
    watch,
)

pytestmark = pytest.mark.browser
PASSWORD = "sir-demo-2025"


def test_blo_report_page_and_its_fragments_fit_the_budget(live_server, browser):
    page = signed_in_page(browser, live_server, "blo.1.1", PASSWORD)
    traffic = watch(page)
    kb = first_load_kb(page, traffic, f"{live_server}/reports/")
    urls = traffic.urls()
    assert any("pico" in u for u in urls) and any("htmx" in u for u in urls)
    assert not any("chart-4" in u or "leaflet" in u for u in urls)
    assert kb <= BLO_REPORT_BUDGET_KB, (kb, traffic.sizes_kb())
    fragments = fragments_kb(blo_report_interactions(page))
    assert len(fragments) == 2
    assert max(size for _, size in fragments) <= HTMX_BUDGET_KB, fragments
    page.context.close()


def test_officer_home_and_table_fragments_fit_the_budget(live_server, browser):
    page = signed_in_page(browser, live_server, "collector.bhopal", PASSWORD)
    traffic = watch(page)
    kb = first_load_kb(page, traffic, f"{live_server}/")
    assert not any("chart-4" in u or "leaflet" in u for u in traffic.urls())
    assert kb <= OFFICER_HOME_BUDGET_KB, (kb, traffic.sizes_kb())
    page.goto(f"{live_server}/progress/")
    fragments = fragments_kb(officer_table_interactions(page))
    assert len(fragments) == 3
    assert max(size for _, size in fragments) <= HTMX_BUDGET_KB, fragments
    page.context.close()


def test_pages_go_out_compressed(app, client, auth):
    auth.login("blo.1.1")
    for path in ("/reports/", "/static/vendor/pico-2.1.1.min.css", "/static/vendor/htmx-2.0.11.min.js"):
        response = client.get(path, headers={"Accept-Encoding": "gzip, deflate, br"})
        assert response.headers["Content-Encoding"] == "br", path
        assert "Accept-Encoding" in response.headers["Vary"]
        gzipped = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert gzipped.headers["Content-Encoding"] == "gzip"
        assert len(gzipped.get_data()) < len(client.get(path).get_data()) / 2
    fragment = client.post(
        "/reports/parts/1/check", data={}, headers={"HX-Request": "true", "Accept-Encoding": "br"}
    )
    assert {"HX-Request", "Accept-Encoding"} <= {v.strip() for v in fragment.headers["Vary"].split(",")}


def test_a_refused_form_goes_out_compressed_with_its_status(app, client, auth):
    auth.login("blo.1.1")
    response = client.post(
        "/reports/parts/1", data={}, headers={"HX-Request": "true", "Accept-Encoding": "br"}
    )
    assert response.status_code == 422 and response.headers["Content-Encoding"] == "br"
