"""The need board, offers, the offers list, cancelling and a district's limits in the authorization
matrix (see tests/test_authorization.py)."""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import select

from app.campaign.clock import campaign_today
from app.extensions import db
from app.volunteers import services
from app.volunteers.models import HOLDING, Assignment
from tests.volunteers.need_support import part_of, user, volunteer_near

BOARD = {"collector", "ero"}

ENTRIES = {
    "volunteers.need": (
        "GET",
        "/volunteers/need",
        "/volunteers/need?constituency_id={ac_out}",
        BOARD,
        set(),
    ),
    "volunteers.offer": (
        "GET",
        "/volunteers/offer?part_id={need_part_in}&volunteer_id={need_volunteer_in}",
        "/volunteers/offer?part_id={need_part_out}&volunteer_id={need_volunteer_out}",
        BOARD,
        set(),
    ),
    # Nothing ticked: 422, nothing sent.
    "volunteers.offer_bulk": ("POST", "/volunteers/offers", None, BOARD, set()),
    "volunteers.offers": (
        "GET",
        "/volunteers/offers/list",
        "/volunteers/offers/list?constituency_id={ac_out}",
        BOARD,
        set(),
    ),
    # Without the form's version: 422 in scope, nothing cancelled.
    "volunteers.cancel": (
        "POST",
        "/volunteers/offers/{need_assignment_in}/cancel",
        "/volunteers/offers/{need_assignment_out}/cancel",
        BOARD,
        set(),
    ),
    "volunteers.settings": (
        "GET",
        "/volunteers/settings",
        "/volunteers/settings?district_id={district_out}",
        {"collector"},
        set(),
    ),
}

# (volunteer login, its part (AC, part number), the key of its offer, if any)
_PROFILES = [
    ("vol.bhopal.1", (1, 1), None),
    ("vol.bhopal.2", (1, 1), "need_assignment_in"),
    ("vol.raisen.1", (5, 1), "need_assignment_out"),
]


def ids(app) -> dict[str, int]:
    """Approved profiles of two Bhopal volunteers near part 1-1 and one of Raisen near part 5-1,
    free today, and an open offer to the second and the third (made once)."""
    found = {}
    with app.app_context():
        collectors = {1: user("collector.bhopal"), 5: user("collector.raisen")}
        for login, (ac_number, part_number), offer_key in _PROFILES:
            part = part_of(ac_number, part_number)
            volunteer = volunteer_near(login, part)
            if offer_key is not None:
                held = db.session.scalar(
                    select(Assignment).where(
                        Assignment.volunteer_id == volunteer.id, Assignment.status.in_(HOLDING)
                    )
                )
                if held is None:
                    # Tomorrow's hours: an offer for today's would be refused once they are over.
                    tomorrow = campaign_today() + timedelta(days=1)
                    held = services.offer(
                        collectors[ac_number],
                        volunteer,
                        part,
                        services.OfferInput(tomorrow, tomorrow, time(9), time(12), ("awareness",)),
                    )
                found[offer_key] = held.id
        db.session.commit()
        found["need_part_in"] = part_of(1, 1).id
        found["need_part_out"] = part_of(5, 1).id
        found["need_volunteer_in"] = volunteer_near("vol.bhopal.1", part_of(1, 1)).id
        found["need_volunteer_out"] = volunteer_near("vol.raisen.1", part_of(5, 1)).id
    return found
