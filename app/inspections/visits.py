"""Inspection pages (visits): the inspector records a booth's visit on the phone (the checks, the
counts beside the figures reported that day, the samples, the conditions, photos and action items),
sees the findings and goes on to the next stop; skips a stop with its reason; finishes the day. The
report of the inspection, for the screen and for an A4 print, and the visits' photos."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import Response, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from app import idempotency, photos, uploads
from app.access import allow, may
from app.campaign.clock import campaign_day_of, campaign_today
from app.campaign.services import current_campaign
from app.errors import render_error
from app.extensions import db
from app.figures.rules import elector_tolerance
from app.formatting import day as format_day
from app.formatting import number
from app.htmx import is_partial, redirect_to, render
from app.inputs import parse_iso_day
from app.inspections import bp, rules, services
from app.inspections.figures import MAX_DAYS
from app.inspections.models import (
    ActionItem,
    Inspection,
    InspectionStatus,
    Mapping,
    Network,
    Stop,
    StopPhoto,
    StopStatus,
)
from app.inspections.planning import PLANNERS, VIEWERS, _coordinate, _whole
from app.models import Constituency, District, Part, User
from app.refusals import NotAllowed, VersionConflict
from app.scope import Scope, current_scope
from app.timeutil import utcnow

YES_NO = ("blo_present", "id_card_shown", "forms_in_stock", "help_desk", "blas_present")
CHECK_LABELS = {
    "blo_present": _l("Is the BLO present?"),
    "id_card_shown": _l("Did the BLO show the ID card?"),
    "forms_in_stock": _l("Are there blank forms in stock?"),
    "help_desk": _l("Is there a help desk?"),
    "blas_present": _l("Are the parties' BLAs present?"),
    "network": _l("Mobile network"),
    "mapping": _l("Mapping to the old roll"),
}
NETWORK_LABELS = {
    Network.GOOD: _l("Good"),
    Network.WEAK: _l("Weak"),
    Network.NONE: _l("No network"),
}
MAPPING_LABELS = {
    Mapping.NOT_STARTED: _l("Not started"),
    Mapping.UNDER_WAY: _l("Under way"),
    Mapping.MOSTLY_DONE: _l("Mostly done"),
    Mapping.DONE: _l("Done"),
}
SAMPLE_FIELDS = ("households_sampled", "households_confirmed", "asd_sampled", "asd_confirmed")
# A visit opened longer ago than this is not its arrival time any more (the page sat in a pocket).
ARRIVAL_WITHIN = timedelta(hours=14)
_DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")


def _choice_label(table: dict):
    by_value = {key.value: text for key, text in table.items()}

    def label(value) -> str:
        return str(by_value.get(getattr(value, "value", value), value or "—"))

    return label


bp.add_app_template_filter(_choice_label(NETWORK_LABELS), "network_label")
bp.add_app_template_filter(_choice_label(MAPPING_LABELS), "mapping_label")


@bp.app_template_filter("yes_no")
def yes_no(value: bool | None) -> str:
    if value is None:
        return "—"
    return _("Yes") if value else _("No")


# -- reading the form ------------------------------------------------------------------------------


def _count(text: str | None, high: int) -> tuple[int | None, str | None]:
    """A count typed on a phone: digits (Devanagari too), lakh commas and spaces allowed."""
    raw = (text or "").strip()
    clean = raw.translate(_DEVANAGARI_DIGITS).replace(",", "").replace(" ", "")
    if not clean:
        return None, None
    if not (clean.isascii() and clean.isdigit()):
        return None, _("“%(value)s” is not a whole number: type the count in digits.", value=raw[:20])
    if len(clean) > 9 or int(clean) > high:
        return None, _("Enter a whole number from 0 to %(high)s.", high=number(high))
    return int(clean), None


def _metres(text: str | None) -> float | None:
    """The phone's accuracy in metres (indoors it may say several hundred); nonsense is dropped."""
    try:
        value = float((text or "").strip()[:20])
    except ValueError:
        return None
    return value if 0 <= value <= 100_000 else None  # NaN fails both comparisons


def _yes_no(text: str | None) -> tuple[bool | None, str | None]:
    if not text:
        return None, None
    if text in ("yes", "no"):
        return text == "yes", None
    return None, _("Choose yes or no.")


