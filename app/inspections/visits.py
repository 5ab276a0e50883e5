"""Inspection pages (visits)."""

from app.inspections import bp  # noqa: F401
