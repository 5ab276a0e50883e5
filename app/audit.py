"""The one helper every change writes through, in the same transaction as the change."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request

from app.extensions import db
from app.models import AuditEntry, User


def record(
    actor: User | None,
    action: str,
    obj: Any,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEntry:
    """Add an audit entry to the session; the caller's commit saves it with the change."""
    remote = request.remote_addr if has_request_context() else None
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=type(obj).__name__ if not isinstance(obj, str) else obj,
        object_id=str(getattr(obj, "id", "") or ""),
        before=before,
        after=after,
        remote_addr=remote,
    )
    db.session.add(entry)
    return entry