@dataclass
class VisitForm:
    """What the visit form sent: the service's input, the values to show again, the messages."""

    data: services.VisitInput
    sent: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    action_rows: list[int] = field(default_factory=list)  # the form's row number of each action sent
    arrived_at: datetime | None = None
    photo_count: int = 0
    photo_refused: str | None = None  # a PhotoError's code: too_large answers 413, the others 422

    @classmethod
    def read(cls, values, files, part: Part, now: datetime) -> VisitForm:
        errors: dict[str, str] = {}
        sent = {name: (values.get(name) or "")[:40] for name in values if name != "csrf_token"}
        for n in range(1, services.MAX_ACTIONS + 2):  # the texts come back whole, the numbers cut short
            sent[f"action_{n}_what"] = (values.get(f"action_{n}_what") or "")[: services.ACTION_MAX + 1]
        sent["notes"] = (values.get("notes") or "")[: services.NOTE_MAX + 1]
        high = part.electors + elector_tolerance(part.electors) if part.electors else rules.MAX_FIGURE
        verified = {}
        for name in rules.FIGURES:
            verified[name], problem = _count(values.get(name), high)
            if problem:
                errors[name] = problem
        samples = {}
        for name in SAMPLE_FIELDS:
            samples[name], problem = _count(values.get(name), rules.MAX_SAMPLE)
            if problem:
                errors[name] = problem
        checks = {}
        for name in YES_NO:
            checks[name], problem = _yes_no(values.get(name))
            if problem:
                errors[name] = problem
        lat, lon = _coordinate(values.get("latitude")), _coordinate(values.get("longitude"))
        if lat is None or lon is None or abs(lat) > 90:
            lat = lon = None  # the phone gave nothing usable: the visit goes without its position
        accuracy = _metres(values.get("accuracy_m")) if lat is not None else None
        actions, rows = [], []
        for n in range(1, services.MAX_ACTIONS + 2):  # one past the limit: the service says "at most"
            what = (values.get(f"action_{n}_what") or "").strip()
            owner, due = values.get(f"action_{n}_owner") or "", values.get(f"action_{n}_due") or ""
            if not (what or owner or due):
                continue
            try:
                due_on = parse_iso_day(due) if due else None
            except ValueError:
                due_on = None
            actions.append(services.ActionInput(what, _whole(owner, 1), due_on))
            rows.append(n)
        sent_files = [f for f in files.getlist("photos") if f and f.filename]
        kept, photo_refused = [], None
        if len(sent_files) > services.MAX_PHOTOS:
            errors["photos"] = _("At most %(count)s photos.", count=services.MAX_PHOTOS)
        else:
            for n, upload in enumerate(sent_files, start=1):
                try:
                    kept.append(photos.process_photo(upload.stream.read(photos.MAX_UPLOAD_BYTES + 1)))
                except photos.PhotoError as error:
                    errors["photos"] = _(
                        "Photo %(number)s (%(name)s): %(message)s",
                        number=n,
                        name=upload.filename[:60],
                        message=uploads.photo_message(error),
                    )
                    photo_refused = error.code
                    break
        arrived_at = None
        try:
            opened = datetime.fromisoformat((values.get("opened_at") or "")[:32])
        except ValueError:
            opened = None
        if opened is not None and opened.tzinfo is None and now - ARRIVAL_WITHIN <= opened <= now:
            arrived_at = opened
        data = services.VisitInput(
            latitude=lat,
            longitude=lon,
            accuracy_m=accuracy,
            network=values.get("network") or None,
            mapping=values.get("mapping") or None,
            verified=verified,
            notes=values.get("notes") or "",
            photos=tuple(kept),
            actions=tuple(actions),
            **checks,
            **samples,
        )
        return cls(data, sent, errors, rows, arrived_at, len(sent_files), photo_refused)

    def add(self, errors: dict[str, str]) -> None:
        """The service's messages, its action numbers turned back into the form's rows; the
        form's own messages (a word in a number) stand before the service's."""
        for key, message in errors.items():
            if key.startswith("action_"):
                n, _sep, rest = key[len("action_") :].partition("_")
                if n.isdigit() and 0 < int(n) <= len(self.action_rows):
                    key = f"action_{self.action_rows[int(n) - 1]}_{rest}"
            self.errors.setdefault(key, str(message))
        if self.photo_count and "photos" not in self.errors:
            self.errors["photos"] = _("Choose the photos again: a form sent back does not keep them.")


# -- who may do what -------------------------------------------------------------------------------


def _stop_of(scope: Scope, inspection_id: int, stop_id: int) -> tuple[Inspection, Stop]:
    inspection = scope.require(Inspection, inspection_id)
    stop = next((s for s in inspection.stops if s.id == stop_id), None)
    if stop is None:
        abort(404)
    return inspection, stop


