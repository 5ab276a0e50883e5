"""The officers' board of difficulties, and its bulk assign."""

from __future__ import annotations

from flask import flash, request, url_for
from flask_babel import gettext as _

from app.access import OFFICERS, allow
from app.difficulties import bp, pages, services
from app.difficulties.board import BoardFilters
from app.difficulties.forms import BulkAssignForm
from app.extensions import db
from app.formatting import number
from app.htmx import is_partial, redirect_to, render
from app.lists import ListForm
from app.models import User
from app.scope import Scope, current_scope


def _board(scope: Scope, message: str | None = None, level: str = "success", status: int = 200):
    """The board's rows block (the whole page without htmx), as the address filters it."""
    controls = ListForm.read(scope=scope)
    filters = BoardFilters.parse(request.args)
    context = pages.board_context(scope, controls, filters, message, level)
    return render("difficulties/board.html", block="rows", status=status, **context)


@bp.route("/")
@allow(OFFICERS)
def board():
    return _board(current_scope())


@bp.route("/assign", methods=["POST"])
@allow(OFFICERS)
def bulk_assign():
    """Hand the ticked difficulties to one officer, all in one transaction or none of them."""
    scope = current_scope()
    form = BulkAssignForm()
    problems, status = form.problems(), 422
    if not problems:
        problems, status = services.assign_each(scope, form.ids.data, form.assignee_id.data)
    if problems:
        db.session.rollback()
        message = " ".join([_("Nothing was assigned."), *problems])
        if is_partial():
            return _board(scope, message, "error", status)
        flash(message, "error")
        return redirect_to(url_for("difficulties.board", **request.args))
    db.session.commit()
    assignee = db.session.get(User, form.assignee_id.data)
    message = _(
        "%(count)s difficulties given to %(name)s.", count=number(len(form.ids.data)), name=assignee.name
    )
    if is_partial():
        return _board(scope, message)
    flash(message, "success")
    return redirect_to(url_for("difficulties.board", **request.args))
