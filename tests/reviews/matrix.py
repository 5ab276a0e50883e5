"""The review log's routes in the authorization matrix (see tests/test_authorization.py)."""

OFFICERS = {"state", "collector", "ero", "supervisor"}
RECORDERS = {"collector", "ero", "supervisor"}

ENTRIES = {
    # A POST without an outcome: allowed roles get 422 (nothing saved), others 403.
    "reviews.new": ("POST", "/reviews/parts/{part_in}", "/reviews/parts/{part_out}", RECORDERS, set()),
    "reviews.part": (
        "GET",
        "/reviews/parts/{part_in}/history",
        "/reviews/parts/{part_out}/history",
        OFFICERS | {"blo"},
        {"state"},
    ),
    "reviews.not_contacted": (
        "GET",
        "/reviews/not-contacted",
        "/reviews/not-contacted?district_id={district_out}",
        OFFICERS,
        {"state"},
    ),
    "reviews.follow_ups": (
        "GET",
        "/reviews/follow-ups",
        "/reviews/follow-ups?constituency_id={ac_out}",
        OFFICERS,
        {"state"},
    ),
}
