"""A field inspection's journey in the browser: the collector plans five stops from the suggestions;
the inspector, on a 360 px phone with its position shared, records two visits reached by the plan's
links (one finds the digitized figure far from the reported one); the flag shows on the collector's
progress page and the AC's ERO finds the inspection difficulty waiting on them.

Screenshots of the visit and report pages at 360 px, in Hindi and English, go to /tmp/shots/."""

from __future__ import annotations

import io
import re
from pathlib import Path

from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.inspections.models import Inspection, Stop, StopStatus
from app.models import Constituency, Part, User
from tests.e2e.conftest import shot
from tests.e2e.test_journeys import sign_in, to_english

pytestmark = __import__("pytest").mark.browser

SHOTS = Path("/tmp/shots")
SLOW = 15_000  # ms: a shared two-core machine may take a while to answer a post


def _sign_out(page) -> None:
    page.get_by_role("button", name=re.compile("Sign out|साइन आउट")).click()
    page.wait_for_url(re.compile("/auth/login"))


def _snap(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    shot(page, name)


def _user_id(app, login: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.login == login))


def _stops(app, inspection_id: int) -> list[tuple[int, int, float, float, int, str]]:
    """(stop id, status, lat, lon, AC number, part number) of each stop in order."""
    with app.app_context():
        rows = db.session.execute(
            select(Stop.id, Stop.status, Part.lat, Part.lon, Constituency.number, Stop.difficulty_id)
            .join(Part, Part.id == Stop.part_id)
            .join(Constituency, Constituency.id == Part.constituency_id)
            .where(Stop.inspection_id == inspection_id)
            .order_by(Stop.position)
        ).all()
        return [tuple(r) for r in rows]


