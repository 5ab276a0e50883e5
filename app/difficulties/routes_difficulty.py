"""One difficulty: its page with the actions its reader may take now, each action of the workflow
(the server decides whether it is allowed, whatever the page showed), and its photo."""

from __future__ import annotations

from flask import abort, flash, make_response, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import idempotency
from app.access import PLACE_VIEWERS, allow
from app.difficulties import bp, labels, pages, services, sla, workflow
from app.difficulties.forms import action_form
from app.difficulties.models import Difficulty
from app.difficulties.services import DifficultyError, NotAllowed, VersionConflict
from app.difficulties.tasks import escalate_if_due
from app.difficulties.workflow import Action
from app.errors import render_error
from app.extensions import db
from app.formatting import day as format_day
from app.formatting import number
from app.htmx import is_partial, redirect_to, render
from app.scope import current_scope

# Statuses of a conflict or a refusal, and the message each answers with.
CONFLICT_MESSAGE = _l(
    "Someone else changed this difficulty a moment ago; here is what it is now. Nothing you sent was saved."
)
REFUSED_MESSAGE = _l("You cannot do that to this difficulty now. Nothing was saved.")


def _reopen_closed_message(closed: workflow.ReopenWindowClosed) -> str:
    """Reopening refused after its window: the window and when it was resolved, and what to do."""
    if closed.resolved_at is None:
        return str(REFUSED_MESSAGE)
    return _(
        "Reopening is possible for %(days)s days after it was resolved; it was resolved on "
        "%(resolved)s, so the last moment was %(until)s. Nothing was saved. If it is still not fixed, "
        "raise a new difficulty.",
        days=number(sla.REOPEN_WITHIN.days),
        resolved=format_day(closed.resolved_at),
        until=format_day(closed.until),
    )


@bp.route("/<int:difficulty_id>")
@allow(PLACE_VIEWERS)
def show(difficulty_id: int):
    scope = current_scope()
    difficulty = scope.require(Difficulty, difficulty_id)
    # A step found due on reading goes to the queue (the page itself writes nothing); when the queue
    # runs tasks at once, the page shows what it did.
    if escalate_if_due(difficulty):
        db.session.refresh(difficulty)
    return render("difficulties/show.html", block="difficulty", **pages.show_context(scope, difficulty))


def _perform(scope, difficulty: Difficulty, chosen: Action, form) -> tuple[int, str | None, dict]:
    """The action saved and committed: its status (200 when saved), message and field errors."""
    errors = form.problems()
    if errors:
        return 422, None, errors
    officer = workflow.answers_as_officer(services.relations_of(scope.user, difficulty))
    try:
        services.perform(scope.user, difficulty, chosen, form.action_input(difficulty.category, officer))
        db.session.commit()
    except VersionConflict:
        return 409, str(CONFLICT_MESSAGE), {}
    except workflow.ReopenWindowClosed as closed:
        message = _reopen_closed_message(closed)
        idempotency.refusal(message)
        return 403, message, {}
    except NotAllowed:
        return 403, str(REFUSED_MESSAGE), {}
    except DifficultyError as error:
        return 422, None, error.errors
    return 200, None, {}


@bp.route("/<int:difficulty_id>/<action>", methods=["POST"])
@allow(PLACE_VIEWERS)
def act(difficulty_id: int, action: str):
    """One action of the workflow; the server decides whether it is allowed, whatever the page showed."""
    try:
        chosen = Action(action)
    except ValueError:
        abort(404)
    scope = current_scope()
    difficulty = scope.require(Difficulty, difficulty_id)
    form = action_form(chosen)
    status, message, errors = _perform(scope, difficulty, chosen, form)
    if errors:
        message = _("Nothing was saved: see the messages below.")
        # The phone's queue and a script read the reason itself (a reopening without one, say).
        idempotency.refusal(" ".join(str(problem) for problem in errors.values()))
    if status != 200:
        db.session.rollback()
        difficulty = scope.require(Difficulty, difficulty_id)
        context = pages.show_context(
            scope,
            difficulty,
            message=message,
            level="error",
            errors=errors,
            failed=chosen,
            sent=form.sent() if errors else None,
        )
        return render("difficulties/show.html", block="difficulty", status=status, **context)
    done = _("%(action)s: saved.", action=labels.ACTION_LABELS[chosen])
    if is_partial():
        return render(
            "difficulties/show.html",
            block="difficulty",
            **pages.show_context(scope, difficulty, message=done),
        )
    flash(done, "success")
    return redirect_to(url_for("difficulties.show", difficulty_id=difficulty.id))


@bp.route("/<int:difficulty_id>/photo")
@allow(PLACE_VIEWERS)
def photo(difficulty_id: int):
    difficulty = current_scope().require(Difficulty, difficulty_id)
    stored = pages.photo_of(difficulty)
    if stored is None:
        return render_error(404)
    response = make_response(stored.data)
    response.headers["Content-Type"] = stored.content_type
    response.headers["Cache-Control"] = "private, max-age=86400"
    response.headers["Content-Disposition"] = f'inline; filename="difficulty-{difficulty.id}.jpg"'
    return response
