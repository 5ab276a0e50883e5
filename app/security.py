"""Security headers on every response; static files go out with only the headers they need, packed
once at brotli's best."""

import os
from functools import lru_cache

import brotli
import rcssmin
import rjsmin
from flask import Flask, current_app, request
from werkzeug.security import safe_join

# A document's policies mean nothing on a script, a stylesheet or a picture; on a phone's first
# load they cost some 0.4 KB a file. An SVG can be opened as a document: it keeps them.
_STATIC_DROPPED = ("Content-Disposition", "Expires", "Last-Modified", "Accept-Ranges")
_DOCUMENT_ONLY = ("Content-Security-Policy", "Referrer-Policy", "X-Frame-Options")
_SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'"
_YEAR = 365 * 24 * 3600


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)


def add_security_headers(response):
    if request.endpoint == "static":
        return _static_headers(response)
    tiles = current_app.config.get("MAP_TILE_URL", "")
    img_src = "'self' data:"
    if tiles:
        from urllib.parse import urlsplit

        parts = urlsplit(tiles.replace("{s}", "a"))
        img_src += f" {parts.scheme}://{parts.netloc.replace('a.', '*.', 1)}"
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        f"img-src {img_src}; connect-src 'self'; font-src 'self'; object-src 'none'; "
        "base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def _static_headers(response):
    """A static file: its type, length, encoding and ETag. Its address carries a
    stamp of its content (?v=, app/__init__.py), so that address never changes meaning: a year."""
    for name in _STATIC_DROPPED:
        response.headers.pop(name, None)
    if response.mimetype == "image/svg+xml":
        response.headers.setdefault("Content-Security-Policy", _SVG_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if request.args.get("v") and response.status_code in (200, 304):
        response.headers["Cache-Control"] = f"public, max-age={_YEAR}, immutable"
    if response.status_code == 200:
        _pack(response)
    return response


def _pack(response) -> None:
    """Brotli at level 11 rather than Flask-Compress's 6 for every page: some 7 % smaller (htmx
    16.0 KB to 14.9, Pico 10.7 to 9.9), paid once per file and process, not per request. The app's
    own scripts and styles (not the vendored, already minified ones) lose their comments and
    spaces first (rjsmin, rcssmin): offline.js 3.4 KB to 2.5 on the wire. Flask-Compress then
    leaves the answer alone (it is encoded) but for its Vary."""
    config = current_app.config
    if (
        request.accept_encodings["br"] <= 0
        or response.mimetype not in config["COMPRESS_MIMETYPES"]
        or "Content-Encoding" in response.headers
    ):
        return
    path = safe_join(current_app.static_folder, (request.view_args or {}).get("filename", ""))
    try:
        stat = os.stat(path) if path else None
    except OSError:
        return
    if stat is None or stat.st_size < config["COMPRESS_MIN_SIZE"]:
        return
    etag, weak = response.get_etag()
    opened = response.response
    if hasattr(opened, "close"):
        opened.close()  # the file send_file opened: its packed copy goes instead
    response.direct_passthrough = False
    response.set_data(_packed(path, stat.st_mtime_ns, stat.st_size))
    response.headers["Content-Encoding"] = "br"
    if etag and not weak:
        response.set_etag(f"{etag}:br")
    response.make_conditional(request)


@lru_cache(maxsize=256)
def _packed(path: str, mtime_ns: int, size: int) -> bytes:
    with open(path, "rb") as handle:
        data = handle.read()
    if f"{os.sep}vendor{os.sep}" not in path:
        if path.endswith(".js"):
            data = rjsmin.jsmin(data)
        elif path.endswith(".css"):
            data = rcssmin.cssmin(data)
    return brotli.compress(data, quality=11)
