"""Downloads: every progress table as CSV or XLSX, and the Commission's daily bulletin."""

from __future__ import annotations

from pathlib import Path

from flask import Response, abort, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from app.access import allow, allow_each
from app.campaign.clock import campaign_today
from app.campaign.services import current_campaign
from app.errors import render_error
from app.exports import bp
from app.exports.forms import ExportJobForm
from app.exports.registry import BULLETIN, FORMATS, QUEUED, TABLES, Selection
from app.exports.services import Export, ExportError, parse_day
from app.exports.tasks import start_export
from app.htmx import redirect_to, render
from app.lists import ListForm
from app.models import Job, JobStatus, Role
from app.progress.services import target_of
from app.scope import current_scope
from app.spreadsheets import CONTENT_TYPES, MIMETYPES, write


def _download(export: Export, fmt: str) -> Response:
    response = Response(write(export, fmt), content_type=CONTENT_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{export.filename(fmt)}"'
    response.headers["Cache-Control"] = "private, no-store"  # BLOs' mobile numbers
    return response


@bp.route(f"/<any({', '.join(TABLES)}):table>.<any({', '.join(FORMATS)}):fmt>")
@allow_each("table", {name: entry.roles for name, entry in TABLES.items()})
def table(table: str, fmt: str):
    entry = TABLES[table]
    scope = current_scope()
    form = ListForm.read(today=campaign_today(), campaign=current_campaign(), scope=scope)
    day, district, constituency = form.day, form.district, form.constituency
    if entry.queued and district is None and constituency is None and scope.sees_whole_state:
        return render("exports/prepare.html", table=table, fmt=fmt, day=day)
    try:
        export = entry.build(
            Selection(scope, day, target_of(current_campaign()), district, constituency, request.args)
        )
    except ExportError as error:
        return render_error(400, str(error))
    return _download(export, fmt)


@bp.route(f"/bulletin.<any({', '.join(FORMATS)}):fmt>")
@allow(BULLETIN.roles)
def bulletin(fmt: str):
    day = ListForm.read(today=campaign_today(), campaign=current_campaign()).day
    return _download(BULLETIN.build(Selection(current_scope(), day, target_of(current_campaign()))), fmt)


# -- the whole state's part-level tables, built on the queue ----------------------------------


@bp.route("/jobs", methods=["POST"])
@allow(Role.STATE)
def start():
    form = ExportJobForm()
    table, fmt = form.table.data, form.fmt.data
    if table not in QUEUED or fmt not in FORMATS:
        return render_error(422, _("Choose a table (parts or calls) and a format (csv or xlsx)."))
    try:
        day = parse_day(form.date.data, campaign_today())
    except ExportError as error:
        return render_error(422, str(error))
    job = start_export(current_scope().user, table, fmt, day, str(get_locale()))
    return redirect_to(url_for("exports.job", job_id=job.id))


def _export_job(job_id: int):
    job = current_scope().require(Job, job_id)
    if job.kind != "export":
        abort(404)
    return job


@bp.route("/jobs/<int:job_id>")
@allow(Role.STATE)
def job(job_id: int):
    """The export's progress, polled while it runs, then its download link."""
    return render("exports/job.html", block="job", job=_export_job(job_id))


@bp.route("/jobs/<int:job_id>/file")
@allow(Role.STATE)
def download(job_id: int):
    job = _export_job(job_id)
    if job.status != JobStatus.DONE or not Path(job.result["path"]).is_file():
        abort(404)
    fmt = job.params["fmt"]
    response = send_file(
        job.result["path"],
        mimetype=MIMETYPES[fmt],
        as_attachment=True,
        download_name=job.result["filename"],
    )
    response.headers["Cache-Control"] = "private, no-store"  # BLOs' mobile numbers
    return response
