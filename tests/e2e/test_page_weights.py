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