def _may_record(scope: Scope, inspection: Inspection) -> bool:
    """Only the inspector records, skips and finishes: what they saw is theirs to say."""
    return scope.user.role in PLANNERS and inspection.inspector_id == scope.user.id


def _open(inspection: Inspection) -> bool:
    return inspection.status in (InspectionStatus.PLANNED, InspectionStatus.UNDER_WAY)


# -- what the page shows ---------------------------------------------------------------------------


def _place_line(part: Part) -> tuple[int, str | None]:
    return db.session.execute(
        select(Constituency.number, User.name)
        .select_from(Part)
        .join(Constituency, Constituency.id == Part.constituency_id)
        .outerjoin(User, User.id == Part.blo_id)
        .where(Part.id == part.id)
    ).one()


def _visit_context(
    scope: Scope,
    inspection: Inspection,
    stop: Stop,
    form: VisitForm | None = None,
    message: str | None = None,
    level: str = "error",
    skip_errors: dict | None = None,
    skip_reason: str = "",
) -> dict:
    """What templates/inspections/visit.html shows: the form (a pending stop, to its inspector) or
    the visit as recorded, with the next stop."""
    part = stop.part
    ac_number, blo_name = _place_line(part)
    today = campaign_today()
    closed = services.recording_closed(inspection, today)
    recording = _may_record(scope, inspection) and closed is None and stop.status == StopStatus.PENDING
    report = services.reported_as_of(part.id, inspection.day) if stop.status == StopStatus.PENDING else None
    listed = services.checklist(current_campaign().id if current_campaign() else None)
    asked = list(listed.items) if listed else list(rules.CHECKS)
    actions = list(
        db.session.scalars(select(ActionItem).where(ActionItem.stop_id == stop.id).order_by(ActionItem.id))
    )
    photo_ids = list(
        db.session.scalars(select(StopPhoto.id).where(StopPhoto.stop_id == stop.id).order_by(StopPhoto.id))
    )
    following = services.next_stop(inspection)
    now = utcnow()
    return {
        "inspection": inspection,
        "stop": stop,
        "part": part,
        "ac_number": ac_number,
        "blo_name": blo_name,
        "recording": recording,
        "inspector_here": _may_record(scope, inspection),
        "open": _open(inspection),
        # before the inspection's day: nothing can be recorded yet, from that day on it can
        "visits_from": inspection.day if closed == rules.Closed.NOT_YET else None,
        "report": report,
        "reported": report.figures() if report else {},
        "figures": rules.FIGURES,
        "figure_labels": services.FIGURE_LABELS,
        "asked": asked,
        "yes_no": [name for name in YES_NO if name in asked],
        "check_labels": CHECK_LABELS,
        "networks": NETWORK_LABELS,
        "mappings": MAPPING_LABELS,
        "owners": services.action_owners(part) if recording else [],
        "max_actions": services.MAX_ACTIONS,
        "max_photos": services.MAX_PHOTOS,
        "today": today,
        "last_due": today + timedelta(days=services.MAX_ACTION_DAYS),
        "opened_at": now.isoformat(timespec="seconds"),
        "arrival": stop.arrived_at or (form.arrived_at if form else None) or now,
        "sent": form.sent if form else {},
        "errors": form.errors if form else {},
        "message": message,
        "message_level": level,
        "skip_errors": skip_errors or {},
        "skip_reason": skip_reason,
        "actions": actions,
        "photo_ids": photo_ids,
        "next_stop": following,
        "settings": services.settings_for(inspection.district_id),
    }


def _answer(scope, inspection, stop, status: int = 200, **extra) -> Response:
    if status >= 400 and extra.get("message"):
        idempotency.refusal(extra["message"])  # the X-Refusal line a phone's queue shows
    return render(
        "inspections/visit.html",
        block="visit",
        status=status,
        **_visit_context(scope, inspection, stop, **extra),
    )


def _refused_again(scope: Scope, inspection_id: int, stop_id: int) -> Response:
    """A second tap, a second tab or a stale page: the stop as it is now, and why nothing was saved."""
    db.session.rollback()
    db.session.expire_all()
    inspection, stop = _stop_of(scope, inspection_id, stop_id)
    if stop.status == StopStatus.VISITED:
        message = _("This visit was already recorded (a second tap?). Nothing was saved again.")
    elif stop.status == StopStatus.SKIPPED:
        message = _("This stop was already skipped. Nothing was saved.")
    elif (closed := services.recording_closed(inspection, campaign_today())) is not None:
        message = services.closed_message(inspection, closed)
    else:
        message = _("This stop changed a moment ago; here it is as it is now. Nothing was saved.")
    return _answer(scope, inspection, stop, 409, message=message)


