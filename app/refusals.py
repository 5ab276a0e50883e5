"""What a service raises when it refuses a change; nothing was saved then. The routes turn them
into answers: 422 with the form's messages, 409 for a stale page, 403 for an action not open."""

from __future__ import annotations


class FormErrors(ValueError):
    """User-caused: {field: message}, in the user's language."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(str(m) for m in errors.values()))
        self.errors = errors


class VersionConflict(Exception):
    """Someone else changed the record after this page showed it."""


class NotAllowed(Exception):
    """Not open to this user, or not in the record's present state."""
