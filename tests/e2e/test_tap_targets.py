"""Tap targets of at least 44×44 CSS px on the field workers' phone pages, at 360 px (issue 23).

Standalone links (a BLO's three links on the home page, a phone number, "← My assignments", the back
link of a difficulty) were 22 px high: a thumb on a cheap phone misses them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.difficulties.models import Difficulty
from app.extensions import db
from app.models import User
from tests.conftest import remove_seeded_volunteers
from tests.e2e.phone import sign_in
from tests.volunteers.mine_support import make_offer

pytestmark = pytest.mark.browser
SMALL_TARGETS = """() => [...document.querySelectorAll(
    'main a[href], main button, main summary, main [role=button]')]
  .filter((el) => el.offsetParent !== null && !el.closest('.leaflet-container'))
  .map((el) => [el.textContent.trim().slice(0, 40), el.getBoundingClientRect()])
  .filter(([, box]) => box.height < 43.5 || box.width < 43.5)
  .map(([text, box]) => `${text} ${Math.round(box.width)}x${Math.round(box.height)}`)"""


def _small_targets(page, url: str) -> list[str]:
    page.goto(url)
    return page.evaluate(SMALL_TARGETS)


def test_a_blos_pages_have_thumb_sized_targets(live_server, page):
    app = live_server.app
    with app.app_context():
        blo = db.session.scalar(select(User.id).where(User.login == "blo.1.1"))
        own = db.session.scalar(select(Difficulty.id).where(Difficulty.blo_id == blo).limit(1))
    assert own  # the tiny demo gives blo.1.1 a difficulty
    sign_in(page, live_server, "blo.1.1")
    assert _small_targets(page, f"{live_server}/") == []
    assert _small_targets(page, f"{live_server}/reports/") == []
    assert _small_targets(page, f"{live_server}/difficulties/mine") == []
    assert _small_targets(page, f"{live_server}/difficulties/{own}") == []


def test_a_volunteers_pages_have_thumb_sized_targets(live_server, page, ten_today):
    remove_seeded_volunteers(live_server.app)
    offer = make_offer(live_server.app, accept=True)
    sign_in(page, live_server, "vol.bhopal.1")
    assert _small_targets(page, f"{live_server}/") == []
    assert _small_targets(page, f"{live_server}/volunteers/mine") == []
    assert _small_targets(page, f"{live_server}/volunteers/assignments/{offer}") == []
