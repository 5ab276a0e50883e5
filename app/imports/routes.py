"""Routes of the imports feature: upload → dry run (status page, polled while running) → apply."""

from __future__ import annotations

from datetime import date

from flask import Response, current_app, flash, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.access import allow
from app.extensions import db
from app.formatting import number
from app.htmx import is_partial, redirect_to, render
from app.imports import bp
from app.imports.forms import UploadForm
from app.imports.models import ImportJob
from app.imports.parsing import COLUMNS, HINDI_NAMES, REQUIRED
from app.imports.services import (
    MAX_BYTES,
    RUNNING,
    RevertError,
    UploadError,
    can_revert,
    create_job,
    recent_jobs,
    refusal,
    revert_import,
    sample_file,
    start_apply,
    store_upload,
)
from app.imports.tasks import start_run
from app.lists import ListForm
from app.models import Role
from app.scope import current_scope
from app.spreadsheets import CONTENT_TYPES, write_csv

ERRORS_PER_PAGE = 50
STATUS_LABELS = {
    "uploaded": _l("Waiting to be checked"),
    "checking": _l("Checking"),
    "checked": _l("Checked: ready to apply"),
    "rejected": _l("Rejected"),
    "applying": _l("Applying"),
    "applied": _l("Applied"),
    "failed": _l("Failed"),
    "reverted": _l("Reverted"),
}
PHASE_LABELS = {
    "waiting": _l("Waiting to start…"),
    "reading": _l("Reading the file…"),
    "checking": _l("Checking the rows…"),
    "saving": _l("Saving the figures…"),
}


def _index_page(form: UploadForm, status: int = 200) -> Response:
    return render(
        "imports/index.html",
        block="form",
        status=status,
        form=form,
        jobs=recent_jobs(current_scope()),
        columns=COLUMNS,
        hindi_names=HINDI_NAMES,
        required=REQUIRED,
        status_labels=STATUS_LABELS,
    )


@bp.route("/", methods=["GET", "POST"])
@allow(Role.COLLECTOR)
def index():
    form = UploadForm()
    if request.method == "GET":
        return _index_page(form)
    if form.validate_on_submit():
        upload = form.file.data
        max_bytes = current_app.config.get("IMPORTS_MAX_BYTES", MAX_BYTES)
        try:
            path = store_upload(upload.stream, upload.filename, max_bytes)
        except UploadError as error:
            form.file.errors.append(str(error))
        else:
            job = create_job(current_scope(), upload.filename, path)
            start_run(job, "check", current_scope().user, str(get_locale()))
            return redirect_to(url_for("imports.status", job_id=job.id))
    db.session.rollback()
    return _index_page(form, 422)


@bp.route("/<int:job_id>")
@allow(Role.COLLECTOR)
def status(job_id: int):
    return _status_page(current_scope().require(ImportJob, job_id))


def _status_page(job, status: int = 200, notice: str | None = None) -> Response:
    errors = ListForm.read().paginate_list(job.errors or [], ERRORS_PER_PAGE)
    summary = dict(job.summary or {})
    for key in ("first_date", "last_date"):
        summary[key] = _day(summary.get(key))
    summary["sample"] = [{**change, "date": _day(change["date"])} for change in summary.get("sample", [])]
    return render(
        "imports/status.html",
        block="status",
        status=status,
        job=job,
        summary=summary,
        status_labels=STATUS_LABELS,
        phase_labels=PHASE_LABELS,
        running=job.status in RUNNING,
        errors=errors,
        notice=notice,
        can_revert=can_revert(job),
    )


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@bp.route("/<int:job_id>/apply", methods=["POST"])
@allow(Role.COLLECTOR)
def apply(job_id: int):
    job = current_scope().require(ImportJob, job_id)
    if not start_apply(job):
        db.session.rollback()
        message = refusal(job)
        if is_partial():
            return _status_page(job, 422, notice=message)
        flash(message, "error")
        return redirect_to(url_for("imports.status", job_id=job.id))
    start_run(job, "apply", current_scope().user, str(get_locale()))
    return redirect_to(url_for("imports.status", job_id=job.id))


@bp.route("/<int:job_id>/revert", methods=["POST"])
@allow(Role.COLLECTOR)
def revert(job_id: int):
    """Undo an applied import the same day, all or nothing."""
    scope = current_scope()
    job = scope.require(ImportJob, job_id)
    try:
        counts = revert_import(job, scope.user)
    except RevertError as error:
        db.session.rollback()
        if is_partial():
            return _status_page(job, 422, notice=str(error))
        flash(str(error), "error")
        return redirect_to(url_for("imports.status", job_id=job.id))
    db.session.commit()
    flash(
        _(
            "The import was reverted: %(restored)s reports restored, %(deleted)s removed.",
            restored=number(counts["restored"]),
            deleted=number(counts["deleted"]),
        ),
        "success",
    )
    return redirect_to(url_for("imports.status", job_id=job.id))


@bp.route("/template.csv")
@allow(Role.COLLECTOR)
def template():
    response = Response(write_csv(sample_file(current_scope())), content_type=CONTENT_TYPES["csv"])
    response.headers["Content-Disposition"] = "attachment; filename=part-figures-sample.csv"
    return response
