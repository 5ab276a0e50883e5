"""A difficulty's photo refused, whatever the reason (a body past the server's limit, a photo past its
own, a file that is no photo, a pixel bomb): the form comes back as the BLO typed it, the reason beside
the photo and in X-Refusal in the reader's language, as a full page and as an htmx fragment, and
nothing is saved."""

from __future__ import annotations

import io
import re
import struct
import zlib
from urllib.parse import unquote

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.difficulties.models import Difficulty, DifficultyPhoto
from app.extensions import db
from tests.conftest import hindi

pytestmark = pytest.mark.usefixtures("without_seeded_difficulties")

HX = {"HX-Request": "true"}
TYPED = {"category": "forms_short", "severity": "high", "description": "गेट पर ताला है; forms inside, 40 left"}
PIXELS = (
    "This photo has %(pixels)s megapixels; at most %(limit)s can be opened (%(png_limit)s for a PNG). "
    "Send a smaller photo, or none."
)


def _open_form(client) -> dict:
    html = client.get("/difficulties/new").get_data(as_text=True)
    return {
        "csrf_token": re.search(r'"X-CSRFToken": "([^"]+)"', html)[1],
        "form_token": re.search(r'name="form_token" type="hidden" value="([^"]+)"', html)[1],
    }


def _png_claiming(width: int, height: int) -> bytes:
    """60 KB that open as width × height: a one-colour PNG's header (see test_photos.py)."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def _gif() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 90, 30)).save(buffer, "GIF")
    return buffer.getvalue()


def _saved(app) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count(Difficulty.id))),
            db.session.scalar(select(func.count(DifficultyPhoto.id))),
        )


def _checked(html: str, name: str) -> list[str]:
    """The values of the checked inputs named `name`."""
    return [
        re.search(r'value="([^"]*)"', tag)[1]
        for tag in re.findall(r"<input[^>]*>", html)
        if f'name="{name}"' in tag and re.search(r"\bchecked\b", tag)
    ]


def assert_typed_kept(html: str) -> None:
    assert 'id="difficulty-form"' in html
    assert _checked(html, "category") == [TYPED["category"]]
    assert _checked(html, "severity") == [TYPED["severity"]]
    assert TYPED["description"] in html


def _post(client, fields, photo: bytes, name: str, headers):
    return client.post(
        "/difficulties/new",
        data={**fields, **TYPED, "photo": (io.BytesIO(photo), name, "image/jpeg")},
        content_type="multipart/form-data",
        headers=headers,
    )


def _refusal(response) -> str:
    return unquote(response.headers.get("X-Refusal", ""))


@pytest.mark.parametrize("lang", ["hi", "en"])
@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "htmx"])
def test_a_body_past_the_server_limit_keeps_the_typed_form(app, client, auth, lang, headers):
    """The CSRF check is the first to read the form, and it is what meets the 413: the typed fields
    are read from the body all the same (the photo dropped), with the reason in X-Refusal."""
    auth.login("blo.1.1", lang=lang)
    fields = _open_form(client)
    app.config["MAX_CONTENT_LENGTH"] = 200_000
    response = _post(client, fields, b"\xff\xd8" + b"\x00" * 300_000, "big.jpg", headers)
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    expected = "The photo is larger than %(size)s MB. Send a smaller photo, or none."
    if lang == "hi":
        expected = hindi(app, expected, size="12")
    else:
        expected = expected % {"size": "12"}
    assert expected in html
    assert _refusal(response) == expected
    assert_typed_kept(html)
    assert ("<html" in html) == (not headers)
    # The token of the form that was typed is the one it keeps: a second Send is the same difficulty.
    assert f'value="{fields["form_token"]}"' in html
    assert _saved(app) == (0, 0)


def test_a_body_past_the_limit_with_a_forged_token_shows_nothing_typed(app, client, auth):
    auth.login("blo.1.1")
    fields = {**_open_form(client), "csrf_token": "forged"}
    app.config["MAX_CONTENT_LENGTH"] = 200_000
    response = _post(client, fields, b"\x00" * 300_000, "big.jpg", HX)
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "The photo is larger than 12 MB." in html and _refusal(response).startswith("The photo is larger")
    assert TYPED["description"] not in html and _checked(html, "category") == []
    assert _saved(app) == (0, 0)


def test_a_body_past_what_is_read_again_still_gets_the_reason(app, client, auth, monkeypatch):
    from app import uploads

    monkeypatch.setattr(uploads, "SALVAGE_LIMIT", 250_000)
    auth.login("blo.1.1")
    fields = _open_form(client)
    app.config["MAX_CONTENT_LENGTH"] = 200_000
    response = _post(client, fields, b"\x00" * 300_000, "big.jpg", HX)
    assert response.status_code == 413
    assert _refusal(response).startswith("The photo is larger than 12 MB.")
    assert 'id="difficulty-form"' in response.get_data(as_text=True)
    assert _saved(app) == (0, 0)


@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "htmx"])
def test_a_pixel_bomb_is_refused_with_the_typed_form(app, client, auth, headers):
    auth.login("blo.1.1", lang="hi")
    fields = _open_form(client)
    response = _post(client, fields, _png_claiming(7999, 7999), "forms.png", headers)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    expected = hindi(app, PIXELS, pixels="64", limit="24", png_limit="12")
    assert expected in html
    assert _refusal(response) == expected
    assert_typed_kept(html)
    assert _saved(app) == (0, 0)


@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "htmx"])
def test_a_file_of_another_type_is_refused_with_the_typed_form(app, client, auth, headers):
    auth.login("blo.1.1")
    fields = _open_form(client)
    response = _post(client, fields, _gif(), "forms.gif", headers)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    expected = "This file is not a photo we can read. Send a JPEG or PNG photo, or none."
    assert expected in html and _refusal(response) == expected
    assert_typed_kept(html)
    assert _saved(app) == (0, 0)


def test_a_photo_past_its_own_limit_is_a_413_with_the_typed_form(app, client, auth, monkeypatch):
    from app import photos

    monkeypatch.setattr(photos, "MAX_UPLOAD_BYTES", 1024 * 1024)  # 12 MB in production
    auth.login("blo.1.1", lang="hi")
    fields = _open_form(client)
    response = _post(client, fields, b"\xff\xd8" + b"\x00" * 1024 * 1024, "big.jpg", HX)
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    expected = hindi(app, "The photo is larger than %(size)s MB. Send a smaller photo, or none.", size="1")
    assert expected in html and _refusal(response) == expected
    assert_typed_kept(html)
    assert _saved(app) == (0, 0)


def test_after_a_refusal_the_same_form_sends_without_the_photo(app, client, auth):
    auth.login("blo.1.1")
    fields = _open_form(client)
    app.config["MAX_CONTENT_LENGTH"] = 200_000
    refused = _post(client, fields, b"\x00" * 300_000, "big.jpg", HX)
    assert refused.status_code == 413
    sent = client.post("/difficulties/new", data={**fields, **TYPED}, headers=HX)
    assert sent.status_code == 200 and "difficulty-sent" in sent.get_data(as_text=True)
    assert _saved(app) == (1, 0)


def test_a_body_past_the_limit_for_another_blos_part_is_refused_as_such(app, client, auth):
    from app.models import Constituency, Part

    with app.app_context():
        other = db.session.scalar(
            select(Part.id).join(Constituency).where(Constituency.number == 2, Part.number == 1)
        )
    auth.login("blo.1.1")
    fields = _open_form(client)
    app.config["MAX_CONTENT_LENGTH"] = 200_000
    response = client.post(
        f"/difficulties/new?part_id={other}",
        data={**fields, **TYPED, "photo": (io.BytesIO(b"\x00" * 300_000), "big.jpg", "image/jpeg")},
        content_type="multipart/form-data",
        headers=HX,
    )
    assert response.status_code == 403
    assert TYPED["description"] not in response.get_data(as_text=True)
    assert _saved(app) == (0, 0)
