"""Routes of the maps feature."""

from app.maps import bp  # noqa: F401
