"""Photo uploads refused as the person sees them: the reason in their language, in the page and in
X-Refusal (the phone's queue shows it), and the form back as they typed it.

A body larger than MAX_CONTENT_LENGTH is refused by Werkzeug before a byte of it is read (413), and
the first to ask for the form is the CSRF check, before any view: neither the view nor its form sees
what was typed beside the photo. `typed_fields()` reads that body once, in the 413's handler: the
text fields are kept, each file's bytes are dropped as they stream past (Werkzeug's own multipart
parser, with a sink for the files), so memory stays at the size of the text. The CSRF token among
them is checked before anything is shown again. Reading the body to its end also lets the answer
arrive: a server closing a connection with a body still unread resets it, and the phone would show a
network error rather than the reason. A body past SALVAGE_LIMIT is not read: its form comes back
empty, with the reason.

The words for a photo that cannot be kept (app/photos.py) live here too: a difficulty's
photo and an inspection visit's photos use them.
"""

from __future__ import annotations

import math

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import validate_csrf
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.formparser import MultiPartParser
from werkzeug.wsgi import LimitedStream
from wtforms import ValidationError

from app import idempotency, photos
from app.access import may
from app.errors import render_error
from app.formatting import number

# Past this, the body of a refused upload is not read at all (its typed fields are lost).
SALVAGE_LIMIT = 64 * 1024 * 1024

PHOTO_MESSAGES = {
    "too_large": _l("The photo is larger than %(size)s MB. Send a smaller photo, or none."),
    "not_image": _l("This file is not a photo we can read. Send a JPEG or PNG photo, or none."),
    "too_many_pixels": _l("This photo has too many pixels to open. Send a smaller photo, or none."),
}
TOO_MANY_PIXELS = _l(
    "This photo has %(pixels)s megapixels; at most %(limit)s can be opened (%(png_limit)s for a PNG). "
    "Send a smaller photo, or none."
)


def photo_message(refused: photos.PhotoError) -> str:
    """Why a photo was refused, in the reader's language, with the limit it broke."""
    if refused.code == "too_many_pixels" and refused.pixels:
        return str(TOO_MANY_PIXELS) % {
            "pixels": number(math.ceil(refused.pixels / 1_000_000)),
            "limit": number(photos.MAX_PIXELS // 1_000_000),
            "png_limit": number(photos.MAX_PIXELS_DECODED_WHOLE // 1_000_000),
        }
    return str(PHOTO_MESSAGES[refused.code]) % {"size": number(photos.MAX_UPLOAD_BYTES // (1024 * 1024))}


def refused(response, message: str):
    """An error handler's answer with its X-Refusal (no @idempotent view ran to add it)."""
    return idempotency.with_refusal(response, message)


def refused_page(message: str):
    """The bare 413 page with the reason, and its X-Refusal: for an upload whose form is not shown again."""
    return refused(render_error(413, message), message)


def shows_form_again(endpoint: str) -> bool:
    """Whether this 413 answers with `endpoint`'s form as typed: the upload was sent to that endpoint
    by someone it allows. Anyone else gets refused_page."""
    return request.endpoint == endpoint and current_user.is_authenticated and may(current_user.role, endpoint)


class _Sink:
    """Where a refused upload's file goes: nowhere (Werkzeug's parser writes each file into one)."""

    def write(self, data: bytes) -> int:
        return len(data)

    def seek(self, *_args) -> int:
        return 0

    def read(self, *_args) -> bytes:
        return b""


def _sink(**_kwargs) -> _Sink:
    return _Sink()


def typed_fields() -> MultiDict | None:
    """The text fields of this request's multipart body, refused (413) before anything read it; the
    files left out. None when there is nothing safe to show again: not multipart, no length, read
    already (a field, not the length, was too large), larger than SALVAGE_LIMIT, unreadable, or
    without the CSRF token of this session."""
    length = request.content_length
    boundary = request.mimetype_params.get("boundary")
    if (
        request.mimetype != "multipart/form-data"
        or not boundary
        or length is None
        or length > SALVAGE_LIMIT
        or request.max_content_length is None
        or length <= request.max_content_length  # then the parser refused a field: the body is read
    ):
        return None
    parser = MultiPartParser(
        stream_factory=_sink,
        max_form_memory_size=request.max_form_memory_size,
        max_form_parts=request.max_form_parts,
    )
    try:
        fields, _files = parser.parse(
            LimitedStream(request.environ["wsgi.input"], length), boundary.encode("latin-1"), length
        )
    except (ValueError, HTTPException):  # a broken body, a field too large, the phone gone
        return None
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        try:
            validate_csrf(fields.get("csrf_token") or request.headers.get("X-CSRFToken"))
        except ValidationError:
            return None
    return fields
