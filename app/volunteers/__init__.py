"""Volunteers: registration and approval, the need board and its offers, the volunteer's own
assignments and days, the BLO's side, and the collector's views."""

from flask import Blueprint

bp = Blueprint("volunteers", __name__, url_prefix="/volunteers")

from app.volunteers import assignments, blo, models, need, registration, tasks, views  # noqa: E402,F401
