"""The difficulties' figures page for officers, and the labels and durations the figures blocks
(home pages, progress tables) show."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.access import OFFICERS, allow
from app.difficulties import bp
from app.difficulties.figures import figures, overall
from app.difficulties.models import Difficulty, Level, Resolution
from app.htmx import render
from app.scope import current_scope

LEVEL_LABELS = {
    Level.SUPERVISOR: _l("BLO supervisor"),
    Level.ERO: _l("ERO"),
    Level.COLLECTOR: _l("Collector"),
    Level.STATE: _l("State office"),
}
RESOLUTION_LABELS = {
    Resolution.FIXED: _l("Fixed"),
    Resolution.HELPDESK: _l("Referred to the Commission's helpdesk"),
    Resolution.NOT_OURS: _l("Not ours to fix"),
    Resolution.DUPLICATE: _l("Duplicate"),
    Resolution.CANNOT_FIX: _l("Cannot fix"),
}


@bp.app_template_filter("difficulty_level")
def difficulty_level(level) -> str:
    return str(LEVEL_LABELS.get(Level(level), level)) if level else "—"


@bp.app_template_filter("difficulty_resolution")
def difficulty_resolution(code) -> str:
    return str(RESOLUTION_LABELS.get(Resolution(code), code)) if code else "—"


@bp.app_template_filter("difficulty_duration")
def difficulty_duration(seconds) -> str:
    """Clock time as the figures show it: "45 min", "3 h 20 min", "2 days 4 h"; "—" for none."""
    if seconds is None:
        return "—"
    minutes = round(seconds / 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(days)s d %(hours)s h", days=days, hours=hours)
    if hours:
        return _("%(hours)s h %(minutes)s min", hours=hours, minutes=minutes)
    return _("%(minutes)s min", minutes=minutes)


@bp.route("/figures", endpoint="figures")
@allow(OFFICERS)
def figures_page():
    """How fast the user's scope clears its difficulties, by category and by level, and how each
    was resolved: three grouped queries."""
    condition = current_scope().of(Difficulty)
    return render(
        "difficulties/figures.html",
        total=overall(condition),
        by_category=figures(condition, "category"),
        by_level=figures(condition, "level"),
        resolutions=list(Resolution),
    )
