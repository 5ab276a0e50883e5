"""What the visit pages show (the read side; no request): a stop's visit form or the visit as
recorded, with the next stop; the inspection's report with every stop's findings, action items and
photos; a visit's photo."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.campaign.clock import campaign_today
from app.campaign.services import current_campaign
from app.extensions import db
from app.inspections import rules, services
from app.inspections.figures import MAX_DAYS
from app.inspections.labels import CHECK_LABELS, FIGURE_LABELS, MAPPING_LABELS, NETWORK_LABELS, YES_NO
from app.inspections.models import ActionItem, Inspection, Stop, StopPhoto, StopStatus
from app.inspections.permissions import is_open, may_record
from app.models import District
from app.scope import Scope
from app.timeutil import utcnow


def _recorded(stop_ids: list[int]) -> tuple[dict[int, list[ActionItem]], dict[int, list[int]]]:
    """The action items and the photo ids of each stop: two queries whatever the number of stops."""
    actions: dict[int, list[ActionItem]] = {}
    for item in db.session.scalars(
        select(ActionItem).where(ActionItem.stop_id.in_(stop_ids or [0])).order_by(ActionItem.id)
    ):
        actions.setdefault(item.stop_id, []).append(item)
    photo_ids: dict[int, list[int]] = {}
    for photo_id, stop_id in db.session.execute(
        select(StopPhoto.id, StopPhoto.stop_id)
        .where(StopPhoto.stop_id.in_(stop_ids or [0]))
        .order_by(StopPhoto.id)
    ):
        photo_ids.setdefault(stop_id, []).append(photo_id)
    return actions, photo_ids


def _asked() -> list[str]:
    """The checks the campaign's checklist asks (every check before its first visit)."""
    campaign = current_campaign()
    listed = services.checklist(campaign.id if campaign else None)
    return list(listed.items) if listed else list(rules.CHECKS)


def visit_context(
    scope: Scope,
    inspection: Inspection,
    stop: Stop,
    form=None,
    message: str | None = None,
    level: str = "error",
    skip_errors: dict | None = None,
    skip_reason: str = "",
) -> dict:
    """What templates/inspections/visit.html shows: the form (a pending stop, to its inspector) or
    the visit as recorded, with the next stop. `form` is what a refused form sent (its `sent`,
    `errors` and `arrived_at`), shown again."""
    part = stop.part
    ac_number, blo_name = services.part_lines([part.id])[part.id]
    today = campaign_today()
    closed = services.recording_closed(inspection, today)
    recording = may_record(scope, inspection) and closed is None and stop.status == StopStatus.PENDING
    report = services.reported_as_of(part.id, inspection.day) if stop.status == StopStatus.PENDING else None
    asked = _asked()
    actions, photo_ids = _recorded([stop.id])
    now = utcnow()
    return {
        "inspection": inspection,
        "stop": stop,
        "part": part,
        "ac_number": ac_number,
        "blo_name": blo_name,
        "recording": recording,
        "inspector_here": may_record(scope, inspection),
        "open": is_open(inspection),
        # before the inspection's day: nothing can be recorded yet, from that day on it can
        "visits_from": inspection.day if closed == rules.Closed.NOT_YET else None,
        "report": report,
        "reported": report.figures() if report else {},
        "figures": rules.FIGURES,
        "figure_labels": FIGURE_LABELS,
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
        "actions": actions.get(stop.id, []),
        "photo_ids": photo_ids.get(stop.id, []),
        "next_stop": services.next_stop(inspection),
        "settings": services.settings_for(inspection.district_id),
    }


def report_context(scope: Scope, inspection: Inspection, message: str | None = None) -> dict:
    """Every stop in order with what was found; a handful of queries whatever the number of stops."""
    stops = list(inspection.stops)
    actions, photo_ids = _recorded([s.id for s in stops])
    today = campaign_today()
    days = (today - inspection.day).days + 1
    export_args = {"days": days} if 1 <= days <= MAX_DAYS else None
    if export_args is not None and scope.sees_whole_state:
        export_args["district_id"] = inspection.district_id
    return {
        "inspection": inspection,
        "district": db.session.get(District, inspection.district_id),
        "stops": stops,
        "lines": services.part_lines([s.part_id for s in stops]),
        "actions": actions,
        "photo_ids": photo_ids,
        "counts": {status.value: sum(1 for s in stops if s.status == status) for status in StopStatus},
        "figures": rules.FIGURES,
        "figure_labels": FIGURE_LABELS,
        "check_labels": CHECK_LABELS,
        "yes_no": YES_NO,
        "flagged": sum(1 for s in stops if s.findings),
        "export_args": export_args,
        "finishable": may_record(scope, inspection) and services.recording_closed(inspection, today) is None,
        "visits_from": inspection.day if today < inspection.day and is_open(inspection) else None,
        "message": message,
    }


def visit_photo(stop: Stop, photo_id: int) -> StopPhoto | None:
    """One photo of the stop's visit (None when it is not one of them)."""
    return db.session.scalar(select(StopPhoto).where(StopPhoto.id == photo_id, StopPhoto.stop_id == stop.id))
