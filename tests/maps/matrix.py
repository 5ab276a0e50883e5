"""Maps and charts routes in the authorization matrix."""

OFFICERS = {"state", "collector", "ero", "supervisor"}

ENTRIES = {
    "maps.district": (
        "GET",
        "/maps/districts/{district_in}",
        "/maps/districts/{district_out}",
        OFFICERS,
        {"state"},
    ),
    "maps.constituency": (
        "GET",
        "/maps/constituencies/{ac_in}",
        "/maps/constituencies/{ac_out}",
        OFFICERS,
        {"state"},
    ),
    "maps.data": (
        "GET",
        "/maps/data.json?district_id={district_in}",
        "/maps/data.json?district_id={district_out}",
        OFFICERS,
        {"state"},
    ),
}