def _reported(page, name: str) -> int:
    """The figure the visit page shows as reported beside a box."""
    text = page.locator(f".visit-figure:has(input[name='{name}']) .visit-reported strong").inner_text()
    return int(re.sub(r"\D", "", text.translate(str.maketrans("०१२३४५६७८९", "0123456789"))) or 0)


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (150, 120, 90)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_planned_visited_flagged_and_followed_up(live_server, page, browser):
    app = live_server.app
    inspector = "sup.1.1"

    # (a) The collector plans five stops from the suggestions and saves the plan.
    sign_in(page, live_server, "collector.bhopal")
    to_english(page)
    page.get_by_role("link", name="Inspections", exact=True).click()
    page.locator("a", has_text="Plan an inspection").first.click()
    page.wait_for_url(re.compile("/inspections/new"))
    with page.expect_response(lambda r: "/inspections/new?" in r.url):
        page.locator("input[name='radius_km']").fill("80")
        page.locator("input[name='radius_km']").press("Tab")  # one change event
    with page.expect_response(lambda r: "/inspections/new?" in r.url):
        page.locator("select[name='inspector_id']").select_option(str(_user_id(app, inspector)))
    page.wait_for_timeout(300)  # the swap settles
    picks = page.locator("#plan-stops .plan-list input[name='part_id']")
    assert picks.count() >= 5, picks.count()
    for n in range(5):
        picks.nth(n).check()
    expect(page.locator("#plan-stops input[name='part_id']:checked")).to_have_count(5)
    page.locator("#plan-save").click()
    page.wait_for_url(re.compile(r"/inspections/\d+$"))
    expect(page.locator(".flash-success")).to_contain_text("5 stops", timeout=SLOW)
    inspection_id = int(page.url.rsplit("/", 1)[1])
    with app.app_context():
        inspection = db.session.get(Inspection, inspection_id)
        assert inspection.inspector.login == inspector and len(inspection.stops) == 5
    # the collector is not the inspector: no visit links for them
    expect(page.get_by_role("button", name="Record the visit")).to_have_count(0)
    _sign_out(page)

    # (b) The inspector on a 360 px phone, position shared at the first booth.
    stops = _stops(app, inspection_id)
    first_id, _status, lat, lon, ac_number, _ = stops[0]
    phone = browser.new_context(
        viewport={"width": 360, "height": 740},
        locale="en-IN",
        geolocation={"latitude": lat + 0.0009, "longitude": lon, "accuracy": 15},
        permissions=["geolocation"],
    )
    inspector_page = phone.new_page()
    errors: list[str] = []
    inspector_page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    try:
        p = inspector_page
        sign_in(p, live_server, inspector)  # demo accounts read Hindi
        p.goto(f"{live_server}/inspections/{inspection_id}")
        p.locator(f"#stop-{first_id} a[role=button]").click()  # boosted
        p.wait_for_url(re.compile(f"/inspections/{inspection_id}/stops/{first_id}$"))
        expect(p.locator("html")).to_have_attribute("lang", "hi")
        expect(p.locator(".visit-location-status")).to_contain_text(re.compile(r"\d+"), timeout=SLOW)
        _snap(p, "visit-form-360-hi")
        to_english(p)
        expect(p.locator(".visit-location-status")).to_contain_text("Your position is found")
        _snap(p, "visit-form-360-en")
        width = p.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"the visit page is {width} px wide at 360"
        targets = (
            "#visit label.visit-tap, #visit button, #visit summary, #visit select,"
            " #visit input:not([type=hidden]):not([type=radio])"
        )
        small = p.evaluate(
            """selector => [...document.querySelectorAll(selector)]
                .filter(e => e.offsetParent && e.getBoundingClientRect().height < 44)
                .map(e => e.outerHTML.slice(0, 90))""",
            targets,
        )
        assert not small, f"tap targets under 44 px: {small}"

        reported = {name: _reported(p, name) for name in ("distributed", "collected", "digitized")}
        far = max(reported["digitized"] // 3, 1) if reported["digitized"] else 50
        p.locator("label.visit-tap:has(input[name='blo_present'][value='yes'])").click()
        p.locator("label.visit-tap:has(input[name='id_card_shown'][value='yes'])").click()
        p.locator("label.visit-tap:has(input[name='forms_in_stock'][value='no'])").click()
        p.locator("input[name='distributed']").fill(str(reported["distributed"]))
        # a word in a number: the form comes back with the message, the rest as typed
        p.locator("input[name='collected']").fill("many")
        p.locator("#visit-save").click()
        expect(p.locator("input[name='collected'][aria-invalid='true']")).to_be_visible(timeout=SLOW)
        expect(p.locator("#visit")).to_contain_text("is not a whole number")
        expect(p.locator("input[name='distributed']")).to_have_value(str(reported["distributed"]))
        with app.app_context():
            assert db.session.get(Stop, first_id).status == StopStatus.PENDING
        p.locator("input[name='collected']").fill(str(reported["collected"]))
        p.locator("input[name='photos']").set_input_files(
            [{"name": "stock.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}]
        )
        p.locator("input[name='digitized']").fill(str(far))
        p.locator("input[name='households_sampled']").fill("10")
        p.locator("input[name='households_confirmed']").fill("9")
        p.locator("textarea[name='notes']").fill("Digitized count in the BLO app far below the report.")
        p.locator("#visit-save").click()
        expect(p.locator(".visit-findings.has-findings")).to_be_visible(timeout=SLOW)
        expect(p.locator(".visit-findings")).to_contain_text("Forms digitized: counted")
        expect(p.locator(".visit-where")).to_contain_text("m from the part")
        expect(p.locator(".visit-photos img")).to_have_count(1)
        assert p.locator(".visit-photos img").evaluate("img => img.naturalWidth") == 640
        _snap(p, "visit-recorded-360-en")
        difficulty_link = p.locator(".visit-findings a", has_text="Difficulty #")
        expect(difficulty_link).to_be_visible()
        difficulty_id = int(re.search(r"#(\d+)", difficulty_link.inner_text())[1])

        # the next stop by the big button (boosted), a visit that agrees
        p.locator("a.visit-next").click()
        second_id = stops[1][0]
        p.wait_for_url(re.compile(f"/stops/{second_id}$"))
        agreeing = {name: _reported(p, name) for name in ("distributed", "collected", "digitized")}
        p.locator("label.visit-tap:has(input[name='blo_present'][value='yes'])").click()
        for name, value in agreeing.items():
            p.locator(f"input[name='{name}']").fill(str(value))
        p.locator("#visit-save").click()
        expect(p.locator(".visit-findings.agrees")).to_be_visible(timeout=SLOW)

        p.goto(f"{live_server}/inspections/{inspection_id}")
        p.get_by_role("link", name="The inspection's report").click()
        p.wait_for_url(re.compile(f"/inspections/{inspection_id}/report$"))
        expect(p.locator(f"#report-stop-{first_id}")).to_contain_text("Forms digitized: counted")
        expect(p.locator(f"#report-stop-{second_id}")).to_contain_text("No discrepancy found")
        _snap(p, "report-360-en")
        p.emulate_media(media="print")
        p.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
        expect(p.locator(".site-header")).to_be_hidden()
        expect(p.locator("button[data-print]")).to_be_hidden()
        _snap(p, "report-print-a4-en")
        p.set_viewport_size({"width": 360, "height": 740})
        p.emulate_media(media="screen")
        p.get_by_role("button", name="हिन्दी").click()
        expect(p.locator("html")).to_have_attribute("lang", "hi")
        _snap(p, "report-360-hi")
        p.goto(f"{live_server}/inspections/{inspection_id}/stops/{first_id}")
        _snap(p, "visit-recorded-360-hi")
        assert not [e for e in errors if "422" not in e], errors  # the refused form's 422 alone
    finally:
        phone.close()

    with app.app_context():
        first = db.session.get(Stop, first_id)
        assert first.status == StopStatus.VISITED and first.difficulty_id == difficulty_id
        assert first.arrival_distance_m is not None and 50 < first.arrival_distance_m < 150  # 0.0009° north
        assert first.arrival_accuracy_m == 15
        assert db.session.get(Stop, second_id).findings == []

    # (c) The flag on the collector's progress page, the difficulty in the ERO's queue.
    page.set_viewport_size({"width": 1280, "height": 900})  # the collector's desk
    sign_in(page, live_server, "collector.bhopal")
    to_english(page)
    page.get_by_role("link", name="Progress", exact=True).click()
    flagged = page.locator("tbody tr", has_text=re.compile(rf"\b{ac_number}\b")).locator("td.flagged mark")
    expect(flagged.first).to_be_visible()
    assert int(flagged.first.inner_text()) >= 1
    _snap(page, "collector-progress-flagged-en")
    _sign_out(page)
    page.set_viewport_size({"width": 360, "height": 740})

    sign_in(page, live_server, f"ero.{ac_number}")
    to_english(page)
    page.locator("a.difficulties-link").click()
    page.locator("a", has_text="Waiting on me").first.click()
    expect(page.locator(f"#difficulty-row-{difficulty_id}")).to_be_visible(timeout=SLOW)
    assert not page.console_errors, page.console_errors
