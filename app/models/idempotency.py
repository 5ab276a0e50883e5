"""A client's idempotency key: claimed before a queued post is worked, then its answer kept for replay."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.scoping import Scoped
from app.timeutil import utcnow


class IdempotencyKey(db.Model):
    """One post of one user under one key (app/idempotency.py).

    The unique (user, key) pair is the lock: the INSERT that claims it succeeds in one request only,
    whatever the number of workers. `status` is "processing" while the post is worked (claimed_at
    says since when: a claim left by a crashed worker is taken over after a few minutes), then
    "done" with the answer to replay.
    """

    __tablename__ = "idempotency_keys"
    __scope__ = Scoped(owner="user_id")
    __table_args__ = (
        UniqueConstraint("user_id", "key", name="uq_idempotency_keys_user_key"),
        Index("ix_idempotency_keys_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(36))
    endpoint: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="processing")  # processing | done
    # A random token per claim, so that a request releases only its own claim, not one taken over.
    claim: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    response_status: Mapped[int | None]
    # The headers that matter to the client (Location, HX-*, Content-Type) and the flashed messages.
    response_headers: Mapped[dict | None] = mapped_column(JSON)
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary)  # zlib: a few hundred bytes
