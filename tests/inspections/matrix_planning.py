"""The planner's routes in the authorization matrix (see tests/test_authorization.py).

An inspection is the collector's district's, and an ERO's or supervisor's only when they are its
inspector; so the URL "in scope" is per role: the collector's own inspection for the state and the
collector, and one each where ero.1 and sup.1.1 inspect. "Out": one in Raisen, by its collector."""

from __future__ import annotations

from app.campaign.clock import campaign_today
from app.extensions import db
from app.inspections import services
from app.models import Part
from tests.inspections.support import part, user

VIEWERS = {"state", "collector", "ero", "supervisor"}
PLANNERS = {"collector", "ero", "supervisor"}
COLLECTOR = {"collector"}


class PerRole(str):
    """A URL in scope that is the collector's inspection for anyone who reads it as a string, and
    each inspector's own for ero.1 and sup.1.1 (tests/test_authorization.py asks `for_role`)."""

    def __new__(cls, path: str):
        url = super().__new__(cls, path.format(inspection="{plan_in}", stop="{plan_in_stop}"))
        url.by_role = {
            "ero": path.format(inspection="{plan_ero}", stop="{plan_ero_stop}"),
            "supervisor": path.format(inspection="{plan_sup}", stop="{plan_sup_stop}"),
        }
        return url

    def for_role(self, role: str) -> str:
        return self.by_role.get(role, str(self))


_per_role = PerRole


ENTRIES = {
    "inspections.index": (
        "GET",
        "/inspections/",
        "/inspections/?district_id={district_out}",
        VIEWERS,
        {"state"},
    ),
    # Nothing chosen: 422, nothing saved.
    "inspections.new": ("POST", "/inspections/new", None, COLLECTOR, set()),
    "inspections.show": (
        "GET",
        _per_role("/inspections/{inspection}"),
        "/inspections/{plan_out}",
        VIEWERS,
        {"state"},
    ),
    # Without the plan's version: 422, nothing saved.
    "inspections.move": (
        "POST",
        _per_role("/inspections/{inspection}/stops/{stop}/move"),
        "/inspections/{plan_out}/stops/{plan_out_stop}/move",
        PLANNERS,
        set(),
    ),
    "inspections.shortest": (
        "POST",
        _per_role("/inspections/{inspection}/shortest"),
        "/inspections/{plan_out}/shortest",
        PLANNERS,
        set(),
    ),
    "inspections.cancel": (
        "POST",
        "/inspections/{plan_in}/cancel",
        "/inspections/{plan_out}/cancel",
        COLLECTOR,
        set(),
    ),
    "inspections.settings": ("GET", "/inspections/settings", None, COLLECTOR, set()),
}

_PLANS = {
    "plan_in": ("collector.bhopal", "collector.bhopal", [(1, 1), (1, 2)]),
    "plan_ero": ("collector.bhopal", "ero.1", [(1, 3), (1, 4)]),
    "plan_sup": ("collector.bhopal", "sup.1.1", [(1, 5), (1, 6)]),
    "plan_out": ("collector.raisen", "collector.raisen", [(5, 1), (5, 2)]),
}


def ids(app) -> dict[str, int]:
    """The four inspections above, planned once (their form token finds them again)."""
    found = {}
    with app.test_request_context():
        for key, (planner_login, inspector_login, places) in _PLANS.items():
            planner = user(planner_login)
            district = db.session.get(services.District, planner.district_id)
            inspection = services.plan_inspection(
                planner,
                district,
                services.PlanInput(
                    day=campaign_today(),
                    inspector_id=user(inspector_login).id,
                    part_ids=tuple(part(ac, number).id for ac, number in places),
                    form_token=f"matrix-{key}-0000000000",
                ),
                Part.district_id == district.id,
                campaign_today(),
            )
            db.session.commit()
            found[key] = inspection.id
            found[f"{key}_stop"] = inspection.stops[0].id
    return found
