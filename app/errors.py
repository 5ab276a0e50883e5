"""Error pages in the reader's language; htmx requests get just the message block."""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from app.extensions import db
from app.htmx import render
from app.inputs import BadArgument


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Bad request"), _("The request could not be understood. Please try again.")),
        401: (_("Please sign in"), _("You need to sign in to see this page.")),
        403: (_("Not allowed"), _("Your role does not give you access to this page.")),
        404: (_("Not found"), _("There is no such page. Check the address or go back.")),
        405: (_("Not allowed"), _("This action is not available here.")),
        409: (
            _("Changed a moment ago"),
            _(
                "Someone else saved a change to this at the same moment. Nothing of yours was saved: "
                "open the page again to see it as it is now."
            ),
        ),
        413: (_("File too large"), _("The file is larger than allowed.")),
        429: (
            _("Too many attempts"),
            _("Too many attempts in a short time. Please wait a minute and try again."),
        ),
        503: (
            _("Busy"),
            _("The server is busy with other changes. Nothing was saved. Please try again in a moment."),
        ),
        500: (
            _("Something went wrong"),
            _("The server could not finish this request. Nothing was saved. Please try again."),
        ),
    }


def render_error(status: int, detail: str | None = None):
    title, message = _messages().get(status, _messages()[500])
    return render(
        "errors/error.html",
        block="message",
        status=status,
        title=title,
        message=detail or message,
        status_code=status,
    )


def init_app(app: Flask) -> None:
    from app import idempotency

    idempotency.init_app(app)

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, _("This form has expired. Reload the page and submit it again."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if isinstance(error, BadArgument):
            return render_error(400, error.message)
        return render_error(error.code or 500)

    @app.errorhandler(IntegrityError)
    def integrity_error(error: IntegrityError):
        """A unique key met at the commit is a lost race; any other broken constraint is a bug."""
        code = getattr(error.orig, "sqlstate", None)
        if code == "23505" or "unique constraint" in str(error.orig).lower():
            return lost_race(error)
        db.session.rollback()
        return unexpected_error(error)

    @app.errorhandler(StaleDataError)
    def lost_race(error: Exception):
        """Two people saved at the same moment and the database kept one: the other hears so.

        A service that owns a rule locks its row first (app/locks.py) and refuses with its own
        words; this is the last line, for a version or a unique key met at the commit.
        """
        from app import idempotency

        db.session.rollback()
        app.logger.warning("lost race: %s", error)
        idempotency.refusal(_("Nothing was saved: someone else changed this a moment ago."))
        return render_error(409)

    @app.errorhandler(OperationalError)
    def database_busy(error: OperationalError):
        db.session.rollback()
        text = str(error.orig).lower()
        from app import idempotency

        if "deadlock" in text:
            # PostgreSQL broke a circle of two writers by failing one: a lost race.
            app.logger.warning("deadlock: %s", error)
            idempotency.refusal(_("Nothing was saved: someone else changed this a moment ago."))
            return render_error(409)
        # SQLite's busy timeout, or PostgreSQL's lock_timeout (app/locks.py): 55P03.
        if "locked" not in text and getattr(error.orig, "sqlstate", None) != "55P03":
            return unexpected_error(error)
        app.logger.warning("database busy: %s", error)
        idempotency.refusal(_("Nothing was saved: the server was busy. Send it again."))
        response = render_error(503)
        response.headers["Retry-After"] = "2"
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error")
        if app.testing and app.config.get("PROPAGATE_TEST_ERRORS", True):
            raise error
        return render_error(500)
