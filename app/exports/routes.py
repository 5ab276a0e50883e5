"""Routes of the exports feature."""

from app.exports import bp  # noqa: F401
