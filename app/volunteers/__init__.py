"""Volunteers: registration and approval, the need board and its offers, the volunteer's own
assignments and days, the BLO's side, and the collector's views.

Route modules are routes_<screen>.py; each screen's context is built in pages_<screen>.py, its
forms are in forms.py, its labels and template filters in labels.py (registered here, once).
"""

from flask import Blueprint

bp = Blueprint("volunteers", __name__, url_prefix="/volunteers")

from app.volunteers import (  # noqa: E402,F401
    labels,
    models,
    routes_assignments,
    routes_blo,
    routes_coverage,
    routes_hours,
    routes_import,
    routes_need,
    routes_offers,
    routes_registration,
    tasks,
)

labels.register(bp)
