"""Each volunteer's hours and their certificate of service in the authorization matrix (see
tests/test_authorization.py): the officers who see the other figures of volunteers, each within
their scope; the state office sees any district's. vol.bhopal.1 (with an accepted assignment at part
1-1, sup.1.1's) is every Bhopal officer's to certify; vol.raisen.1 is none of theirs."""

from __future__ import annotations

from app.volunteers.models import Volunteer
from tests.volunteers.matrix_mine import accepted_today, part_of, profile_of
from tests.volunteers.need_support import volunteer_near

OFFICERS = {"state", "collector", "ero", "supervisor"}

ENTRIES = {
    "volunteers.hours": (
        "GET",
        "/volunteers/hours?constituency_id={ac_in}",
        "/volunteers/hours?constituency_id={ac_out}",
        OFFICERS,
        {"state"},
    ),
    "volunteers.certificate": (
        "GET",
        "/volunteers/hours/{hours_volunteer_in}/certificate",
        "/volunteers/hours/{hours_volunteer_out}/certificate",
        OFFICERS,
        {"state"},
    ),
}


def ids(app) -> dict[str, int]:
    from datetime import time

    from app.extensions import db

    with app.app_context():
        inside: Volunteer = profile_of("vol.bhopal.1")
        accepted_today(inside, part_of(1, 1), (time(7, 0), time(9, 0)))
        outside = volunteer_near("vol.raisen.1", part_of(5, 1))
        db.session.commit()
        return {"hours_volunteer_in": inside.id, "hours_volunteer_out": outside.id}
