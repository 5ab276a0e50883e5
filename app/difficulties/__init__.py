"""BLO difficulties: raised in three taps, routed to an owner with a clock, moved through an
enforced workflow, and climbed up the hierarchy when overdue."""

from flask import Blueprint

bp = Blueprint("difficulties", __name__, url_prefix="/difficulties")

from app.difficulties import figures_views, models, reporting, routes, tasks  # noqa: E402,F401
