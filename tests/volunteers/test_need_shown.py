"""The need board shows each part's 3 nearest free volunteers until all are asked for, so that a
phone lays out a light page (issue 23, point 17); a refused bulk offer keeps what was ticked in view."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from tests.volunteers.need_support import part_of, signed_in, volunteer_near
from tests.volunteers.test_need import _card, construct_ac_1

pytestmark = pytest.mark.usefixtures("without_seeded_volunteers")


def _five_near(app) -> tuple[int, list[int]]:
    parts = construct_ac_1(app)
    with app.app_context():
        near = part_of(1, 2)
        ids = [volunteer_near(f"vol.bhopal.{n}", near, north_km=n * 0.5).id for n in range(1, 6)]
        db.session.commit()
    return parts["1-2"], ids


def _pairs(card: str) -> list[int]:
    return [int(v) for v in re.findall(r'name="pair" value="(\d+):', card)]


def test_three_suggestions_then_show_all_as_a_link_and_a_fragment(app):
    part_id, nearest = _five_near(app)
    ero = signed_in(app, "ero.1")
    card = _card(ero.get("/volunteers/need").get_data(as_text=True), part_id)
    assert _pairs(card) == nearest[:3]
    link = re.search(r'<p class="need-more"><a href="([^"]+)"', card)
    assert link and "Show all 5 nearest volunteers" in card
    href = link[1].replace("&amp;", "&")
    assert f"all={part_id}" in href and href.endswith(f"#need-part-{part_id}")

    whole = ero.get(href.split("#")[0])
    assert whole.status_code == 200
    assert _pairs(_card(whole.get_data(as_text=True), part_id)) == nearest
    fragment = ero.get(href.split("#")[0], headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and _pairs(_card(fragment, part_id)) == nearest
    assert "Show all" not in _card(fragment, part_id)


def test_a_refused_bulk_offer_keeps_a_ticked_fifth_suggestion_in_view(app):
    part_id, nearest = _five_near(app)
    ero = signed_in(app, "ero.1")
    board = ero.get("/volunteers/need").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', board)[1]
    fifth = f"{nearest[4]}:{part_id}"
    refused = ero.post(  # hours that end before they start: refused, the board shown again
        "/volunteers/offers",
        data={"pair": fifth, "start_time": "14:00", "end_time": "10:00", "tasks": "awareness"}
        | {"csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert refused.status_code == 422
    card = _card(refused.get_data(as_text=True), part_id)
    assert nearest[4] in _pairs(card) and f'value="{fifth}" checked' in card
