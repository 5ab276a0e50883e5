"""Error pages in the reader's language; htmx requests get just the message block."""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
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
        413: (_("File too large"), _("The file is larger than allowed.")),
        429: (
            _("Too many attempts"),
            _("Too many attempts in a short time. Please wait a minute and try again."),
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
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, _("This form has expired. Reload the page and submit it again."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if isinstance(error, BadArgument):
            return render_error(400, error.message)
        return render_error(error.code or 500)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error")
        if app.testing and app.config.get("PROPAGATE_TEST_ERRORS", True):
            raise error
        return render_error(500)
