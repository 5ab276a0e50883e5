"""Security headers on every response."""

from flask import Flask, current_app


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)


def add_security_headers(response):
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
