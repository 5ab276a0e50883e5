"""A BLO's photo refused, in the browser at 360 px: the reason beside the photo in their language and
everything else they typed still in the form, whether the server refused the body (a 30 MB photo) or
the photo (a pixel bomb); and a difficulty kept on the phone whose photo is refused on sending shows
the reason in the phone's queue."""

from __future__ import annotations

import io
import os
import struct
import zlib

import pytest
from PIL import Image
from playwright.sync_api import expect

from app.difficulties.models import Difficulty
from tests.conftest import hindi
from tests.e2e.conftest import shot
from tests.e2e.phone import sign_in as sign_in_in_english
from tests.e2e.phone import worker_ready
from tests.e2e.test_journeys import sign_in
from tests.idempotency.support import count

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("without_seeded_difficulties")]
TYPED = "गेट पर ताला है, फ़ॉर्म अंदर रखे हैं"
PIXELS = (
    "This photo has %(pixels)s megapixels; at most %(limit)s can be opened (%(png_limit)s for a PNG). "
    "Send a smaller photo, or none."
)


def _thirty_mb_photo(folder) -> str:
    path = folder / "IMG_20251204_1012.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(30 * 1024 * 1024))
    return str(path)


def _pixel_bomb(folder) -> str:
    """60 KB whose header says 7999 × 7999 (a one-colour PNG's)."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    data[16:24] = struct.pack(">II", 7999, 7999)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    path = folder / "screenshot.png"
    path.write_bytes(bytes(data))
    return str(path)


def _fill(page, photo: str) -> None:
    form = page.locator("#difficulty-form")
    form.locator(".tap-categories .tap").nth(1).click()
    form.locator(".tap-severities .tap").nth(1).click()
    form.locator("details.difficulty-more summary").click()
    form.locator("textarea[name='description']").fill(TYPED)
    form.locator("input[name='photo']").set_input_files(photo)


def _assert_kept(page, message: str) -> None:
    form = page.locator("#difficulty-form")
    expect(form.locator("#photo-help")).to_have_text(message)
    expect(form.locator("textarea[name='description']")).to_have_value(TYPED)
    expect(form.locator(".tap-categories input:checked")).to_have_count(1)
    expect(form.locator(".tap-categories .tap").nth(1).locator("input")).to_be_checked()
    expect(form.locator(".tap-severities .tap").nth(1).locator("input")).to_be_checked()
    expect(form.locator("details.difficulty-more")).to_have_attribute("open", "")


def test_a_30_mb_photo_is_refused_with_the_form_as_typed_in_hindi(live_server, page, tmp_path):
    app = live_server.app
    sign_in(page, live_server, "blo.1.1")
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    _fill(page, _thirty_mb_photo(tmp_path))
    page.locator("#difficulty-form button.send").click()
    _assert_kept(
        page, hindi(app, "The photo is larger than %(size)s MB. Send a smaller photo, or none.", size="12")
    )
    box = page.locator("#photo-help").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360, "the reason runs off the screen"
    page.locator("#photo-help").scroll_into_view_if_needed()
    shot(page, "difficulty-photo-30mb-refused-360-hi")
    assert count(app, Difficulty) == 0

    # Sent again without the photo: the same form, saved once.
    page.locator("#difficulty-form input[name='photo']").set_input_files([])
    page.locator("#difficulty-form button.send").click()
    expect(page.locator(".difficulty-sent")).to_be_visible()
    assert count(app, Difficulty) == 1
    # The browser and htmx log the 413 itself; nothing else went wrong.
    assert [error for error in page.console_errors if "413" not in error] == []


def test_a_pixel_bomb_is_refused_with_the_form_as_typed(live_server, page, tmp_path):
    app = live_server.app
    sign_in(page, live_server, "blo.1.1")
    _fill(page, _pixel_bomb(tmp_path))
    page.locator("#difficulty-form button.send").click()
    _assert_kept(page, hindi(app, PIXELS, pixels="64", limit="24", png_limit="12"))
    assert count(app, Difficulty) == 0


def test_a_kept_difficulty_whose_photo_is_too_large_shows_why_in_the_queue(live_server, page, tmp_path):
    app = live_server.app
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024  # 25 MB in production: a 2 MB file goes past it
    big = tmp_path / "IMG_big.jpg"
    big.write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(2 * 1024 * 1024))
    sign_in_in_english(page, live_server, "blo.1.1")
    worker_ready(page)
    page.context.set_offline(True)
    _fill(page, str(big))
    page.locator("#difficulty-form button.send").click()
    expect(page.locator("#difficulty-form [data-offline-note]")).to_contain_text("Saved on this phone")

    page.context.set_offline(False)
    page.goto(f"{live_server}/offline/queue")
    item = page.locator(".offline-item")
    expect(item).to_have_attribute("data-state", "refused", timeout=15000)
    expect(item.locator("[data-field=reason]")).to_have_text(
        "The photo is larger than 12 MB. Send a smaller photo, or none."
    )
    shot(page, "difficulty-photo-refused-queue-360-en")
    assert count(app, Difficulty) == 0
