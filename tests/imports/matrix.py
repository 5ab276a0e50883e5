"""Imports in the authorization matrix: collectors only, and only their district's jobs."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.imports.models import ImportJob
from app.models import User

COLLECTOR = {"collector"}

ENTRIES = {
    "imports.index": ("GET", "/imports/", None, COLLECTOR, set()),
    "imports.template": ("GET", "/imports/template.csv", None, COLLECTOR, set()),
    "imports.status": ("GET", "/imports/{job_in}", "/imports/{job_out}", COLLECTOR, set()),
    "imports.apply": ("POST", "/imports/{job_in}/apply", "/imports/{job_out}/apply", COLLECTOR, set()),
    "imports.revert": ("POST", "/imports/{job_in}/revert", "/imports/{job_out}/revert", COLLECTOR, set()),
}


def ids(app) -> dict[str, int]:
    """A rejected job in Bhopal (in scope of collector.bhopal) and one in Raisen (out of it).

    Rejected, so that an allowed apply or revert is refused with a message (303) and writes nothing.
    """
    with app.app_context():
        jobs = {}
        for key, login in (("job_in", "collector.bhopal"), ("job_out", "collector.raisen")):
            user = db.session.scalar(select(User).where(User.login == login))
            job = ImportJob(
                user_id=user.id,
                district_id=user.district_id,
                filename=f"{login}.csv",
                stored_path="/nonexistent/matrix.csv",
                status="rejected",
                errors=[{"row": 2, "part": "1-1", "column": "Digitized", "message": "Not a number"}],
                summary={"message": "1 problem", "error_count": 1, "rows": 1},
            )
            db.session.add(job)
            db.session.flush()
            jobs[key] = job.id
        db.session.commit()
        return jobs
