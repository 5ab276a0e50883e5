"""The service worker, the manifest and the queue page in the authorization matrix (see
tests/test_authorization.py): the worker and the manifest are the same for everyone, signed in or
not; the queue page is any signed-in user's own (its list lives on their phone)."""

from __future__ import annotations

from tests.conftest import LOGINS

ALL = set(LOGINS)
PUBLIC = "public"

ENTRIES = {
    "offline.service_worker": ("GET", "/sw.js", None, PUBLIC, set()),
    "offline.manifest": ("GET", "/manifest.webmanifest", None, PUBLIC, set()),
    "offline.queue": ("GET", "/offline/queue", None, ALL, set()),
}
