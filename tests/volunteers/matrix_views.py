"""The collector's views of volunteers in the authorization matrix (see tests/test_authorization.py).

Officers open them within their scope; the state office sees any district's or AC's; volunteers,
BLOs and administrators are refused. The volunteers' downloads are exports.table entries
(tests/exports/matrix.py covers the route; test_privacy.py and test_views.py each table).
"""

OFFICERS = {"state", "collector", "ero", "supervisor"}

ENTRIES = {
    "volunteers.coverage": (
        "GET",
        "/volunteers/coverage?constituency_id={ac_in}",
        "/volunteers/coverage?constituency_id={ac_out}",
        OFFICERS,
        {"state"},
    ),
    "volunteers.coverage_data": (
        "GET",
        "/volunteers/coverage/data.json?constituency_id={ac_in}",
        "/volunteers/coverage/data.json?constituency_id={ac_out}",
        OFFICERS,
        {"state"},
    ),
    "volunteers.on_now": (
        "GET",
        "/volunteers/on-now?constituency_id={ac_in}",
        "/volunteers/on-now?constituency_id={ac_out}",
        OFFICERS,
        {"state"},
    ),
    "volunteers.figures": (
        "GET",
        "/volunteers/figures?constituency_id={ac_in}",
        "/volunteers/figures?constituency_id={ac_out}",
        OFFICERS,
        {"state"},
    ),
}
