"""Each volunteer's hours and days over a range of days, for the officers who see the other figures
of volunteers, and a volunteer's printable certificate of service. Their contexts are built in
pages_hours.py; the downloads are the exports' hours_per_volunteer table.
"""

from __future__ import annotations

from flask import request

from app.access import OFFICERS, allow
from app.campaign.clock import campaign_today
from app.htmx import render
from app.lists import ListForm
from app.scope import current_scope
from app.volunteers import bp
from app.volunteers import pages_hours as pages
from app.volunteers.hours import read_choice


@bp.route("/hours")
@allow(OFFICERS)
def hours():
    """Each volunteer's hours, days and parts from the days chosen (this week unless chosen),
    narrowed to a district or AC, an organisation or an institution; most hours first, by page."""
    scope, today = current_scope(), campaign_today()
    form = ListForm.read(scope=scope)
    choice = read_choice(request.args, today)
    return render("volunteers/hours.html", block="hours", **pages.hours_context(scope, form, choice, today))


@bp.route("/hours/<int:volunteer_id>/certificate")
@allow(OFFICERS)
def certificate(volunteer_id: int):
    """A volunteer's certificate of service over the days chosen, for an A4 print."""
    scope, today = current_scope(), campaign_today()
    volunteer = pages.reachable_volunteer(scope, volunteer_id)
    choice = read_choice(request.args, today)
    return render("volunteers/certificate.html", **pages.certificate_context(scope, volunteer, choice, today))
