"""The one helper every change writes through, in the same transaction as the change."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from sqlalchemy import insert

from app.extensions import db
from app.models import AuditEntry, User
from app.timeutil import utcnow


def record(
    actor: User | None,
    action: str,
    obj: Any,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEntry:
    """Add an audit entry to the session; the caller's commit saves it with the change."""
    entry = AuditEntry(**_columns(actor, action, obj, before, after))
    db.session.add(entry)
    return entry


def insert_now(
    actor: User | None,
    action: str,
    obj: Any,
    before: dict | None = None,
    after: dict | None = None,
) -> None:
    """The same entry written at once with one INSERT, for a hot path that writes without the ORM;
    still in the caller's transaction, so it is saved, or rolled back, with the change."""
    db.session.connection().execute(_INSERT, {"at": utcnow(), **_columns(actor, action, obj, before, after)})


_INSERT = insert(AuditEntry.__table__)


def _columns(actor: User | None, action: str, obj: Any, before: dict | None, after: dict | None) -> dict:
    return {
        "actor_id": actor.id if actor is not None else None,
        "action": action,
        "object_type": type(obj).__name__ if not isinstance(obj, str) else obj,
        "object_id": str(getattr(obj, "id", "") or ""),
        "before": before,
        "after": after,
        "remote_addr": request.remote_addr if has_request_context() else None,
    }
