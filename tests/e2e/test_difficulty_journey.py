"""A difficulty's whole journey in the browser: a BLO logs it in three taps at 360 px, the supervisor
acknowledges and resolves it, the BLO confirms; a second one left alone climbs to the ERO."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from app.difficulties import services
from app.difficulties.models import Difficulty, EventKind, Level, Source, Status
from app.extensions import db
from app.models import Constituency, Part, User
from tests.e2e.conftest import shot
from tests.e2e.test_journeys import sign_in, to_english

pytestmark = __import__("pytest").mark.browser


def _sign_out(page) -> None:
    page.get_by_role("button", name=re.compile("Sign out|साइन आउट")).click()
    page.wait_for_url(re.compile("/auth/login"))


def _latest(app) -> Difficulty:
    with app.app_context():
        found = db.session.scalar(select(Difficulty).order_by(Difficulty.id.desc()))
        db.session.expunge(found)
        return found


def test_logged_resolved_confirmed_and_a_second_one_climbs(live_server, page):
    app = live_server.app
    # 1. The BLO, on a 360 px phone in Hindi: category, severity, Send.
    sign_in(page, live_server, "blo.1.1")
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    page.locator(".tap-categories .tap").nth(0).click()
    page.locator(".tap-severities .tap").nth(1).click()
    page.locator("button.send").click()
    expect(page.locator(".difficulty-sent")).to_be_visible()
    first = _latest(app)
    assert first.status == Status.OPEN and first.level == Level.SUPERVISOR and first.source == Source.BLO
    expect(page.locator(".difficulty-sent")).to_contain_text(f"#{first.id}")
    _sign_out(page)

    # 2. The supervisor finds it through the menu (a boosted link) and the badge, acknowledges, resolves.
    sign_in(page, live_server, "sup.1.1")
    to_english(page)
    link = page.locator("a.difficulties-link")
    expect(link.locator(".count-badge")).to_be_visible()
    link.click()
    expect(page.locator(f"#difficulty-row-{first.id}")).to_be_visible()
    page.locator(f"#difficulty-row-{first.id} a", has_text=f"#{first.id}").click()
    page.wait_for_url(re.compile(f"/difficulties/{first.id}$"))
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.locator(".status-badge")).to_have_text("Acknowledged")
    page.locator("summary", has_text="Resolve").click()
    page.locator("#resolve-form input[name='resolution'][value='fixed']").check()
    page.locator("#resolve-form textarea[name='note']").fill("Reinstalled the BLO app; entries go through.")
    page.locator("#resolve-form button[type='submit']").click()
    expect(page.locator(".status-badge")).to_have_text("Resolved")
    shot(page, "difficulty-supervisor-resolved-360-en")
    _sign_out(page)

    # 3. The BLO sees the update and confirms.
    sign_in(page, live_server, "blo.1.1")
    to_english(page)
    page.goto(f"{live_server}/difficulties/{first.id}")
    expect(page.locator(".timeline")).to_contain_text("Reinstalled the BLO app")
    page.get_by_role("button", name="Confirm it is fixed").click()
    expect(page.locator(".status-badge")).to_have_text("Closed")
    with app.app_context():
        closed = db.session.get(Difficulty, first.id)
        assert closed.status == Status.CLOSED and closed.closed_at is not None
        assert closed.acknowledge_seconds is not None and closed.resolve_seconds is not None
    _sign_out(page)

    # 4. A second one nobody acknowledges: past its 4 hours it climbs to the ERO.
    with app.app_context():
        part = db.session.scalar(
            select(Part)
            .join(Constituency, Part.constituency_id == Constituency.id)
            .where(Constituency.number == 1, Part.number == 1)
        )
        blo = db.session.scalar(select(User).where(User.login == "blo.1.1"))
        second = services.raise_difficulty(
            blo, part, services.NewDifficulty(category="forms_short", severity="high"), Source.BLO
        )
        db.session.commit()
        second_id = second.id
    later = datetime.now(UTC) + timedelta(hours=4, minutes=5)
    app.config["CLOCK"] = lambda: later
    try:
        with app.app_context():
            first_run = services.escalate()
            db.session.commit()
            assert first_run.escalated >= 1
            again = services.escalate()
            db.session.commit()
            assert again.escalated == again.notices == again.overdue == 0, "escalation is idempotent"
            climbed = db.session.get(Difficulty, second_id)
            assert climbed.level == Level.ERO and climbed.overdue_since is not None
            kinds = [e.kind for e in services.timeline(second_id)]
            assert kinds.count(EventKind.ESCALATED) == 1 and EventKind.OVERDUE in kinds

        sign_in(page, live_server, "ero.1")
        to_english(page)
        page.locator("a.difficulties-link").click()
        row = page.locator(f"#difficulty-row-{second_id}")
        expect(row).to_be_visible()
        expect(row).to_have_class(re.compile("is-overdue"))
        row.locator("a", has_text=f"#{second_id}").click()
        expect(page.locator(".timeline")).to_contain_text("Moved up a level")
        expect(page.get_by_role("button", name="Acknowledge")).to_be_visible()
        shot(page, "difficulty-ero-escalated-360-en")
    finally:
        app.config.pop("CLOCK", None)
    assert not page.console_errors
