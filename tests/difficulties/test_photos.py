"""A difficulty's photo: decoded to prove it is one, turned upright, shrunk, re-encoded, no EXIF."""

from __future__ import annotations

import io
import os

import pytest
from PIL import Image

from app.difficulties.photos import (
    LONG_SIDE,
    MAX_UPLOAD_BYTES,
    TARGET_BYTES,
    PhotoError,
    process_photo,
)

GPS_IFD = 0x8825
ORIENTATION = 0x0112
MAKE = 0x010F


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def gradient(width: int, height: int) -> Image.Image:
    """A photo-like picture (smooth, compressible), not one flat colour."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    return Image.merge("RGB", (image.getchannel(0), image.getchannel(0).rotate(90), image.getchannel(0)))


def noise(width: int, height: int) -> Image.Image:
    """The worst case for JPEG: every pixel random."""
    return Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))


def with_gps(image: Image.Image, orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[MAKE] = "PhoneMaker"
    exif[ORIENTATION] = orientation
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (23.0, 15.0, 36.0), 3: "E", 4: (77.0, 24.0, 44.0)})
    return encoded(image, "JPEG", exif=exif.tobytes(), quality=95)


def test_a_png_is_re_encoded_as_jpeg():
    source = encoded(gradient(800, 600), "PNG")
    photo = process_photo(source)
    with Image.open(io.BytesIO(photo.data)) as out:
        assert out.format == "JPEG"
        assert out.mode == "RGB"
        assert (out.width, out.height) == (photo.width, photo.height) == (800, 600)


def test_a_transparent_png_lands_on_white():
    image = Image.new("RGBA", (40, 40), (0, 0, 0, 0))
    photo = process_photo(encoded(image, "PNG"))
    with Image.open(io.BytesIO(photo.data)) as out:
        assert out.convert("L").getextrema()[0] > 240


def test_exif_and_gps_are_stripped():
    source = with_gps(gradient(640, 480))
    with Image.open(io.BytesIO(source)) as original:  # the test photo really carries them
        assert original.getexif().get_ifd(GPS_IFD)
        assert original.getexif()[MAKE] == "PhoneMaker"
    photo = process_photo(source)
    with Image.open(io.BytesIO(photo.data)) as out:
        assert "exif" not in out.info
        assert len(out.getexif()) == 0
        assert not out.getexif().get_ifd(GPS_IFD)
    assert b"Exif" not in photo.data
    assert b"PhoneMaker" not in photo.data


def test_the_exif_orientation_is_applied_before_it_is_dropped():
    # Orientation 6: the camera was held sideways; the stored 600×300 is shown 300×600.
    photo = process_photo(with_gps(gradient(600, 300), orientation=6))
    assert (photo.width, photo.height) == (300, 600)


def test_a_large_photo_is_shrunk_to_the_long_side():
    photo = process_photo(encoded(gradient(4000, 3000), "JPEG", quality=95))
    assert (photo.width, photo.height) == (LONG_SIDE, 1200)
    portrait = process_photo(encoded(gradient(1200, 3600), "PNG"))
    assert (portrait.width, portrait.height) == (533, LONG_SIDE)


def test_a_small_photo_keeps_its_size():
    photo = process_photo(encoded(gradient(320, 240), "JPEG"))
    assert (photo.width, photo.height) == (320, 240)


def test_the_output_is_at_most_about_300_kb_even_for_noise():
    source = encoded(noise(2000, 1500), "PNG", compress_level=1)
    assert len(source) > 5 * TARGET_BYTES
    photo = process_photo(source)
    assert len(photo.data) <= TARGET_BYTES
    assert max(photo.width, photo.height) <= LONG_SIDE


def test_a_truncated_jpeg_is_refused():
    source = encoded(gradient(800, 600), "JPEG", quality=90)
    with pytest.raises(PhotoError) as refused:
        process_photo(source[: len(source) // 2])
    assert refused.value.code == "not_image"


@pytest.mark.parametrize(
    "data",
    [b"", b"%PDF-1.4 not a photo", b"\xff\xd8\xff\xe0" + b"\x00" * 200, b"GIF89a" + b"\x01" * 20],
    ids=["empty", "pdf", "jpeg-header-only", "broken-gif"],
)
def test_what_does_not_decode_is_refused(data):
    with pytest.raises(PhotoError) as refused:
        process_photo(data)
    assert refused.value.code == "not_image"


def test_a_file_over_the_limit_is_refused_before_decoding():
    with pytest.raises(PhotoError) as refused:
        process_photo(b"\xff\xd8" + b"\x00" * MAX_UPLOAD_BYTES)
    assert refused.value.code == "too_large"


def test_a_decompression_bomb_is_refused():
    # A few kilobytes that would open as 100 million pixels.
    bomb = encoded(Image.new("1", (10_000, 10_000)), "PNG")
    assert len(bomb) < 100_000
    with pytest.raises(PhotoError) as refused:
        process_photo(bomb)
    assert refused.value.code == "too_many_pixels"
