"""Bytes on the wire, measured in Chromium: a page's first load with a cold cache, and htmx fragments.

Shared by bench/bench_weights.py (`make bench`, state scale) and tests/e2e/test_page_weights.py (the
budgets on the tiny demo). Sizes are what the network carried: compressed bodies plus response headers,
from Playwright's per-request sizes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

BLO_REPORT_BUDGET_KB = 40
OFFICER_HOME_BUDGET_KB = 60
HTMX_BUDGET_KB = 5


@dataclass
class Traffic:
    """The requests a page finished; sizes are read afterwards (not inside Playwright's event callback)."""

    requests: list = field(default_factory=list)

    def urls(self) -> list[str]:
        return [request.url for request in self.requests]

    def total_kb(self) -> float:
        return sum(_request_bytes(request) for request in self.requests) / 1024

    def sizes_kb(self) -> list[tuple[str, float]]:
        return [(request.url, round(_request_bytes(request) / 1024, 1)) for request in self.requests]


def _request_bytes(request) -> int:
    sizes = request.sizes()
    return sizes["responseBodySize"] + sizes["responseHeadersSize"]


def wire_bytes(response) -> int:
    """Compressed body and headers of a finished response."""
    response.finished()
    return _request_bytes(response.request)


def fragments_kb(responses) -> list[tuple[str, float]]:
    return [(response.url, wire_bytes(response) / 1024) for response in responses]


def signed_in_page(browser, base: str, login: str, password: str):
    """A phone-sized page signed in as `login`, its cache emptied: the next load is a first load.
    Service workers are blocked: on a phone's first visit none is installed yet, and one installed by
    the sign-in's pages would serve the next load from its own cache (what the worker itself fetches
    is measured apart: worker_install_kb)."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="en-IN", service_workers="block"
    )
    page = _signed_in(context, base, login, password)
    context.new_cdp_session(page).send("Network.clearBrowserCache")
    return page


def _signed_in(context, base: str, login: str, password: str):
    """A new page of `context`, through the sign-in form."""
    page = context.new_page()
    page.goto(f"{base}/auth/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.wait_for_url(f"{base}/")
    return page


def watch(page) -> Traffic:
    """Record what `page` receives from now on; clear `requests` to start a new count."""
    traffic = Traffic()
    page.on("requestfinished", lambda request: traffic.requests.append(request))
    return traffic


def first_load_kb(page, traffic: Traffic, url: str) -> float:
    """Everything a full load of `url` brings, the scripts it adds on demand included."""
    traffic.requests.clear()
    page.goto(url, wait_until="networkidle")
    return traffic.total_kb()


def blo_report_interactions(page) -> list:
    """The BLO types a figure (the live check) and saves the report (the card comes back)."""
    field = page.locator(".report-card input[name=digitized]").first
    current = int(field.input_value() or 0)
    with page.expect_response(re.compile(r"/reports/parts/\d+/check")) as check:
        field.fill(str(current + 1))
    with page.expect_response(lambda r: r.request.method == "POST" and "/check" not in r.url) as save:
        page.locator(".report-card button[type=submit]").first.click()
    return [check.value, save.value]


def officer_table_interactions(page) -> list:
    """An officer filters and sorts a progress table (each change fetches the table fragment)."""
    responses = []
    for name, value in (("filter", "behind"), ("sort", "pace"), ("filter", "all")):
        with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true") as changed:
            page.select_option(f".table-controls select[name={name}]", value)
        responses.append(changed.value)
    return responses


def worker_install_kb(browser, base: str, login: str, password: str) -> float:
    """What the service worker fetches for itself when a signed-in phone first meets it: its
    script and the app shell it keeps (static/, app/offline/shell.py SHELL), apart from the page."""
    import time

    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-IN")
    fetched: list = []
    context.on("requestfinished", lambda request: fetched.append(request))
    page = _signed_in(context, base, login, password)
    ready = (
        "async () => { const r = await navigator.serviceWorker.getRegistration(); return !!(r && r.active); }"
    )
    ends = time.monotonic() + 30
    while not page.evaluate(ready):
        if time.monotonic() > ends:
            raise RuntimeError("the service worker never became active")
        time.sleep(0.05)
    page.wait_for_load_state("networkidle")
    worker = [r for r in fetched if r.service_worker is not None or r.url.endswith("/sw.js")]
    total = sum(_request_bytes(request) for request in worker) / 1024
    context.close()
    return total
