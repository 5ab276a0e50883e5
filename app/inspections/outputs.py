"""Inspection pages (outputs)."""

from app.inspections import bp  # noqa: F401
