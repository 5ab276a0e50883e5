"""The one photo a difficulty may carry, made safe to keep and to show (Pillow).

Pure: no Flask, no database. What a phone sends is decoded to prove it is an image (whatever its
name says), turned upright by its EXIF orientation, shrunk to at most 1600 px on the long side and
re-encoded as a JPEG of about 300 KB or less, with no EXIF at all: no GPS position, no camera, no
time. Anything that does not decode is refused with a PhotoError whose code the route words in the
reader's language.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

MAX_UPLOAD_BYTES = 12 * 1024 * 1024
MAX_PIXELS = 64_000_000  # a 50-megapixel phone camera fits; a decompression bomb does not
LONG_SIDE = 1600
TARGET_BYTES = 300 * 1024
QUALITIES = (85, 75, 65, 55, 45)
SHRINK_STEP = 0.8  # when even the lowest quality is too big, fewer pixels


class PhotoError(ValueError):
    """The upload cannot be kept. `code` is one of: too_large, not_image, too_many_pixels."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Photo:
    data: bytes  # JPEG, no EXIF
    width: int
    height: int


def _decoded(data: bytes) -> Image.Image:
    """The image, fully decoded, or PhotoError. verify() checks the file's structure without keeping
    the pixels; it leaves the image unusable, so it is opened a second time and loaded."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as probe:
                if probe.width * probe.height > MAX_PIXELS:
                    raise PhotoError("too_many_pixels")
                probe.verify()
            image = Image.open(io.BytesIO(data))
            # JPEGs can be decoded straight at a fraction of their size: far less memory and time.
            image.draft("RGB", (LONG_SIDE, LONG_SIDE))
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PhotoError("too_many_pixels") from None
        except PhotoError:
            raise
        except (OSError, SyntaxError, ValueError, TypeError, EOFError, IndexError, KeyError):
            # Pillow's decoders signal a broken or unknown file with any of these.
            raise PhotoError("not_image") from None
    return image


def _encode(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    # No exif= argument and a fresh RGB image: nothing of the original's metadata is written.
    image.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


def process_photo(data: bytes) -> Photo:
    """Decode, turn upright, shrink and re-encode an uploaded photo; PhotoError when it can't be kept."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise PhotoError("too_large")
    if not data:
        raise PhotoError("not_image")
    image = _decoded(data)
    try:
        image = ImageOps.exif_transpose(image)
    except (OSError, ValueError, TypeError, KeyError, SyntaxError):
        pass  # a broken orientation tag: keep the image as it was taken
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        # Transparent parts on white, as a printed form would show them.
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    else:
        image = image.convert("RGB")
    clean = Image.new("RGB", image.size)
    clean.paste(image)  # only the pixels travel on: no info, no exif, no ICC profile
    clean.thumbnail((LONG_SIDE, LONG_SIDE), Image.Resampling.LANCZOS)
    while True:
        for quality in QUALITIES:
            encoded = _encode(clean, quality)
            if len(encoded) <= TARGET_BYTES:
                return Photo(encoded, clean.width, clean.height)
        smaller = (max(1, int(clean.width * SHRINK_STEP)), max(1, int(clean.height * SHRINK_STEP)))
        clean = clean.resize(smaller, Image.Resampling.LANCZOS)
