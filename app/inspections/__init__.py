"""Field inspections: plan a day of visits from the suggestions, ordered by distance; record what
was verified at each booth; flag every mismatch and follow it up as a difficulty; the reports,
calendar, coverage and exports."""

from flask import Blueprint

from app.figures.signals import reports_saved

bp = Blueprint("inspections", __name__, url_prefix="/inspections")

from app.inspections import (  # noqa: E402,F401
    labels,
    models,
    routes_outputs,
    routes_planning,
    routes_visits,
    services,
)

labels.register(bp)

reports_saved.connect(services.reports_saved)
