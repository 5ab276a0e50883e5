"""Two difficulties logged offline from the same form on a 360 px phone, in Hindi (issue 21): each is
its own kept post and its own difficulty once the phone is online, and the form's note, the queue
page and the home page's list say it was sent."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from app.difficulties.models import Difficulty, DifficultyPhoto
from app.extensions import db
from tests.e2e.conftest import shot
from tests.e2e.phone import worker_ready
from tests.e2e.test_journeys import sign_in

pytestmark = pytest.mark.browser
KEPT = "इस फ़ोन पर रखा गया"
SENT = re.compile(r"\d\d:\d\d पर भेजा गया")


def _tap(page, group: str, value: str) -> None:
    page.locator(f".tap-{group} label.tap").filter(has=page.locator(f"input[value='{value}']")).click()


def _newest(app, since: int) -> list[tuple[int, str, str, int | None]]:
    with app.app_context():
        found = db.session.scalars(
            select(Difficulty).where(Difficulty.id > since).order_by(Difficulty.id)
        ).all()
        widths = dict(db.session.execute(select(DifficultyPhoto.difficulty_id, DifficultyPhoto.width)).all())
        return [(d.id, d.category.value, d.description, widths.get(d.id)) for d in found]


def test_two_difficulties_kept_from_one_form_are_both_sent(live_server, page, tmp_path):
    app = live_server.app
    with app.app_context():
        last = db.session.scalar(select(Difficulty.id).order_by(Difficulty.id.desc())) or 0
    sign_in(page, live_server, "blo.1.1")
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    worker_ready(page)
    form = page.locator("#difficulty-form")
    note = form.locator("[data-offline-note]")
    page.context.set_offline(True)

    token = form.locator("input[name='form_token']")
    first_token = token.input_value()
    _tap(page, "categories", "network")
    _tap(page, "severities", "high")
    form.locator("button.send").click()
    expect(note).to_contain_text(KEPT)

    # The same form, fresh for the next entry: nothing tapped, a new token.
    expect(form.locator("input[name='category']:checked")).to_have_count(0)
    expect(token).not_to_have_value(first_token)
    _tap(page, "categories", "forms_short")
    _tap(page, "severities", "urgent")
    form.locator("details.difficulty-more summary").click()
    form.locator("textarea[name='description']").fill("फ़ॉर्म खत्म हो गए")
    photo = tmp_path / "forms.jpg"
    buffer = io.BytesIO()
    Image.linear_gradient("L").resize((1000, 750)).convert("RGB").save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())
    form.locator("input[name='photo']").set_input_files(str(photo))
    form.locator("button.send").click()
    expect(page.locator("[data-offline-count]")).to_have_text(re.compile("^(2|२)$"))
    expect(note).to_contain_text(KEPT)
    assert _newest(app, last) == []

    offline_errors = len(page.console_errors)  # the hints under the categories cannot load offline
    page.context.set_offline(False)
    expect(page.locator("[data-offline-badge]")).to_be_hidden(timeout=15000)
    expect(note).to_have_text(SENT, timeout=10000)
    saved = _newest(app, last)
    assert [(category, text, width) for _, category, text, width in saved] == [
        ("network", "", None),
        ("forms_short", "फ़ॉर्म खत्म हो गए", 1000),
    ]
    # The home page's list reads itself again: both are there.
    for difficulty_id, *_rest in saved:
        expect(page.locator(f"#my-difficulties #difficulty-{difficulty_id}")).to_be_visible()
    expect(page.locator("#my-difficulties")).not_to_contain_text("अभी तक कोई कठिनाई")
    shot(page, "difficulty-two-kept-sent-360-hi")

    page.goto(f"{live_server}/offline/queue")
    items = page.locator(".offline-item")
    expect(items).to_have_count(2)
    for index in range(2):
        expect(items.nth(index)).to_have_attribute("data-state", "sent")
        expect(items.nth(index).locator("[data-field=state]")).to_have_text(SENT)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the queue page is {width}px wide"
    assert not page.console_errors[offline_errors:]


def test_after_an_online_send_the_home_list_has_it(live_server, page):
    app = live_server.app
    with app.app_context():
        last = db.session.scalar(select(Difficulty.id).order_by(Difficulty.id.desc())) or 0
    sign_in(page, live_server, "blo.1.1")
    _tap(page, "categories", "forms_short")
    _tap(page, "severities", "high")
    page.locator("#difficulty-form button.send").click()
    expect(page.locator(".difficulty-sent")).to_be_visible()
    ((saved_id, *_rest),) = _newest(app, last)
    expect(page.locator(".difficulty-sent")).to_contain_text(f"#{saved_id}")
    expect(page.locator(f"#my-difficulties #difficulty-{saved_id}")).to_be_visible()
    expect(page.locator("#my-difficulties")).not_to_contain_text("अभी तक कोई कठिनाई")
    assert not page.console_errors
