from flask import Blueprint

bp = Blueprint("campaign", __name__, url_prefix="/campaign")

from app.campaign import routes  # noqa: E402,F401
