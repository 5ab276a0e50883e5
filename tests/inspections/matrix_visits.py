"""The visit pages in the authorization matrix (see tests/test_authorization.py).

As for the planner (tests/inspections/matrix_planning.py), an inspection is in an ERO's or
supervisor's scope only when they inspect it; so the URL in scope is per role: the collector's own
inspection for the state and the collector, one each where ero.1 and sup.1.1 inspect; "out" is one in
Raisen. Each has a first stop still to visit and a second one visited with a photo. The matrix's
empty posts carry no version: 422, nothing saved."""

from __future__ import annotations

import io

from PIL import Image

from app.campaign.clock import campaign_today
from app.extensions import db
from app.inspections import services
from app.models import Part
from app.photos import process_photo
from tests.inspections.support import part, user

VIEWERS = {"state", "collector", "ero", "supervisor"}
INSPECTORS = {"collector", "ero", "supervisor"}
_PLACES = ("inspection", "stop", "visited", "photo")


class PerRole(str):
    """A URL in scope: the collector's inspection as a plain string, each inspector's own for ero.1
    and sup.1.1 (tests/test_authorization.py asks `for_role`)."""

    def __new__(cls, path: str):
        def filled(key: str) -> str:
            names = {
                "inspection": key,
                "stop": f"{key}_stop",
                "visited": f"{key}_visited",
                "photo": f"{key}_photo",
            }
            return path.format(**{place: "{" + names[place] + "}" for place in _PLACES})

        url = super().__new__(cls, filled("visit_in"))
        url.by_role = {"ero": filled("visit_ero"), "supervisor": filled("visit_sup")}
        return url

    def for_role(self, role: str) -> str:
        return self.by_role.get(role, str(self))


def _out(path: str) -> str:
    return path.format(
        inspection="{visit_out}",
        stop="{visit_out_stop}",
        visited="{visit_out_visited}",
        photo="{visit_out_photo}",
    )


_VISIT = "/inspections/{inspection}/stops/{stop}"
_SKIP = "/inspections/{inspection}/stops/{stop}/skip"
_FINISH = "/inspections/{inspection}/finish"
_PHOTO = "/inspections/{inspection}/stops/{visited}/photos/{photo}"
_REPORT = "/inspections/{inspection}/report"

ENTRIES = {
    # The inspector's form, or the visit to read; its POST (the inspector alone) is in test_visits.py.
    "inspections.visit": ("GET", PerRole(_VISIT), _out(_VISIT), VIEWERS, {"state"}),
    "inspections.skip": ("POST", PerRole(_SKIP), _out(_SKIP), INSPECTORS, set()),
    "inspections.finish": ("POST", PerRole(_FINISH), _out(_FINISH), INSPECTORS, set()),
    "inspections.photo": ("GET", PerRole(_PHOTO), _out(_PHOTO), VIEWERS, {"state"}),
    "inspections.report": ("GET", PerRole(_REPORT), _out(_REPORT), VIEWERS, {"state"}),
}

_PLANS = {
    "visit_in": ("collector.bhopal", "collector.bhopal", [(1, 1), (1, 2)]),
    "visit_ero": ("collector.bhopal", "ero.1", [(1, 3), (1, 4)]),
    "visit_sup": ("collector.bhopal", "sup.1.1", [(1, 5), (1, 6)]),
    "visit_out": ("collector.raisen", "collector.raisen", [(5, 1), (5, 2)]),
}


def _photo():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 120, 150)).save(buffer, "JPEG")
    return process_photo(buffer.getvalue())


def ids(app) -> dict[str, int]:
    """The four inspections above (their form token finds them again), each with its second stop
    visited with a photo."""
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
                    form_token=f"matrix-{key}-000000000000",
                ),
                Part.district_id == district.id,
                campaign_today(),
            )
            db.session.commit()
            first, second = inspection.stops[0], inspection.stops[1]
            if second.status == services.StopStatus.PENDING:
                services.record_visit(
                    user(inspector_login),
                    second,
                    services.VisitInput(blo_present=True, photos=(_photo(),)),
                    services.settings_for(district.id),
                    None,
                    second.version,
                    campaign_today(),
                )
                db.session.commit()
            photo_id = db.session.scalar(
                services.select(services.StopPhoto.id).where(services.StopPhoto.stop_id == second.id)
            )
            found.update(
                {
                    key: inspection.id,
                    f"{key}_stop": first.id,
                    f"{key}_visited": second.id,
                    f"{key}_photo": photo_id,
                }
            )
    return found
