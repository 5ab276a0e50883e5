"""Exports in the authorization matrix; each table's own roles are checked in tests/test_exports.py."""

EXPORTERS = {"state", "collector", "ero", "supervisor"}

ENTRIES = {
    "exports.table": (
        "GET",
        "/exports/parts.csv?constituency_id={ac_in}",
        "/exports/parts.csv?constituency_id={ac_out}",
        EXPORTERS,
        {"state"},
    ),
    "exports.bulletin": ("GET", "/exports/bulletin.xlsx", None, {"state", "collector"}, set()),
}
