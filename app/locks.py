"""Locks on the rows that own a rule, so the database judges a rule when many act at once.

A rule such as "a part holds at most three volunteers at a time" is checked by reading, then kept
by writing. Two requests that both read before either writes would both pass. So a service first
takes the lock on the row that owns the rule (the volunteer, the part, the offer, the sign-up, the
difficulty), then reads afresh, checks and writes, and the caller commits once:

- PostgreSQL: `SELECT … FOR UPDATE` on those rows, in id order within each table, and the tables
  always in the order a service names them (volunteers before parts), so two services never wait
  on each other in a circle. Under READ COMMITTED every later statement sees what was committed
  before the lock was granted.
- SQLite has one writer at a time: the transaction starts with `BEGIN IMMEDIATE`, so it holds the
  write lock from its first read, and the reads that follow see the latest commit. Another writer
  waits (busy_timeout) until this one commits.

The rows are read again with populate_existing: an object the request loaded before the lock
shows what is in the database now, not what it was.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from sqlalchemy import select

from app.extensions import db

M = TypeVar("M")


# How long a request waits for a row another holds before it gives up (a 503 with Retry-After,
# app/errors.py): SQLite's busy_timeout is the same 5 seconds.
LOCK_TIMEOUT = "5s"


def write_lock() -> None:
    """SQLite: hold the database's write lock from here to the commit (BEGIN IMMEDIATE).
    PostgreSQL: wait at most LOCK_TIMEOUT for a row lock in this transaction.

    Safe to call twice: a transaction that already writes holds the lock.
    """
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        return
    if not connection.connection.dbapi_connection.in_transaction:
        # pysqlite opens a (deferred) transaction only before its first write; open it now, with
        # the write lock, so the reads of this transaction are the latest and stay so. Through
        # SQLAlchemy, so "database is locked" after the busy timeout is its OperationalError.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def holds_sqlite_write_lock() -> bool:
    """Whether this session's transaction already writes to SQLite: then a write on another
    connection (a job's progress) would wait on this very transaction until the busy timeout."""
    if not db.session().in_transaction():
        return False
    connection = db.session.connection()
    return connection.dialect.name == "sqlite" and connection.connection.dbapi_connection.in_transaction


def rows(model: type[M], ids: Iterable[int]) -> dict[int, M]:
    """Lock the rows of `model` with these ids and load them afresh: {id: row}; missing ids absent."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    write_lock()
    query = (
        select(model)
        .where(model.id.in_(wanted))
        .order_by(model.id)
        # FOR NO KEY UPDATE: it keeps out other writers of the row, not the foreign-key checks
        # of rows that merely refer to it (a report or a visit of the locked part).
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    return {row.id: row for row in db.session.scalars(query)}


def row(model: type[M], row_id: int) -> M | None:
    """Lock one row and load it afresh (None when it is gone)."""
    return rows(model, [row_id]).get(row_id)
