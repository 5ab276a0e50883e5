"""The collectors' bulk import of institutions' lists of volunteers: upload a file, see its check,
apply it. The reading and applying are jobs (intake.py); contexts in pages_registration.py."""

from __future__ import annotations

from flask import abort, current_app, flash, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from app.access import allow
from app.extensions import db
from app.htmx import is_partial, redirect_to, render
from app.imports.services import MAX_BYTES, UploadError, store_upload
from app.lists import ListForm
from app.models import Job, Role
from app.scope import current_scope
from app.volunteers import bp, intake
from app.volunteers import pages_registration as pages
from app.volunteers.forms import ImportForm


def _import_page(form: ImportForm, status: int = 200):
    context = pages.import_context(current_scope())
    return render("volunteers/import.html", block="form", status=status, form=form, **context)


@bp.route("/import", methods=["GET", "POST"])
@allow(Role.COLLECTOR)
def import_():
    form = ImportForm()
    if request.method == "GET":
        return _import_page(form)
    if form.validate_on_submit():
        upload = form.file.data
        try:
            path = store_upload(
                upload.stream, upload.filename, current_app.config.get("IMPORTS_MAX_BYTES", MAX_BYTES)
            )
        except UploadError as error:
            form.file.errors.append(str(error))
        else:
            job = intake.start_import(current_scope().user, upload.filename, path, str(get_locale()))
            db.session.commit()
            intake.send(job)
            return redirect_to(url_for("volunteers.import_status", job_id=job.id))
    db.session.rollback()
    return _import_page(form, 422)


def _import_job(job_id: int) -> Job:
    job = current_scope().require(Job, job_id)
    if job.kind not in intake.KINDS:
        abort(404)
    return job


def _status_page(job: Job, status: int = 200, notice: str | None = None):
    context = pages.import_status_context(job, ListForm.read(), notice)
    return render("volunteers/import.html", block="status", status=status, **context)


@bp.route("/import/<int:job_id>")
@allow(Role.COLLECTOR)
def import_status(job_id: int):
    return _status_page(_import_job(job_id))


@bp.route("/import/<int:job_id>/apply", methods=["POST"])
@allow(Role.COLLECTOR)
def import_apply(job_id: int):
    check = _import_job(job_id)
    job = intake.start_apply(current_scope().user, check, str(get_locale()))
    if job is None:
        db.session.rollback()
        message = _(
            "This file cannot be applied: it is not checked without problems, or it was applied already."
        )
        if is_partial():
            return _status_page(check, 422, notice=message)
        flash(message, "error")
        return redirect_to(url_for("volunteers.import_status", job_id=check.id))
    db.session.commit()
    intake.send(job)
    return redirect_to(url_for("volunteers.import_status", job_id=job.id))
