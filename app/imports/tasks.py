"""The import's runs on the queue: the check, then the apply, each a Job given the import's id."""

from __future__ import annotations

from app.extensions import db
from app.imports.models import ImportJob
from app.imports.services import close_interrupted, run_apply, run_check
from app.models import Job, User
from app.tasks import create_job, job_task


@job_task("import.check", on_failure=close_interrupted)
def check_import(job: Job) -> None:
    run_check(job.params["import_id"], job.params["locale"])


@job_task("import.apply", on_failure=close_interrupted)
def apply_import(job: Job) -> None:
    run_apply(job.params["import_id"], job.user_id, job.params["locale"])


RUNS = {"check": ("import.check", check_import), "apply": ("import.apply", apply_import)}


def start_run(import_job: ImportJob, run: str, actor: User, locale: str) -> None:
    """Queue the check or the apply: the job row and its link are committed before the id is sent."""
    kind, task = RUNS[run]
    job = create_job(actor, kind, {"import_id": import_job.id, "locale": locale})
    import_job.job_id = job.id
    db.session.commit()
    task(job.id)
