"""What the service worker keeps: the version of the static build, the app shell, the pages readable
offline and the posts the phone may queue. Flask-free but for the URL map it is given."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path

from app.models import Role

# The posts the browser may queue while offline: each is @idempotent (app/idempotency.py).
QUEUEABLE = (
    "reports.part",
    "reports.keep",
    "difficulties.new",
    "volunteers.check_in",
    "volunteers.check_out",
    "volunteers.log_work",
)
# The pages a BLO or a volunteer may read offline (a copy per user, network first); officers' pages never.
# The home page is the installed app's start_url and holds the BLO's three-tap difficulty form.
READABLE_OFFLINE = frozenset(
    {
        "main.home",
        "difficulties.new",
        "reports.today",
        "reports.part",
        "difficulties.mine",
        "volunteers.mine",
        "volunteers.assignment",
        "offline.queue",
    }
)
KEEPERS = frozenset({Role.BLO, Role.VOLUNTEER})
# The app shell: what every page of a BLO or a volunteer loads, fetched when the worker installs.
SHELL = (
    "vendor/pico-2.1.1.min.css",
    "css/app.css",
    "vendor/htmx-2.0.11.min.js",
    "js/on-demand.js",
    "vendor/idb-keyval-6.3.0.umd.js",
    "js/offline-queue.js",
    "js/offline.js",
    "js/offline-ui.js",
    "js/report-kept.js",
    "js/check-in.js",
    "favicon.svg",
    "icons/icon-192.png",
)


@lru_cache(maxsize=4)
def build_version(static_folder: str, app_version: str = "") -> str:
    """A short hash of every static file's path and content: a release changes it, so the worker's
    caches get new names and the old ones are deleted."""
    digest = hashlib.blake2s(app_version.encode(), digest_size=6)
    root = Path(static_folder)
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode())
            digest.update(hashlib.blake2s(path.read_bytes(), digest_size=8).digest())
    return digest.hexdigest()


def url_pattern(rule: str) -> str:
    """A URL rule as a regular expression the browser can test a form's action with."""
    parts = re.split(r"<[^>]+>", rule)
    return "^" + "[^/]+".join(re.escape(part) for part in parts) + "$"
