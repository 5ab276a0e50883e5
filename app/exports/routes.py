"""Downloads: every progress table as CSV or XLSX, and the Commission's daily bulletin."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from flask import Response, abort, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.access import OFFICERS, allow
from app.campaign.services import current_campaign
from app.errors import render_error
from app.exports import bp
from app.exports.services import (
    CONTENT_TYPES,
    Export,
    ExportError,
    bulletin_export,
    calls_export,
    constituencies_export,
    districts_export,
    missing_export,
    narrowed_name,
    parse_day,
    part_condition,
    parts_export,
    write,
)
from app.exports.tasks import BUILDERS, start_export
from app.htmx import redirect_to, render
from app.inputs import int_arg
from app.models import Job, JobStatus, Role
from app.scope import current_scope
from app.timeutil import campaign_today

# Who may download which table; the scope then decides which rows they get.
TABLE_ROLES = {
    "districts": {Role.STATE, Role.COLLECTOR},
    "constituencies": {Role.STATE, Role.COLLECTOR, Role.ERO},
    "parts": OFFICERS,
    "missing": OFFICERS,
    "calls": OFFICERS,
}


def _target() -> Decimal:
    campaign = current_campaign()
    return Decimal(campaign.daily_target_percent) if campaign else Decimal(10)


def _download(export: Export, fmt: str) -> Response:
    response = Response(write(export, fmt), content_type=CONTENT_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{export.filename(fmt)}"'
    response.headers["Cache-Control"] = "private, no-store"  # BLOs' mobile numbers
    return response


@bp.route("/<any(districts, constituencies, parts, missing, calls):table>.<any(csv, xlsx):fmt>")
@allow(OFFICERS)
def table(table: str, fmt: str):
    if current_user.role not in TABLE_ROLES[table]:
        abort(403)
    scope = current_scope()
    try:
        day = parse_day(request.args.get("date"), campaign_today())
        district_id = int_arg("district_id")
        constituency_id = int_arg("constituency_id")
    except ExportError as error:
        return render_error(400, str(error))
    district = scope.require_district(district_id) if district_id is not None else None
    constituency = scope.require_constituency(constituency_id) if constituency_id is not None else None
    if table in BUILDERS and district is None and constituency is None and scope.sees_whole_state:
        return render("exports/prepare.html", table=table, fmt=fmt, day=day)
    target = _target()
    try:
        if table == "districts":
            export = districts_export(scope, day, target)
        elif table == "constituencies":
            if district is None:
                raise ExportError(_("Choose a district: add district_id to the address."))
            export = constituencies_export(scope, district, day, target)
        elif table == "missing":
            condition = part_condition(scope, district, constituency)
            export = missing_export(narrowed_name(table, district, constituency), condition, day)
        else:
            condition = part_condition(scope, district, constituency)
            name = narrowed_name(table, district, constituency)
            builder = parts_export if table == "parts" else calls_export
            export = builder(name, condition, day, target)
    except ExportError as error:
        return render_error(400, str(error))
    return _download(export, fmt)


@bp.route("/bulletin.<any(csv, xlsx):fmt>")
@allow(Role.STATE, Role.COLLECTOR)
def bulletin(fmt: str):
    scope = current_scope()
    try:
        day = parse_day(request.args.get("date"), campaign_today())
    except ExportError as error:
        return render_error(400, str(error))
    return _download(bulletin_export(scope, day, _target()), fmt)


# -- the whole state's part-level tables, built on the queue ----------------------------------


@bp.route("/jobs", methods=["POST"])
@allow(Role.STATE)
def start():
    table, fmt = request.form.get("table"), request.form.get("fmt")
    if table not in BUILDERS or fmt not in CONTENT_TYPES:
        return render_error(422, _("Choose a table (parts or calls) and a format (csv or xlsx)."))
    try:
        day = parse_day(request.form.get("date"), campaign_today())
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
        mimetype=CONTENT_TYPES[fmt],
        as_attachment=True,
        download_name=job.result["filename"],
    )
    response.headers["Cache-Control"] = "private, no-store"  # BLOs' mobile numbers
    return response
