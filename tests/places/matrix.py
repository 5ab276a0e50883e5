"""The places browser in the authorization matrix: everyone who works on parts, each in their scope."""

from __future__ import annotations

PLACE_VIEWERS = {"state", "collector", "ero", "supervisor", "blo"}

ENTRIES = {
    "places.districts": ("GET", "/places/", None, PLACE_VIEWERS, set()),
    "places.district": (
        "GET",
        "/places/districts/{district_in}",
        "/places/districts/{district_out}",
        PLACE_VIEWERS,
        {"state"},
    ),
    "places.constituency": (
        "GET",
        "/places/constituencies/{ac_in}",
        "/places/constituencies/{ac_out}",
        PLACE_VIEWERS,
        {"state"},
    ),
    "places.parts": ("GET", "/places/parts", None, PLACE_VIEWERS, set()),
    "places.part": ("GET", "/places/parts/{part_in}", "/places/parts/{part_out}", PLACE_VIEWERS, {"state"}),
}
