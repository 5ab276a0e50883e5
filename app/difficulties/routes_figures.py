"""The difficulties' figures page for officers."""

from __future__ import annotations

from app.access import OFFICERS, allow
from app.difficulties import bp, pages
from app.htmx import render
from app.scope import current_scope


@bp.route("/figures", endpoint="figures")
@allow(OFFICERS)
def figures_page():
    """How fast the user's scope clears its difficulties, by category and by level, and how each
    was resolved."""
    return render("difficulties/figures.html", **pages.figures_context(current_scope()))