# -- the visit ---------------------------------------------------------------------------------------


@bp.route("/<int:inspection_id>/stops/<int:stop_id>", methods=["GET", "POST"])
@allow(VIEWERS)
def visit(inspection_id: int, stop_id: int):
    """The inspector's form at the booth (360 px first); anyone else in scope reads the visit."""
    scope = current_scope()
    inspection, stop = _stop_of(scope, inspection_id, stop_id)
    if request.method == "GET":
        return _answer(scope, inspection, stop)
    if not _may_record(scope, inspection):
        abort(403)
    version = _whole(request.form.get("version"), 1)
    if version is None:
        return _answer(
            scope,
            inspection,
            stop,
            422,
            message=_("This page has lost track of the visit's version: reload it. Nothing was saved."),
        )
    today = campaign_today()
    if (
        version != stop.version
        or stop.status != StopStatus.PENDING
        or services.recording_closed(inspection, today) is not None
    ):
        return _refused_again(scope, inspection_id, stop_id)  # before the photos are even read
    now = utcnow()
    form = VisitForm.read(request.form, request.files, stop.part, now)
    if form.errors:
        form.add(services.validate_visit(form.data, stop.part, today))
        answer = _answer(
            scope,
            inspection,
            stop,
            413 if form.photo_refused == "too_large" else 422,
            form=form,
            message=_("Nothing was saved: see the messages below."),
        )
        if "photos" in form.errors:
            return uploads.refused(answer, form.errors["photos"])
        return answer
    campaign = current_campaign()
    try:
        services.record_visit(
            scope.user,
            stop,
            form.data,
            services.settings_for(inspection.district_id),
            campaign.id if campaign else None,
            version,
            today,
            now,
        )
        if form.arrived_at is not None and campaign_day_of(form.arrived_at) >= inspection.day:
            stop.arrived_at = form.arrived_at  # the page opened on arrival; saved once the counting is done
        db.session.commit()
    except services.InspectionError as refused:
        db.session.rollback()
        form.add(refused.errors)
        inspection, stop = _stop_of(scope, inspection_id, stop_id)
        return _answer(
            scope, inspection, stop, 422, form=form, message=_("Nothing was saved: see the messages below.")
        )
    except (VersionConflict, NotAllowed, StaleDataError, IntegrityError):
        # a second tap that raced the first one: its stop (or first checklist) was saved meanwhile
        return _refused_again(scope, inspection_id, stop_id)
    message = _("The visit is recorded.")
    if not is_partial():
        flash(message, "success")
        return redirect_to(url_for("inspections.visit", inspection_id=inspection_id, stop_id=stop_id))
    return _answer(scope, inspection, stop, message=message, level="success")


@bp.route("/<int:inspection_id>/stops/<int:stop_id>/skip", methods=["POST"])
@allow(PLANNERS)
def skip(inspection_id: int, stop_id: int):
    """Pass a stop by with the reason (the road is shut, the BLO is at a training)."""
    scope = current_scope()
    inspection, stop = _stop_of(scope, inspection_id, stop_id)
    if not _may_record(scope, inspection):
        abort(403)
    reason = (request.form.get("skip_reason") or "")[: services.SKIP_REASON_MAX + 1]
    version = _whole(request.form.get("version"), 1)
    if version is None:
        return _answer(
            scope,
            inspection,
            stop,
            422,
            message=_("This page has lost track of the visit's version: reload it. Nothing was saved."),
        )
    try:
        services.skip(scope.user, stop, reason, version, campaign_today())
        db.session.commit()
    except services.InspectionError as refused:
        db.session.rollback()
        inspection, stop = _stop_of(scope, inspection_id, stop_id)
        return _answer(
            scope,
            inspection,
            stop,
            422,
            message=_("Nothing was saved: see the messages below."),
            skip_errors=refused.errors,
            skip_reason=reason,
        )
    except (VersionConflict, NotAllowed, StaleDataError):
        return _refused_again(scope, inspection_id, stop_id)
    message = _("The stop is skipped.")
    if not is_partial():
        flash(message, "success")
        return redirect_to(url_for("inspections.visit", inspection_id=inspection_id, stop_id=stop_id))
    return _answer(scope, inspection, stop, message=message, level="success")


