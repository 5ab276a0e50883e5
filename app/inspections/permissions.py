"""Who reads, plans and records inspections, past the app's matrix (app/access.py): the roles each
page lets in, and the checks on one inspection (its planner, its inspector) that the routes make and
the pages show as links and buttons."""

from __future__ import annotations

from flask import abort

from app.inspections.models import Inspection, InspectionStatus, Stop
from app.models import District, Role
from app.scope import Scope

VIEWERS = (Role.STATE, Role.COLLECTOR, Role.ERO, Role.SUPERVISOR)
PLANNERS = (Role.COLLECTOR, Role.ERO, Role.SUPERVISOR)  # a collector, or the inspection's inspector
COVERAGE_ROLES = (Role.STATE, Role.COLLECTOR, Role.ERO)


def planner_district(scope: Scope) -> District:
    """The district a collector plans in (403 for anyone without one)."""
    user = scope.user
    if user.district_id is None:
        abort(403)
    return scope.require_district(user.district_id)


def may_plan(scope: Scope, inspection: Inspection) -> bool:
    """The district's collector, or the inspector themself."""
    user = scope.user
    if user.role == Role.COLLECTOR and user.district_id == inspection.district_id:
        return True
    return user.role in PLANNERS and inspection.inspector_id == user.id


def may_record(scope: Scope, inspection: Inspection) -> bool:
    """Only the inspector records, skips and finishes: what they saw is theirs to say."""
    return scope.user.role in PLANNERS and inspection.inspector_id == scope.user.id


def is_open(inspection: Inspection) -> bool:
    return inspection.status in (InspectionStatus.PLANNED, InspectionStatus.UNDER_WAY)


def stop_of(scope: Scope, inspection_id: int, stop_id: int) -> tuple[Inspection, Stop]:
    """The inspection in the scope (404 otherwise) and its stop (404 when not one of its stops)."""
    inspection = scope.require(Inspection, inspection_id)
    stop = next((s for s in inspection.stops if s.id == stop_id), None)
    if stop is None:
        abort(404)
    return inspection, stop
