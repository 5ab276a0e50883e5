"""Inspection pages (visits): the inspector records a booth's visit on the phone (the checks, the
counts beside the figures reported that day, the samples, the conditions, photos and action items),
sees the findings and goes on to the next stop; skips a stop with its reason; finishes the day. The
report of the inspection, for the screen and for an A4 print, and the visits' photos. The forms are
read by forms.py, what the pages show is built by pages_visits.py."""

from __future__ import annotations

from flask import Response, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from app import idempotency, uploads
from app.access import allow
from app.campaign.clock import campaign_day_of, campaign_today
from app.campaign.services import current_campaign
from app.errors import render_error
from app.extensions import db
from app.formatting import day as format_day
from app.formatting import number
from app.htmx import is_partial, redirect_to, render
from app.inspections import bp, rules, services
from app.inspections.forms import SkipForm, VersionForm, VisitForm
from app.inspections.models import Inspection, StopStatus
from app.inspections.pages_visits import report_context, visit_context, visit_photo
from app.inspections.permissions import PLANNERS, VIEWERS, may_record, stop_of
from app.refusals import NotAllowed, VersionConflict
from app.scope import Scope, current_scope
from app.timeutil import utcnow

NOTHING_SAVED = _l("Nothing was saved: see the messages below.")
LOST_VERSION = _l("This page has lost track of the visit's version: reload it. Nothing was saved.")


def _answer(scope, inspection, stop, status: int = 200, **extra) -> Response:
    """The visit page (its htmx block) with a message; a refusal's message also as X-Refusal."""
    if status >= 400 and extra.get("message"):
        idempotency.refusal(extra["message"])  # the X-Refusal line a phone's queue shows
    return render(
        "inspections/visit.html",
        block="visit",
        status=status,
        **visit_context(scope, inspection, stop, **extra),
    )


def _refused_again(scope: Scope, inspection_id: int, stop_id: int) -> Response:
    """A second tap, a second tab or a stale page: the stop as it is now, and why nothing was saved."""
    db.session.rollback()
    db.session.expire_all()
    inspection, stop = stop_of(scope, inspection_id, stop_id)
    if stop.status == StopStatus.VISITED:
        message = _("This visit was already recorded (a second tap?). Nothing was saved again.")
    elif stop.status == StopStatus.SKIPPED:
        message = _("This stop was already skipped. Nothing was saved.")
    elif (closed := services.recording_closed(inspection, campaign_today())) is not None:
        message = services.closed_message(inspection, closed)
    else:
        message = _("This stop changed a moment ago; here it is as it is now. Nothing was saved.")
    return _answer(scope, inspection, stop, 409, message=message)


def _saved(scope, inspection, stop, message: str):
    """A write on the stop done: the visit page with the message (in place for htmx, else by redirect)."""
    if not is_partial():
        flash(message, "success")
        return redirect_to(url_for("inspections.visit", inspection_id=inspection.id, stop_id=stop.id))
    return _answer(scope, inspection, stop, message=message, level="success")


# -- the visit ---------------------------------------------------------------------------------------


@bp.route("/<int:inspection_id>/stops/<int:stop_id>", methods=["GET", "POST"])
@allow(VIEWERS)
def visit(inspection_id: int, stop_id: int):
    """The inspector's form at the booth (360 px first); anyone else in scope reads the visit."""
    scope = current_scope()
    inspection, stop = stop_of(scope, inspection_id, stop_id)
    if request.method == "GET":
        return _answer(scope, inspection, stop)
    if not may_record(scope, inspection):
        abort(403)
    form = VisitForm(part=stop.part)
    version = form.sent_version
    if version is None:
        return _answer(scope, inspection, stop, 422, message=LOST_VERSION)
    today = campaign_today()
    if (
        version != stop.version
        or stop.status != StopStatus.PENDING
        or services.recording_closed(inspection, today) is not None
    ):
        return _refused_again(scope, inspection_id, stop_id)  # before the photos are even read
    now = utcnow()
    sent = form.read(now)
    if sent.errors:
        sent.add(services.validate_visit(sent.data, stop.part, today))
        status = 413 if sent.photo_refused == "too_large" else 422
        answer = _answer(scope, inspection, stop, status, form=sent, message=NOTHING_SAVED)
        if "photos" in sent.errors:
            return uploads.refused(answer, sent.errors["photos"])
        return answer
    campaign = current_campaign()
    try:
        services.record_visit(
            scope.user,
            stop,
            sent.data,
            services.settings_for(inspection.district_id),
            campaign.id if campaign else None,
            version,
            today,
            now,
        )
        if sent.arrived_at is not None and campaign_day_of(sent.arrived_at) >= inspection.day:
            stop.arrived_at = sent.arrived_at  # the page opened on arrival; saved once the counting is done
        db.session.commit()
    except services.InspectionError as refused:
        db.session.rollback()
        sent.add(refused.errors)
        inspection, stop = stop_of(scope, inspection_id, stop_id)
        return _answer(scope, inspection, stop, 422, form=sent, message=NOTHING_SAVED)
    except (VersionConflict, NotAllowed, StaleDataError, IntegrityError):
        # a second tap that raced the first one: its stop (or first checklist) was saved meanwhile
        return _refused_again(scope, inspection_id, stop_id)
    return _saved(scope, inspection, stop, _("The visit is recorded."))


