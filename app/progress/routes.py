"""Progress dashboards."""

from app.progress import bp  # noqa: F401
