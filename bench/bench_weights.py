"""Page weights at state scale, on the wire in Chromium: a BLO's report page, an officer's home, htmx."""

from __future__ import annotations

from bench.harness import report, serving
from bench.page_weights import (
    blo_report_interactions,
    first_load_kb,
    fragments_kb,
    officer_table_interactions,
    signed_in_page,
    watch,
    worker_install_kb,
)
from tests.e2e.conftest import ARGS, CHROMIUM


def run(bench) -> None:
    from playwright.sync_api import sync_playwright

    from app.demo import DEMO_PASSWORD

    with serving(bench.app) as base:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = signed_in_page(browser, base, "blo.1.1", DEMO_PASSWORD)
            traffic = watch(page)
            report("page_weight_blo_report_kb", first_load_kb(page, traffic, f"{base}/reports/"), "KB")
            fragments = fragments_kb(blo_report_interactions(page))
            page.context.close()
            report("worker_install_kb", worker_install_kb(browser, base, "blo.1.1", DEMO_PASSWORD), "KB")

            page = signed_in_page(browser, base, "collector.bhopal", DEMO_PASSWORD)
            traffic = watch(page)
            report("page_weight_officer_home_kb", first_load_kb(page, traffic, f"{base}/"), "KB")
            page.goto(f"{base}/progress/")
            fragments += fragments_kb(officer_table_interactions(page))
            page.context.close()
            browser.close()
    report("page_weight_htmx_max_kb", max(size for _, size in fragments), "KB")
