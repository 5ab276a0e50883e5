"""Whole page or one fragment from the same template, as the htmx "template fragments" essay says."""

from __future__ import annotations

from flask import Response, make_response, redirect, render_template, request
from jinja2_fragments.flask import render_block

from app.extensions import htmx


def is_partial() -> bool:
    """An htmx request that wants a fragment: not boosted navigation, not a history restore."""
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(template: str, block: str | None = None, status: int = 200, **context) -> Response:
    """Render the named block for htmx requests and the whole page otherwise."""
    if block is not None and is_partial():
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


def redirect_to(url: str) -> Response:
    """Redirect that works for plain requests (303) and htmx requests (HX-Redirect)."""
    if request.headers.get("HX-Request") == "true" and not htmx.boosted:
        response = make_response("", 204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, code=303)
