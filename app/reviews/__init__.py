from flask import Blueprint

bp = Blueprint("reviews", __name__, url_prefix="/reviews")

from app.reviews import labels, routes  # noqa: E402,F401

labels.register(bp)
