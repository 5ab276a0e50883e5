"""Inspection pages (planning)."""

from app.inspections import bp  # noqa: F401
