"""SQLite writers wait for each other on an OS file lock, not on SQLite's busy handler.

A write transaction that finds the database locked is retried by SQLite's busy handler after
sleeps of 1, 2, 5, 10, 15, 20, 25 … ms. With two workers saving reports at once, most collisions
then cost a sleep several times longer than the transaction waited for, and the CPU idles. A
blocking `flock` on a file beside the database instead wakes the waiter the moment the holder
commits or rolls back. Writers that do not take it still work: SQLite's own lock stays the rule.
"""

from __future__ import annotations

import fcntl
import os

from sqlalchemy import event
from sqlalchemy.orm import Session

_HELD = "sqlite_write_lock"


def begin_immediate(session: Session) -> None:
    """Start the session's SQLite transaction as a writer (BEGIN IMMEDIATE), queued on the lock file.

    Does nothing when the session is already in a transaction on its connection.
    """
    connection = session.connection()
    if connection.connection.dbapi_connection.in_transaction:
        return
    path = _lock_path(connection.engine.url.database)
    if path is not None and _HELD not in session.info:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        except OSError:
            os.close(descriptor)
            raise
        session.info[_HELD] = descriptor
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _lock_path(database: str | None) -> str | None:
    """The lock file of a database file; None for an in-memory database."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return f"{database}-writers.lock"


@event.listens_for(Session, "after_transaction_end")
def _release(session: Session, transaction) -> None:
    """Let the next writer in once the outermost transaction has committed or rolled back."""
    if transaction.parent is not None:
        return
    descriptor = session.info.pop(_HELD, None)
    if descriptor is not None:
        os.close(descriptor)  # closing the descriptor releases its flock
