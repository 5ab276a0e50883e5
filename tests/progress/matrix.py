"""Authorization matrix entries of the progress dashboards."""

OFFICERS = {"state", "collector", "ero", "supervisor"}

ENTRIES = {
    "progress.index": ("GET", "/progress/", None, OFFICERS | {"blo"}, set()),
    "progress.state": ("GET", "/progress/state", None, {"state"}, set()),
    "progress.district": (
        "GET",
        "/progress/districts/{district_in}",
        "/progress/districts/{district_out}",
        {"state", "collector"},
        {"state"},
    ),
    "progress.constituency": (
        "GET",
        "/progress/constituencies/{ac_in}",
        "/progress/constituencies/{ac_out}",
        {"state", "collector", "ero"},
        {"state"},
    ),
    "progress.parts": ("GET", "/progress/parts", None, {"supervisor", "blo"}, set()),
    "progress.part": (
        "GET",
        "/progress/parts/{part_in}",
        "/progress/parts/{part_out}",
        OFFICERS | {"blo"},
        {"state"},
    ),
    "progress.missing": (
        "GET",
        "/progress/missing?constituency_id={ac_in}",
        "/progress/missing?constituency_id={ac_out}",
        OFFICERS,
        {"state"},
    ),
    "progress.calls": (
        "GET",
        "/progress/calls?constituency_id={ac_in}",
        "/progress/calls?constituency_id={ac_out}",
        OFFICERS,
        {"state"},
    ),
}
