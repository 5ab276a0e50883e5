"""Downloads: every progress table as CSV or XLSX, and the Commission's daily bulletin."""

from __future__ import annotations

from decimal import Decimal

from flask import Response, abort, request
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
from app.inputs import int_arg
from app.models import Role
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
            condition = part_condition(scope, district, constituency, whole_state_allowed=False)
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
