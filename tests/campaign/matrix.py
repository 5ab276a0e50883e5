"""The campaign settings in the authorization matrix: every signed-in officer reads them."""

from __future__ import annotations

from tests.conftest import LOGINS

ALL = set(LOGINS)

ENTRIES = {
    "campaign.settings": ("GET", "/campaign/", None, ALL - {"admin"}, set()),
}
