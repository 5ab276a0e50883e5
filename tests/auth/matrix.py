"""The sign-in routes in the authorization matrix: sign-in and language for anyone, the rest signed in."""

from __future__ import annotations

from tests.conftest import LOGINS

ALL = set(LOGINS)
PUBLIC = "public"

ENTRIES = {
    "auth.login": ("GET", "/auth/login", None, PUBLIC, set()),
    "auth.language": ("POST", "/auth/language", None, PUBLIC, set()),
    "auth.logout": ("POST", "/auth/logout", None, ALL, set()),
    "auth.password": ("GET", "/auth/password", None, ALL, set()),
}
