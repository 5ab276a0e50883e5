"""Exports in the authorization matrix; each table's own roles are checked in tests/test_exports.py."""

from __future__ import annotations

import tempfile
from pathlib import Path

from sqlalchemy import select

from app.extensions import db
from app.models import Job, JobStatus, User

EXPORTERS = {"state", "collector", "ero", "supervisor"}

ENTRIES = {
    "exports.table": (
        "GET",
        "/exports/parts.csv?constituency_id={ac_in}",
        "/exports/parts.csv?constituency_id={ac_out}",
        EXPORTERS,
        {"state"},
    ),
    "exports.bulletin": ("GET", "/exports/bulletin.xlsx", None, {"state", "collector"}, set()),
    # A POST without a table: the state gets 422 (nothing queued), others 403.
    "exports.start": ("POST", "/exports/jobs", None, {"state"}, set()),
    "exports.job": ("GET", "/exports/jobs/{export_job}", None, {"state"}, set()),
    "exports.download": ("GET", "/exports/jobs/{export_job}/file", None, {"state"}, set()),
}


def ids(app) -> dict[str, int]:
    """A finished export of the state's, with its file."""
    path = Path(tempfile.mkdtemp()) / "parts.csv"
    path.write_bytes(b"\xef\xbb\xbfAC no.\r\n")
    with app.app_context():
        state = db.session.scalar(select(User).where(User.login == "state"))
        job = Job(
            kind="export",
            status=JobStatus.DONE,
            user_id=state.id,
            params={"table": "parts", "fmt": "csv", "day": "2025-11-20", "locale": "en"},
            result={"path": str(path), "filename": "sir-parts-2025-11-20.csv", "rows": 0},
        )
        db.session.add(job)
        db.session.commit()
        return {"export_job": job.id}
