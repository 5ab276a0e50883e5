"""A BLO logs a difficulty in three taps on a 360 px phone, in Hindi, from their home page."""

from __future__ import annotations

import io

from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from app.difficulties import services
from app.difficulties.models import Difficulty, DifficultyPhoto, Level, Source
from app.extensions import db
from app.models import Constituency, Part, User
from tests.e2e.conftest import shot
from tests.e2e.test_journeys import sign_in

pytestmark = __import__("pytest").mark.browser


def _raise_nearby(app) -> int:
    """Another BLO of AC 1 already reported the BLO app down: the hint under the categories."""
    with app.app_context():
        part = db.session.scalar(
            select(Part)
            .join(Constituency, Part.constituency_id == Constituency.id)
            .where(Constituency.number == 1, Part.number == 2)
        )
        blo = db.session.get(User, part.blo_id)
        found = services.raise_difficulty(
            blo, part, services.NewDifficulty(category="app", severity="high"), Source.BLO
        )
        db.session.commit()
        return found.id


def test_blo_logs_a_difficulty_in_three_taps(live_server, page, tmp_path):
    nearby = _raise_nearby(live_server.app)
    sign_in(page, live_server, "blo.1.1")
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    categories = page.locator(".tap-categories .tap")
    expect(categories).to_have_count(9)
    for index in range(9):
        box = categories.nth(index).bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360, "a category button runs off the screen"
    shot(page, "difficulty-blo-home-360-hi")

    categories.nth(0).click()  # tap 1: the BLO app
    expect(page.locator("#duplicate-hints")).to_contain_text(f"#{nearby}")
    page.locator(".tap-severities .tap").nth(1).click()  # tap 2: stops my work
    photo = tmp_path / "forms.jpg"
    buffer = io.BytesIO()
    Image.linear_gradient("L").resize((2000, 1500)).save(buffer, "PNG")
    photo.write_bytes(buffer.getvalue())  # a PNG with a .jpg name
    page.locator("details.difficulty-more summary").click()
    page.locator("input[name='photo']").set_input_files(str(photo))
    page.locator("button.send").click()  # tap 3: Send
    sent = page.locator(".difficulty-sent")
    expect(sent).to_be_visible()
    shot(page, "difficulty-blo-sent-360-hi")

    with live_server.app.app_context():
        saved = db.session.scalar(select(Difficulty).order_by(Difficulty.id.desc()))
        assert saved.level == Level.SUPERVISOR and saved.source == Source.BLO
        assert saved.duplicate_of_id is None
        stored = db.session.scalar(select(DifficultyPhoto).where(DifficultyPhoto.difficulty_id == saved.id))
        assert stored.width == 1600 and stored.data[:2] == b"\xff\xd8"
    expect(sent).to_contain_text(f"#{saved.id}")
    assert not page.console_errors
