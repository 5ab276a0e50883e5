"""A difficulty's photo: decoded to prove it is one, turned upright, shrunk, re-encoded, no EXIF."""

from __future__ import annotations

import io
import os
import struct
import zlib

import pytest
from PIL import Image, ImageFile

from app.photos import (
    LONG_SIDE,
    MAX_PIXELS,
    MAX_PIXELS_DECODED_WHOLE,
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


# -- refused from the header, before any pixel is decoded ------------------------------------------


def png_claiming(width: int, height: int) -> bytes:
    """A small PNG whose header says width × height: what Image.open reads of a one-colour PNG of
    that size (60 KB for 7999 × 7999), without the test making 64 million pixels."""
    data = bytearray(encoded(Image.new("RGB", (8, 8), (200, 30, 30)), "PNG"))
    assert data[12:16] == b"IHDR"
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def jpeg_claiming(width: int, height: int) -> bytes:
    """A small JPEG whose frame header (SOF0) says width × height."""
    data = bytearray(encoded(gradient(16, 16), "JPEG"))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


@pytest.fixture
def decoders(monkeypatch):
    """Every decoder Pillow makes while the test runs: (format, size as decoded, decoder config)."""
    made = []
    load = ImageFile.ImageFile.load

    def spying_load(image):
        if image.tile:  # pixels still to decode (a second load() of the same image is a no-op)
            made.append((image.format, image.size, getattr(image, "decoderconfig", ())))
        return load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spying_load)
    return made


def test_a_png_pixel_bomb_is_refused_from_its_header_without_decoding(decoders):
    bomb = png_claiming(7999, 7999)  # 64 million pixels: under Pillow's own bomb limit
    with Image.open(io.BytesIO(bomb)) as probe:
        assert probe.size == (7999, 7999) and probe.width * probe.height < Image.MAX_IMAGE_PIXELS
    with pytest.raises(PhotoError) as refused:
        process_photo(bomb)
    assert refused.value.code == "too_many_pixels"
    assert refused.value.pixels == 7999 * 7999
    assert refused.value.limit == MAX_PIXELS_DECODED_WHOLE
    assert decoders == []  # the pixels were never decoded


def test_a_png_has_half_the_pixels_a_jpeg_may_have(decoders):
    # 15 megapixels: too many for a PNG (decoded whole), not for a JPEG (decoded reduced).
    with pytest.raises(PhotoError) as refused:
        process_photo(png_claiming(5000, 3000))
    assert (refused.value.code, refused.value.limit) == ("too_many_pixels", MAX_PIXELS_DECODED_WHOLE)
    assert decoders == []
    photo = process_photo(encoded(Image.new("L", (5000, 3000), 128), "JPEG"))
    assert (photo.width, photo.height) == (LONG_SIDE, 960)


def test_a_jpeg_over_24_megapixels_is_refused_from_its_header(decoders):
    assert 6001 * 4000 > MAX_PIXELS >= 6000 * 4000
    with pytest.raises(PhotoError) as refused:
        process_photo(jpeg_claiming(6001, 4000))
    assert (refused.value.code, refused.value.pixels, refused.value.limit) == (
        "too_many_pixels",
        6001 * 4000,
        MAX_PIXELS,
    )
    assert decoders == []


def test_pillows_own_bomb_limit_still_refuses(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(PhotoError) as refused:
        process_photo(encoded(gradient(100, 100), "PNG"))
    assert refused.value.code == "too_many_pixels"


def test_a_jpeg_is_decoded_reduced_to_the_size_kept(decoders):
    # 3300 × 2000 is kept at 1600 × 970: decoded at half its size, not whole.
    photo = process_photo(encoded(gradient(3300, 2000), "JPEG", quality=90))
    assert (photo.width, photo.height) == (LONG_SIDE, 970)
    assert decoders == [("JPEG", (1650, 1000), (2, 0))]


def test_a_jpeg_is_decoded_at_the_deepest_reduction_still_as_large_as_kept(decoders):
    photo = process_photo(encoded(Image.new("RGB", (6000, 4000), (10, 120, 40)), "JPEG"))
    assert (photo.width, photo.height) == (LONG_SIDE, 1067)
    assert decoders == [("JPEG", (3000, 2000), (2, 0))]
    decoders.clear()
    process_photo(encoded(Image.new("L", (3200, 6400), 90), "JPEG"))
    assert decoders == [("JPEG", (800, 1600), (4, 0))]


def test_a_turned_photo_is_shrunk_and_turned_upright():
    # Orientation 6 on a large photo: shrunk on its long side, then shown 800 × 1600.
    photo = process_photo(with_gps(gradient(3200, 1600), orientation=6))
    assert (photo.width, photo.height) == (800, LONG_SIDE)


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF", "ICO"])
def test_images_of_other_types_are_refused(fmt, decoders):
    with pytest.raises(PhotoError) as refused:
        process_photo(encoded(gradient(64, 48), fmt))
    assert refused.value.code == "not_image"
    assert decoders == []


def test_a_webp_is_kept_as_a_jpeg():
    photo = process_photo(encoded(gradient(640, 480), "WEBP"))
    assert photo.data[:3] == b"\xff\xd8\xff" and (photo.width, photo.height) == (640, 480)


def test_a_phones_jpeg_with_a_second_picture_inside_is_a_jpeg(decoders):
    """Some phones write MPO (a JPEG with a second, smaller picture): kept, and decoded reduced."""
    first = gradient(3300, 2000)
    source = encoded(first, "MPO", save_all=True, append_images=[first.resize((640, 388))])
    with Image.open(io.BytesIO(source)) as probe:
        assert probe.format == "MPO"
    photo = process_photo(source)
    assert (photo.width, photo.height) == (LONG_SIDE, 970)
    assert decoders == [("MPO", (1650, 1000), (2, 0))]
