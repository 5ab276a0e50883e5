from flask import Blueprint

from app.campaign.clock import campaign_today

bp = Blueprint("progress", __name__, url_prefix="/progress")
# Progress macros tell "not reported yet today" from "not reported that day".
bp.app_template_global("today_of_campaign")(campaign_today)

from app.progress import routes, tasks  # noqa: E402,F401
