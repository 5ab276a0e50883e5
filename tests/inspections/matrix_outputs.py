"""The inspections' outputs in the authorization matrix (see tests/test_authorization.py): the
coverage page and its map's points for the state office, collectors and EROs within their scope.
The visits' and coverage downloads are exports.table entries (tests/exports/matrix.py covers the
route; tests/inspections/test_outputs_exports.py each table's roles and scope)."""

READERS = {"state", "collector", "ero"}

ENTRIES = {
    "inspections.coverage": (
        "GET",
        "/inspections/coverage?constituency_id={ac_in}",
        "/inspections/coverage?constituency_id={ac_out}",
        READERS,
        {"state"},
    ),
    "inspections.coverage_data": (
        "GET",
        "/inspections/coverage/data.json?constituency_id={ac_in}",
        "/inspections/coverage/data.json?constituency_id={ac_out}",
        READERS,
        {"state"},
    ),
}
