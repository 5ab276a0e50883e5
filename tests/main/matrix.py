"""The home page and the health check in the authorization matrix."""

from __future__ import annotations

from tests.conftest import LOGINS

ALL = set(LOGINS)
PUBLIC = "public"

ENTRIES = {
    "main.healthz": ("GET", "/healthz", None, PUBLIC, set()),
    "main.home": ("GET", "/", None, ALL, set()),
}
