"""A form token names one entry (issue 21): a second difficulty sent with a token already used (a
phone that kept two posts from one form) is its own difficulty, never answered with the first one;
the same entry sent again is still saved once."""

from __future__ import annotations

import io
import uuid

import pytest
from sqlalchemy import select

from app.difficulties.models import Difficulty, DifficultyPhoto
from app.extensions import db
from tests.difficulties.test_reporting import HX, count, jpeg, open_form

pytestmark = pytest.mark.usefixtures("without_seeded_difficulties")


def _post(client, fields: dict, photo: bytes | None = None, key: str | None = None):
    data = dict(fields)
    if photo is not None:
        data["photo"] = (io.BytesIO(photo), "forms.jpg", "image/jpeg")
    headers = {**HX, "Idempotency-Key": key or str(uuid.uuid4())}
    return client.post("/difficulties/new", data=data, headers=headers, content_type="multipart/form-data")


def _difficulties(app) -> list[tuple[int, str, str, bool]]:
    with app.app_context():
        found = db.session.scalars(select(Difficulty).order_by(Difficulty.id)).all()
        photos = set(db.session.scalars(select(DifficultyPhoto.difficulty_id)))
        return [(d.id, d.category.value, d.description, d.id in photos) for d in found]


def test_a_second_entry_with_the_first_ones_token_is_its_own_difficulty(app, client, auth):
    auth.login("blo.1.1")
    fields = open_form(client)
    first = _post(client, {**fields, "category": "network", "severity": "high"})
    assert first.status_code == 200
    second_fields = {**fields, "category": "forms_short", "severity": "urgent", "description": "फ़ॉर्म खत्म"}
    second = _post(client, second_fields, photo=jpeg())
    assert second.status_code == 200
    saved = _difficulties(app)
    assert [(category, text, photo) for _, category, text, photo in saved] == [
        ("network", "", False),
        ("forms_short", "फ़ॉर्म खत्म", True),
    ]
    assert f"#{saved[0][0]}" in first.get_data(as_text=True)
    answer = second.get_data(as_text=True)
    assert f"#{saved[1][0]}" in answer and f"#{saved[0][0]} " not in answer

    # The second entry sent again (a lost answer, a new key): still two.
    again = _post(client, second_fields, photo=jpeg())
    assert again.status_code == 200 and f"#{saved[1][0]}" in again.get_data(as_text=True)
    # And the first one too.
    assert f"#{saved[0][0]}" in _post(client, {**fields, "category": "network", "severity": "high"}).get_data(
        as_text=True
    )
    assert count(app) == 2


def test_the_same_entry_with_its_photo_sent_twice_is_saved_once(app, client, auth):
    auth.login("blo.1.1")
    fields = {**open_form(client), "category": "forms_short", "severity": "high", "description": "कम फ़ॉर्म"}
    first = _post(client, fields, photo=jpeg())
    second = _post(client, fields, photo=jpeg())
    assert first.status_code == second.status_code == 200
    assert count(app) == 1
    assert _difficulties(app)[0][3]


def test_another_photo_on_the_same_token_is_another_entry(app, client, auth):
    auth.login("blo.1.1")
    fields = {**open_form(client), "category": "forms_short", "severity": "high"}
    _post(client, fields, photo=jpeg(800, 600))
    _post(client, fields, photo=jpeg(640, 480))
    assert count(app) == 2


def test_an_htmx_send_tells_the_page_to_read_its_list_again(app, client, auth):
    auth.login("blo.1.1")
    home = client.get("/").get_data(as_text=True)
    assert 'id="my-difficulties"' in home and "sir-difficulty-sent from:body" in home
    response = _post(client, {**open_form(client), "category": "safety", "severity": "urgent"})
    assert response.status_code == 200
    assert response.headers.get("HX-Trigger") == "sir-difficulty-sent"
    ((saved_id, *_rest),) = _difficulties(app)
    listed = client.get("/").get_data(as_text=True)
    assert f'id="difficulty-{saved_id}"' in listed
