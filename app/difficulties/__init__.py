"""BLO difficulties: raised in three taps, routed to an owner with a clock, moved through an
enforced workflow, and climbed up the hierarchy when overdue."""

from flask import Blueprint

bp = Blueprint("difficulties", __name__, url_prefix="/difficulties")

from app.difficulties import (  # noqa: E402,F401
    labels,
    models,
    routes_board,
    routes_difficulty,
    routes_figures,
    routes_notices,
    routes_raise,
    routes_routing,
    tasks,
)

labels.register(bp)
