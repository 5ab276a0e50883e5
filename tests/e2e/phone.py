"""A BLO's phone in the browser tests and in `make bench`'s time budgets (bench/bench_budgets.py):
signing in, the two-figure report, the weak network and the service worker. The tests wait on
conditions; the bench times the same steps."""

from __future__ import annotations

import re
import time

from playwright.sync_api import expect

THROTTLED = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400_000 / 8,
    "uploadThroughput": 400_000 / 8,
}


def sign_in(page, base: str, login: str) -> None:
    page.goto(f"{base}/auth/login")
    page.get_by_label(re.compile("Login|लॉगिन")).fill(login)
    page.get_by_label(re.compile("Password|पासवर्ड")).fill("sir-demo-2025")
    page.get_by_role("button", name=re.compile("Sign in|साइन इन")).click()
    page.wait_for_url(f"{base}/")
    english = page.get_by_role("button", name="English")
    if english.count():  # demo accounts read Hindi
        english.click()
        expect(page.locator("html")).to_have_attribute("lang", "en")


def clear_today_for(app, login: str) -> None:
    """No report yet today for the BLO's first part, so the form opens prefilled."""
    from sqlalchemy import delete, select

    from app.campaign.clock import campaign_today
    from app.extensions import db
    from app.figures.models import DailyReport
    from app.figures.rollups import recompute_constituency_days
    from app.models import Part, User

    with app.app_context():
        part = db.session.scalar(
            select(Part).join(User, Part.blo_id == User.id).where(User.login == login).order_by(Part.number)
        )
        today = campaign_today()
        db.session.execute(
            delete(DailyReport).where(DailyReport.part_id == part.id, DailyReport.report_date == today)
        )
        recompute_constituency_days([part.constituency_id], today)
        db.session.commit()
        db.session.remove()


def change_two_figures_and_save(page, base: str):
    """Open the report page prefilled from the last report, change two figures, save: the
    confirmation, once visible."""
    page.goto(f"{base}/reports/")
    card = page.locator("article.report-card").first
    expect(card.get_by_text(re.compile("Filled in from your report of"))).to_be_visible()
    distributed = card.locator("input[name='distributed']")
    collected = card.locator("input[name='collected']")
    distributed.fill(str(int(distributed.input_value()) + 2))
    collected.fill(str(int(collected.input_value()) + 1))
    card.get_by_role("button", name="Save the figures").click()
    confirmation = page.get_by_role("status").filter(has_text="Saved at")
    expect(confirmation).to_be_visible()
    return confirmation


def fill_as_shown(card) -> None:
    """Every figure of a report card filled with what it shows (0 where empty): a save that passes."""
    from app.figures.models import FIGURES

    for name in FIGURES:
        field = card.locator(f"input[name='{name}']")
        field.fill(field.input_value() or "0")


def until(page, script: str, timeout: float = 30, step: float = 0.05) -> None:
    """Wait until the script is true in the page (the CSP forbids wait_for_function's eval at times)."""
    ends = time.monotonic() + timeout
    while not page.evaluate(script):
        assert time.monotonic() < ends, f"never true: {script}"
        time.sleep(step)


def worker_ready(page) -> None:
    """The service worker is active and controls the page. A page whose load began while the worker
    was still installing stays outside it (clients.claim() misses a navigation in flight), as on a
    phone, until its next load: the test reloads it then."""
    active = (
        "async () => { const r = await navigator.serviceWorker.getRegistration(); return !!(r && r.active); }"
    )
    until(page, active, 20)
    if not page.evaluate("() => !!navigator.serviceWorker.controller"):
        page.reload()
    until(page, "() => !!navigator.serviceWorker.controller", 20)


def kept_pages(page, timeout: float = 30) -> None:
    """Wait until the worker keeps a copy of a page for this user."""
    until(page, "async () => (await caches.keys()).some((name) => name.startsWith('sir-pages-'))", timeout)


def sign_in_without_a_page(context, base: str, login: str, password: str = "sir-demo-2025") -> None:
    """Signed in (in English) without loading a page: the next page's visit is the phone's first."""
    form = context.request.get(f"{base}/auth/login").text()
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form)
    token = match[1] if match else ""  # none where CSRF is off (the bench's apps)
    credentials = {"login": login, "password": password, "csrf_token": token}
    context.request.post(f"{base}/auth/login", form=credentials)
    context.request.post(f"{base}/auth/language", form={"lang": "en", "csrf_token": token})


def throttle(context, page) -> None:
    """The page's own requests at 400 kbit/s and 400 ms round trips (Chromium's emulation)."""
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", THROTTLED)


def usable(page, url: str) -> float:
    """Seconds from asking for the report page to its form ready to take figures."""
    started = time.perf_counter()
    page.goto(url, wait_until="commit")
    expect(page.get_by_role("button", name="Save the figures").first).to_be_visible(timeout=15000)
    until(page, "() => !!(window.htmx && window.sirOffline)", 15, 0.01)
    return time.perf_counter() - started


class CountingServer:
    """The app's requests, as the service worker's fetches reach it (its path, in order)."""

    def __init__(self, app):
        self.app, self.inner, self.paths = app, app.wsgi_app, []
        app.wsgi_app = self

    def __call__(self, environ, start_response):
        self.paths.append(environ.get("PATH_INFO"))
        return self.inner(environ, start_response)

    def stop(self):
        self.app.wsgi_app = self.inner


class SlowServer(CountingServer):
    """The app behind 400 ms round trips and 400 kbit/s, as seen by the service worker's fetches
    (Chromium's emulation slows the page's own requests, not the worker's). For the bench only."""

    def __call__(self, environ, start_response):
        self.paths.append(environ.get("PATH_INFO"))
        time.sleep(THROTTLED["latency"] / 1000)
        answer = {}

        def keep(status, headers, exc_info=None):
            answer["start"] = (status, headers, exc_info)

        body = b"".join(self.inner(environ, keep))
        time.sleep(len(body) / THROTTLED["downloadThroughput"])
        start_response(*answer["start"])
        return [body]


KEPT_CLOCK = """() => {
  window.__kept = {};
  const tapped = () => { window.__kept.tapped = performance.now(); };
  document.addEventListener("click", tapped, { capture: true, once: true });
  new MutationObserver((changes, watcher) => {
    if (document.querySelector("[data-offline-note]")) {
      window.__kept.shown = performance.now();
      watcher.disconnect();
    }
  }).observe(document.body, { childList: true, subtree: true });
}"""
