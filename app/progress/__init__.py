from flask import Blueprint

bp = Blueprint("progress", __name__, url_prefix="/progress")

from app.progress import routes, tasks  # noqa: E402,F401
