"""The report routes in the authorization matrix: the people who enter figures, each in their scope."""

REPORTERS = {"blo", "supervisor", "ero", "collector"}

ENTRIES = {
    "reports.today": ("GET", "/reports/", None, REPORTERS, set()),
    "reports.part": ("GET", "/reports/parts/{part_in}", "/reports/parts/{part_out}", REPORTERS, set()),
    "reports.check": (
        "POST",
        "/reports/parts/{part_in}/check",
        "/reports/parts/{part_out}/check",
        REPORTERS,
        set(),
    ),
    # The conflict page's "keep theirs": with no report of the day to keep it answers a redirect.
    "reports.keep": (
        "POST",
        "/reports/parts/{part_in}/keep",
        "/reports/parts/{part_out}/keep",
        REPORTERS,
        set(),
    ),
}