@bp.route("/<int:inspection_id>/stops/<int:stop_id>/skip", methods=["POST"])
@allow(PLANNERS)
def skip(inspection_id: int, stop_id: int):
    """Pass a stop by with the reason (the road is shut, the BLO is at a training)."""
    scope = current_scope()
    inspection, stop = stop_of(scope, inspection_id, stop_id)
    if not may_record(scope, inspection):
        abort(403)
    form = SkipForm()
    reason, version = form.reason, form.sent_version
    if version is None:
        return _answer(scope, inspection, stop, 422, message=LOST_VERSION)
    try:
        services.skip(scope.user, stop, reason, version, campaign_today())
        db.session.commit()
    except services.InspectionError as refused:
        db.session.rollback()
        inspection, stop = stop_of(scope, inspection_id, stop_id)
        return _answer(
            scope,
            inspection,
            stop,
            422,
            message=NOTHING_SAVED,
            skip_errors=refused.errors,
            skip_reason=reason,
        )
    except (VersionConflict, NotAllowed, StaleDataError):
        return _refused_again(scope, inspection_id, stop_id)
    return _saved(scope, inspection, stop, _("The stop is skipped."))


@bp.route("/<int:inspection_id>/finish", methods=["POST"])
@allow(PLANNERS)
def finish(inspection_id: int):
    """The inspector ends the day; stops not reached stay in the report as not visited."""
    scope = current_scope()
    inspection = scope.require(Inspection, inspection_id)
    if not may_record(scope, inspection):
        abort(403)
    version = VersionForm().sent_version
    status, message = 200, None
    if version is None:
        status = 422
        message = _("This page has lost track of the inspection's version: reload it. Nothing was saved.")
    else:
        try:
            services.finish(scope.user, inspection, version)
            db.session.commit()
        except VersionConflict:
            status = 409
            message = _(
                "Someone changed this inspection a moment ago; here it is as it is now. Nothing was saved."
            )
        except NotAllowed as refused:
            status = 409
            if getattr(refused, "reason", None) == rules.Closed.NOT_YET:
                message = _(
                    "This inspection is on %(day)s: it can be finished from that day, not before. "
                    "Nothing was saved.",
                    day=format_day(inspection.day),
                )
            else:
                message = _("This inspection is already finished or cancelled. Nothing was saved.")
    if status == 200:
        flash(_("The inspection is finished. Here is its report."), "success")
        return redirect_to(url_for("inspections.report", inspection_id=inspection_id))
    db.session.rollback()
    db.session.expire_all()
    idempotency.refusal(message)
    inspection = scope.require(Inspection, inspection_id)
    return render("inspections/report.html", status=status, **report_context(scope, inspection, message))


@bp.route("/<int:inspection_id>/stops/<int:stop_id>/photos/<int:photo_id>")
@allow(VIEWERS)
def photo(inspection_id: int, stop_id: int, photo_id: int):
    """A visit's photo (re-encoded JPEG, no EXIF), to those who may read the inspection."""
    scope = current_scope()
    _inspection, stop = stop_of(scope, inspection_id, stop_id)
    found = visit_photo(stop, photo_id)
    if found is None:
        abort(404)
    response = Response(found.data, content_type=found.content_type)
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error):
    """Photos past the server's own limit are refused before the CSRF check or the view read the
    body: the visit form comes back as typed (app/uploads.py reads its text fields and drops the
    files), with the reason beside the photos and in X-Refusal, not the bare 413 page."""
    limit = (request.max_content_length or 0) // (1024 * 1024)
    message = _(
        "The photos are larger than %(size)s MB together. Send fewer or smaller photos.", size=number(limit)
    )
    if not uploads.shows_form_again("inspections.visit"):
        return uploads.refused_page(message)
    typed_fields = uploads.typed_fields()
    try:
        scope = current_scope()
        inspection, stop = stop_of(scope, request.view_args["inspection_id"], request.view_args["stop_id"])
    except HTTPException as refused:  # an inspection not in the user's scope: that is the answer
        return render_error(refused.code or 400)
    recording = services.recording_closed(inspection, campaign_today()) is None
    if not (may_record(scope, inspection) and recording and stop.status == StopStatus.PENDING):
        return uploads.refused_page(message)
    sent = VisitForm(formdata=typed_fields or MultiDict(), part=stop.part).read(utcnow())
    sent.errors["photos"] = message
    answer = _answer(scope, inspection, stop, 413, form=sent, message=NOTHING_SAVED)
    return uploads.refused(answer, message)


# -- the report ------------------------------------------------------------------------------------


@bp.route("/<int:inspection_id>/report")
@allow(VIEWERS)
def report(inspection_id: int):
    """The inspection's report: each stop's findings, counts beside the reported figures, checks,
    photos and follow-ups; skipped stops with their reasons. Prints on A4."""
    scope = current_scope()
    inspection = scope.require(Inspection, inspection_id)
    return render("inspections/report.html", **report_context(scope, inspection))
