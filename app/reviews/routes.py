"""Routes of the reviews feature."""

from app.reviews import bp  # noqa: F401
