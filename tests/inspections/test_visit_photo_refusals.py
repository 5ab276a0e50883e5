"""A visit's photos refused, whatever the reason (a body past the server's limit, a pixel bomb, a file
of another type): the visit form comes back as the inspector typed it, the reason beside the photos and
in X-Refusal in the reader's language, as a full page and as an htmx fragment, and nothing is saved."""

from __future__ import annotations

import io
import re
import struct
import zlib
from urllib.parse import unquote

import pytest
from PIL import Image

from tests.conftest import hindi
from tests.inspections.test_visits import _fields, _reported_part, _state, _url

HX = {"HX-Request": "true"}
TYPED = {
    "blo_present": "yes",
    "network": "weak",
    "digitized": "123",
    "notes": "Register seen at the booth; रजिस्टर देखा, 40 forms left",
    "action_1_what": "Send 50 more forms to the BLO",
}
PIXELS = (
    "This photo has %(pixels)s megapixels; at most %(limit)s can be opened (%(png_limit)s for a PNG). "
    "Send a smaller photo, or none."
)


def _png_claiming(width: int, height: int) -> bytes:
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


def _checked(html: str, name: str) -> list[str]:
    return [
        re.search(r'value="([^"]*)"', tag)[1]
        for tag in re.findall(r"<input[^>]*>", html)
        if f'name="{name}"' in tag and re.search(r"\bchecked\b", tag)
    ]


def assert_typed_kept(html: str) -> None:
    assert 'id="visit-form"' in html
    assert _checked(html, "blo_present") == ["yes"]
    assert re.search(r'<input[^>]*name="digitized"[^>]*value="123"', html)
    assert TYPED["notes"] in html
    assert f'value="{TYPED["action_1_what"]}"' in html
    assert _checked(html, "network") == ["weak"]


def _post(client, url, fields, photos: list[tuple[bytes, str]], headers):
    return client.post(
        url,
        data={**fields, **TYPED, "photos": [(io.BytesIO(data), name, "image/jpeg") for data, name in photos]},
        content_type="multipart/form-data",
        headers=headers,
    )


def _refusal(response) -> str:
    return unquote(response.headers.get("X-Refusal", ""))


@pytest.mark.parametrize("lang", ["hi", "en"])
@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "htmx"])
def test_photos_past_the_server_limit_keep_the_typed_visit(app, client, auth, lang, headers):
    inspection_id, stop_id, _part_id, _ = _reported_part(app)
    auth.login("collector.bhopal", lang=lang)
    url = _url(inspection_id, stop_id)
    fields = _fields(client, url)
    before = _state(app, stop_id)
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024  # 25 MB in production
    two = [(b"\x00" * 600_000, "a.jpg"), (b"\x00" * 600_000, "b.jpg")]
    response = _post(client, url, fields, two, headers)
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    expected = "The photos are larger than %(size)s MB together. Send fewer or smaller photos."
    expected = hindi(app, expected, size="1") if lang == "hi" else expected % {"size": "1"}
    assert expected in html
    assert _refusal(response) == expected
    assert_typed_kept(html)
    assert ("<html" in html) == (not headers)
    assert _state(app, stop_id) == before


@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "htmx"])
def test_a_pixel_bomb_among_the_photos_keeps_the_typed_visit(app, client, auth, headers):
    inspection_id, stop_id, _part_id, _ = _reported_part(app)
    auth.login("collector.bhopal", lang="hi")
    url = _url(inspection_id, stop_id)
    fields = _fields(client, url)
    before = _state(app, stop_id)
    response = _post(client, url, fields, [(_png_claiming(7999, 7999), "register.png")], headers)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    reason = hindi(app, PIXELS, pixels="64", limit="24", png_limit="12")
    expected = hindi(app, "Photo %(number)s (%(name)s): %(message)s") % {
        "number": 1,
        "name": "register.png",
        "message": reason,
    }
    assert expected in html
    assert _refusal(response) == expected
    assert_typed_kept(html)
    assert _state(app, stop_id) == before


def test_a_photo_of_another_type_keeps_the_typed_visit(app, client, auth):
    inspection_id, stop_id, _part_id, _ = _reported_part(app)
    auth.login("collector.bhopal")
    url = _url(inspection_id, stop_id)
    fields = _fields(client, url)
    before = _state(app, stop_id)
    response = _post(client, url, fields, [(_gif(), "desk.gif")], HX)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    expected = "Photo 1 (desk.gif): This file is not a photo we can read. Send a JPEG or PNG photo, or none."
    assert expected in html and _refusal(response) == expected
    assert_typed_kept(html)
    assert _state(app, stop_id) == before
