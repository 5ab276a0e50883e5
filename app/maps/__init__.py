from flask import Blueprint

bp = Blueprint("maps", __name__, url_prefix="/maps")

from app.maps import routes  # noqa: E402,F401
