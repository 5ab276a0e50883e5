"""The accounts routes in the authorization matrix: the admin, and a collector for their district."""

from __future__ import annotations

MANAGERS = {"admin", "collector"}

ENTRIES = {
    "accounts.index": ("GET", "/accounts/", None, MANAGERS, set()),
    "accounts.create": ("GET", "/accounts/new", None, MANAGERS, set()),
    "accounts.reset": (
        "POST",
        "/accounts/{user_in}/reset-password",
        "/accounts/{user_out}/reset-password",
        MANAGERS,
        {"admin"},
    ),
    "accounts.toggle_active": (
        "POST",
        "/accounts/{user_in}/active",
        "/accounts/{user_out}/active",
        MANAGERS,
        {"admin"},
    ),
}
