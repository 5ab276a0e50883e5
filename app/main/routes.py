from __future__ import annotations

from flask import jsonify
from flask_login import current_user
from sqlalchemy import text

from app.access import ALL_ROLES, allow, public
from app.campaign.clock import campaign_today
from app.campaign.services import current_campaign
from app.difficulties.figures import most_overdue, overall
from app.difficulties.models import Difficulty
from app.difficulties.pages import blank_form_context, latest_own
from app.extensions import db, limiter
from app.htmx import render
from app.inspections.services import upcoming_for_blo
from app.main import bp
from app.main.services import accounts_by_role, progress_summary, scope_summary
from app.models import Part, Role
from app.progress.services import target_of
from app.scope import current_scope
from app.volunteers.pages_blo import coming_today_count
from app.volunteers.pages_mine import home_context as volunteer_home


@bp.route("/")
@allow(ALL_ROLES)
def home():
    """Each role's page for the day: what is theirs and what to do next."""
    scope = current_scope()
    role = current_user.role
    context = {"campaign": current_campaign(), "today": campaign_today(), "role": role}
    if role in (Role.STATE, Role.COLLECTOR, Role.ERO, Role.SUPERVISOR, Role.BLO):
        context["summary"] = scope_summary(scope)
        context["progress"] = progress_summary(scope, context["today"], target_of(context["campaign"]))
    if role in (Role.STATE, Role.COLLECTOR, Role.ERO, Role.SUPERVISOR):
        # Which difficulties are overdue and how fast the scope clears them: two queries.
        condition = scope.of(Difficulty)
        context["difficulties"] = overall(condition)
        if role == Role.COLLECTOR:
            context["overdue_difficulties"] = most_overdue(condition)
    if role in (Role.SUPERVISOR, Role.BLO):
        context["parts"] = db.session.scalars(
            scope.parts().order_by(Part.constituency_id, Part.number).limit(100)
        ).all()
    if role == Role.BLO:
        # The three taps right on the page, and what became of the last ones.
        context["difficulty_form"] = blank_form_context(scope)
        context["my_difficulties"], context["my_difficulty_updates"] = latest_own(scope)
        context["volunteers_today"] = coming_today_count(scope, context["today"])
        # Inspections: visits coming to their parts, only where the district lets BLOs see them.
        context["upcoming_visits"] = upcoming_for_blo(current_user, context["today"])
    if role == Role.VOLUNTEER:
        context.update(volunteer_home(scope, context["today"]))
    if role in (Role.ADMIN, Role.COLLECTOR):
        context["accounts"] = accounts_by_role(scope)
    return render("main/home.html", **context)


@bp.route("/healthz")
@public
@limiter.exempt
def healthz():
    """For load balancers: answers 200 only when the database answers."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
