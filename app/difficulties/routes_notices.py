"""The notices a difficulty sends its people, and the badge on every page that counts them with the
queue waiting on the reader."""

from __future__ import annotations

from flask import current_app, flash, g, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import audit
from app.access import OFFICERS, PLACE_VIEWERS, allow
from app.difficulties import bp, pages, services
from app.difficulties.board import badge_counts
from app.difficulties.forms import NoticesForm
from app.extensions import db
from app.formatting import number
from app.htmx import is_partial, redirect_to, render
from app.lists import ListForm
from app.scope import Scope, current_scope


@bp.app_template_global("difficulty_badge")
def difficulty_badge() -> dict | None:
    """The nav link's address and count (queue + unread notices), for officers and BLOs only: one
    query, run only when base.html asks, once per request."""
    if not current_user.is_authenticated or current_user.role not in PLACE_VIEWERS:
        return None
    if "difficulty_badge" not in g:
        endpoint = "difficulties.board" if current_user.role in OFFICERS else "difficulties.mine"
        url = url_for(endpoint) if endpoint in current_app.view_functions else None
        queue, unread = badge_counts(current_user._get_current_object())
        g.difficulty_badge = {"url": url, "count": queue + unread, "queue": queue, "unread": unread}
    return g.difficulty_badge


def _notices(scope: Scope, message: str | None = None, status: int = 200):
    context = pages.notifications_context(scope, ListForm.read(), message)
    return render("difficulties/notifications.html", block="notices", status=status, **context)


@bp.route("/notifications")
@allow(PLACE_VIEWERS)
def notifications():
    return _notices(current_scope())


@bp.route("/notifications/read", methods=["POST"])
@allow(PLACE_VIEWERS)
def mark_read():
    """Mark the ticked notices (or, without any, all of them) read."""
    scope = current_scope()
    ids = NoticesForm().ids.data
    if ids is None:
        return _notices(scope, _("That notice is not one of yours."), 422)
    marked = services.mark_read(scope.user, ids or None)
    audit.record(scope.user, "difficulty.notifications_read", scope.user, None, {"count": marked})
    db.session.commit()
    message = _("%(count)s notices marked read.", count=number(marked))
    if is_partial():
        return _notices(scope, message)
    flash(message, "success")
    return redirect_to(url_for("difficulties.notifications"))
