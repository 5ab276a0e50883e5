"""Registration, the approval queue and the bulk import in the authorization matrix (see
tests/test_authorization.py). The sign-up is public; approving is for the district's collector and
EROs; importing is for collectors."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Job, JobStatus, User
from app.volunteers import intake
from tests.volunteers.registration_support import make_volunteer

PUBLIC = "public"
APPROVERS = {"collector", "ero"}

ENTRIES = {
    "volunteers.register": ("GET", "/volunteers/register", None, PUBLIC, set()),
    "volunteers.approvals": ("GET", "/volunteers/approvals", None, APPROVERS, set()),
    # Without the form's version: 422 in scope, nothing decided.
    "volunteers.approve": (
        "POST",
        "/volunteers/{pending_volunteer_in}/approve",
        "/volunteers/{pending_volunteer_out}/approve",
        APPROVERS,
        set(),
    ),
    "volunteers.reject": (
        "POST",
        "/volunteers/{pending_volunteer_in}/reject",
        "/volunteers/{pending_volunteer_out}/reject",
        APPROVERS,
        set(),
    ),
    # A POST without a file: 422.
    "volunteers.import_": ("POST", "/volunteers/import", None, {"collector"}, set()),
    "volunteers.import_status": (
        "GET",
        "/volunteers/import/{volunteer_import_in}",
        "/volunteers/import/{volunteer_import_out}",
        {"collector"},
        set(),
    ),
    # A rejected dry run cannot be applied: refused with a message, nothing queued.
    "volunteers.import_apply": (
        "POST",
        "/volunteers/import/{volunteer_import_in}/apply",
        "/volunteers/import/{volunteer_import_out}/apply",
        {"collector"},
        set(),
    ),
}


def _rejected_check(collector_login: str) -> int:
    collector = db.session.scalar(select(User).where(User.login == collector_login))
    job = Job(
        kind=intake.CHECK,
        user_id=collector.id,
        district_id=collector.district_id,
        status=JobStatus.DONE,
        params={"path": "/nonexistent.csv", "filename": "list.csv", "locale": "en"},
        result={"state": "rejected", "message": "1 problem found.", "errors": [], "error_count": 1},
    )
    db.session.add(job)
    db.session.commit()
    return job.id


def ids(app) -> dict[str, int]:
    with app.app_context():
        inside = make_volunteer("Matrix Pending Bhopal", "9000000101", "Bhopal")
        outside = make_volunteer("Matrix Pending Raisen", "9000000102", "Raisen")
        return {
            "pending_volunteer_in": inside.id,
            "pending_volunteer_out": outside.id,
            "volunteer_import_in": _rejected_check("collector.bhopal"),
            "volunteer_import_out": _rejected_check("collector.raisen"),
        }