@bp.route("/<int:inspection_id>/finish", methods=["POST"])
@allow(PLANNERS)
def finish(inspection_id: int):
    """The inspector ends the day; stops not reached stay in the report as not visited."""
    scope = current_scope()
    inspection = scope.require(Inspection, inspection_id)
    if not _may_record(scope, inspection):
        abort(403)
    version = _whole(request.form.get("version"), 1)
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
    return render("inspections/report.html", status=status, **_report_context(scope, inspection, message))


@bp.route("/<int:inspection_id>/stops/<int:stop_id>/photos/<int:photo_id>")
@allow(VIEWERS)
def photo(inspection_id: int, stop_id: int, photo_id: int):
    """A visit's photo (re-encoded JPEG, no EXIF), to those who may read the inspection."""
    scope = current_scope()
    _inspection, stop = _stop_of(scope, inspection_id, stop_id)
    found = db.session.scalar(select(StopPhoto).where(StopPhoto.id == photo_id, StopPhoto.stop_id == stop.id))
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
    if request.endpoint != "inspections.visit" or not (
        current_user.is_authenticated and may(current_user.role, "inspections.visit")
    ):
        return uploads.refused(render_error(413, message), message)
    typed = uploads.typed_fields()
    try:
        scope = current_scope()
        inspection, stop = _stop_of(scope, request.view_args["inspection_id"], request.view_args["stop_id"])
    except HTTPException as refused:  # an inspection not in the user's scope: that is the answer
        return render_error(refused.code or 400)
    recording = services.recording_closed(inspection, campaign_today()) is None
    if not (_may_record(scope, inspection) and recording and stop.status == StopStatus.PENDING):
        return uploads.refused(render_error(413, message), message)
    form = VisitForm.read(typed or MultiDict(), MultiDict(), stop.part, utcnow())
    form.errors["photos"] = message
    answer = _answer(
        scope, inspection, stop, 413, form=form, message=_("Nothing was saved: see the messages below.")
    )
    return uploads.refused(answer, message)


# -- the report ------------------------------------------------------------------------------------


def _report_context(scope: Scope, inspection: Inspection, message: str | None = None) -> dict:
    """Every stop in order with what was found; a handful of queries whatever the number of stops."""
    stops = list(inspection.stops)
    stop_ids = [s.id for s in stops] or [0]
    lines = {
        part_id: (ac_number, blo)
        for part_id, ac_number, blo in db.session.execute(
            select(Part.id, Constituency.number, User.name)
            .join(Constituency, Constituency.id == Part.constituency_id)
            .outerjoin(User, User.id == Part.blo_id)
            .where(Part.id.in_([s.part_id for s in stops] or [0]))
        )
    }
    actions: dict[int, list[ActionItem]] = {}
    for item in db.session.scalars(
        select(ActionItem).where(ActionItem.stop_id.in_(stop_ids)).order_by(ActionItem.id)
    ):
        actions.setdefault(item.stop_id, []).append(item)
    photo_ids: dict[int, list[int]] = {}
    for photo_id, stop_id in db.session.execute(
        select(StopPhoto.id, StopPhoto.stop_id).where(StopPhoto.stop_id.in_(stop_ids)).order_by(StopPhoto.id)
    ):
        photo_ids.setdefault(stop_id, []).append(photo_id)
    today = campaign_today()
    days = (today - inspection.day).days + 1
    export_args = {"days": days} if 1 <= days <= MAX_DAYS else None
    if export_args is not None and scope.sees_whole_state:
        export_args["district_id"] = inspection.district_id
    counts = {status.value: sum(1 for s in stops if s.status == status) for status in StopStatus}
    return {
        "inspection": inspection,
        "district": db.session.get(District, inspection.district_id),
        "stops": stops,
        "lines": lines,
        "actions": actions,
        "photo_ids": photo_ids,
        "counts": counts,
        "figures": rules.FIGURES,
        "figure_labels": services.FIGURE_LABELS,
        "check_labels": CHECK_LABELS,
        "yes_no": YES_NO,
        "flagged": sum(1 for s in stops if s.findings),
        "export_args": export_args,
        "finishable": _may_record(scope, inspection) and services.recording_closed(inspection, today) is None,
        "visits_from": inspection.day if today < inspection.day and _open(inspection) else None,
        "message": message,
    }


@bp.route("/<int:inspection_id>/report")
@allow(VIEWERS)
def report(inspection_id: int):
    """The inspection's report: each stop's findings, counts beside the reported figures, checks,
    photos and follow-ups; skipped stops with their reasons. Prints on A4."""
    scope = current_scope()
    inspection = scope.require(Inspection, inspection_id)
    return render("inspections/report.html", **_report_context(scope, inspection))
