"""Exports too large to build within a request (the whole state's parts) run on the queue."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

from flask import current_app
from flask_babel import force_locale

from app.campaign.services import current_campaign
from app.exports.registry import TABLES, Selection
from app.extensions import db
from app.models import Job, User
from app.progress.services import target_of
from app.scope import Scope
from app.spreadsheets import write
from app.tasks import create_job, job_task, report_progress

STEPS = 2  # read the figures, write the file


def exports_dir() -> Path:
    directory = Path(current_app.config.get("EXPORTS_DIR") or Path(current_app.instance_path) / "exports")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@job_task("export")
def build_export(job: Job) -> dict:
    """Build the file in the requester's scope and language; the result names the stored file."""
    table, fmt, locale = job.params["table"], job.params["fmt"], job.params["locale"]
    day = date.fromisoformat(job.params["day"])
    selection = Selection(Scope(job.user), day, target_of(current_campaign()))
    with force_locale(locale):
        report_progress(job.id, 0, STEPS)
        export = TABLES[table].build(selection)
        report_progress(job.id, 1, STEPS)
        content = write(export, fmt)
    path = exports_dir() / f"{uuid.uuid4().hex}.{fmt}"
    path.write_bytes(content)
    report_progress(job.id, STEPS, STEPS)
    return {"path": str(path), "filename": export.filename(fmt), "rows": len(export.rows)}


def start_export(user: User, table: str, fmt: str, day: date, locale: str) -> Job:
    """Queue an export: the job row commits before its id is enqueued."""
    job = create_job(user, "export", {"table": table, "fmt": fmt, "day": day.isoformat(), "locale": locale})
    db.session.commit()
    build_export(job.id)
    return job
