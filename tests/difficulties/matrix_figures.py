"""The difficulties' figures page in the authorization matrix (see tests/test_authorization.py)."""

OFFICERS = {"state", "collector", "ero", "supervisor"}

ENTRIES = {
    # Each officer's own scope; there is no other scope to ask for, so no out-of-scope URL.
    "difficulties.figures": ("GET", "/difficulties/figures", None, OFFICERS, set()),
}
