"""A photo sent from a phone (a difficulty's, an inspection visit's), made safe to keep and to show
(Pillow).

Pure: no Flask, no database. The file's header is read first, and it decides before any pixel is
decoded: a JPEG, PNG or WebP, of at most MAX_PIXELS (a JPEG) or MAX_PIXELS_DECODED_WHOLE (the others),
else a PhotoError. A PNG of one colour packs 64 million pixels into 60 KB, and decoding it held a
worker for seconds and a gigabyte; the header says so for free. A JPEG is then decoded already reduced
(libjpeg's DCT scaling, Pillow's draft) to the smallest scale still at least the size that is kept;
the other formats are decoded whole, hence their lower limit.

What is decoded is shrunk to at most LONG_SIDE px on the long side (a box reduction by a whole factor,
then bicubic), turned upright by its EXIF orientation, laid on white where it is transparent and
re-encoded as a JPEG of about TARGET_BYTES or less, with no EXIF at all: no GPS position, no camera,
no time. The route words a PhotoError's code in the reader's language (app/uploads.py).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, JpegImagePlugin

MAX_UPLOAD_BYTES = 12 * 1024 * 1024
MAX_PIXELS = 24_000_000  # a 6000×4000 camera photo fits
MAX_PIXELS_DECODED_WHOLE = 12_000_000  # a PNG or WebP (4000×3000 fits): no reduced decoding for these
FORMATS = ("JPEG", "PNG", "WEBP")  # a phone's JPEG with a second picture inside opens as MPO, a JPEG
LONG_SIDE = 1600
TARGET_BYTES = 300 * 1024
QUALITIES = (85, 75, 65, 55, 45)
SHRINK_STEP = 0.8  # when even the lowest quality is too big, fewer pixels
# What Pillow's decoders raise for a broken or unknown file.
_UNREADABLE = (OSError, SyntaxError, ValueError, TypeError, EOFError, IndexError, KeyError)


class PhotoError(ValueError):
    """The upload cannot be kept. `code` is one of: too_large, not_image, too_many_pixels; for
    too_many_pixels, `pixels` is what the header says and `limit` the most its format may have."""

    def __init__(self, code: str, pixels: int | None = None, limit: int | None = None):
        super().__init__(code)
        self.code = code
        self.pixels = pixels
        self.limit = limit


@dataclass(frozen=True)
class Photo:
    data: bytes  # JPEG, no EXIF
    width: int
    height: int


def pixel_limit(image: Image.Image) -> int:
    """The most pixels an image of this format may have: a JPEG is decoded reduced, the rest whole."""
    return MAX_PIXELS if isinstance(image, JpegImagePlugin.JpegImageFile) else MAX_PIXELS_DECODED_WHOLE


def kept_size(size: tuple[int, int]) -> tuple[int, int]:
    """The size a photo of `size` is kept at: at most LONG_SIDE on the long side, never enlarged."""
    width, height = size
    scale = LONG_SIDE / max(width, height, 1)
    if scale >= 1:
        return width, height
    return max(1, round(width * scale)), max(1, round(height * scale))


def _opened(data: bytes) -> Image.Image:
    """The image with only its header read (Image.open is lazy), refused on what the header says."""
    try:
        image = Image.open(io.BytesIO(data), formats=FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoError("too_many_pixels", limit=MAX_PIXELS) from None
    except _UNREADABLE:
        raise PhotoError("not_image") from None
    pixels, limit = image.width * image.height, pixel_limit(image)
    if pixels > limit or not pixels:
        image.close()
        raise PhotoError("too_many_pixels" if pixels else "not_image", pixels=pixels, limit=limit)
    return image


def _decoded(data: bytes) -> Image.Image:
    """The image's pixels, a JPEG's already reduced towards the size kept; PhotoError otherwise.
    Pillow's own decompression-bomb check (Image.MAX_IMAGE_PIXELS) stays on, as an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = _opened(data)
        try:
            if isinstance(image, JpegImagePlugin.JpegImageFile):
                # Decoded at 1/2, 1/4 or 1/8 of its size, whichever is the smallest still as large as kept.
                image.draft("RGB", kept_size(image.size))
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PhotoError("too_many_pixels", limit=pixel_limit(image)) from None
        except _UNREADABLE:
            raise PhotoError("not_image") from None
    return image


def _shrunk(image: Image.Image) -> Image.Image:
    """At most LONG_SIDE px on the long side: a box reduction by a whole factor first (fast, and it
    frees the full-size pixels), then bicubic for the rest, less than a halving (Pillow's thumbnail
    does the same; Lanczos, a little sharper, took nearly twice as long)."""
    size = kept_size(image.size)
    if size == image.size:
        return image
    factor = min(image.width // size[0], image.height // size[1])
    if factor >= 2:
        image = image.reduce(factor)
    return image.resize(size, Image.Resampling.BICUBIC)


def _flat(image: Image.Image) -> Image.Image:
    """RGB or RGBA, whatever the file's mode (palette, grey, 16-bit, CMYK)."""
    transparent = image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (
        image.mode == "P" and "transparency" in image.info
    )
    wanted = "RGBA" if transparent else "RGB"
    return image if image.mode == wanted else image.convert(wanted)


def _encode(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    # No exif= argument and a fresh RGB image: nothing of the original's metadata is written.
    image.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


def process_photo(data: bytes) -> Photo:
    """Check, decode, shrink, turn upright and re-encode an uploaded photo; PhotoError when it can't
    be kept."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise PhotoError("too_large")
    if not data:
        raise PhotoError("not_image")
    try:
        image = _shrunk(_flat(_decoded(data)))
    except PhotoError:
        raise
    except _UNREADABLE:  # a mode Pillow cannot convert or resize
        raise PhotoError("not_image") from None
    try:
        image = ImageOps.exif_transpose(image)  # after shrinking: the small copy is what turns
    except (OSError, ValueError, TypeError, KeyError, SyntaxError):
        pass  # a broken orientation tag: keep the image as it was taken
    if image.mode == "RGBA":
        # Transparent parts on white, as a printed form would show them.
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    clean = Image.new("RGB", image.size)
    clean.paste(image)  # only the pixels travel on: no info, no exif, no ICC profile
    while True:
        for quality in QUALITIES:
            encoded = _encode(clean, quality)
            if len(encoded) <= TARGET_BYTES:
                return Photo(encoded, clean.width, clean.height)
        smaller = (max(1, int(clean.width * SHRINK_STEP)), max(1, int(clean.height * SHRINK_STEP)))
        clean = clean.resize(smaller, Image.Resampling.LANCZOS)
