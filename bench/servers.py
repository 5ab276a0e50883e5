"""The two apps `bench_write_path` serves under gunicorn: the real one, and a bare Flask insert.

gunicorn imports them by name (`bench.servers:real_app()`); the database comes from the
environment, so both run exactly as a deployment would, in their own worker processes.
"""

from __future__ import annotations

import os
import sqlite3

from flask import Flask, g, request

BARE_SCHEMA = """
CREATE TABLE IF NOT EXISTS reports (
    id INTEGER PRIMARY KEY,
    part_id INTEGER NOT NULL,
    report_date TEXT NOT NULL,
    figures TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
)
"""


def real_app():
    """The app as `make bench` builds it (CSRF and rate limits off), on BENCH_SERVE_DATABASE_URL."""
    from app import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": os.environ["BENCH_SERVE_DATABASE_URL"],
            "SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
        }
    )


def bare_app():
    """The floor: Flask, one SQLite connection per request as in flaskr, one INSERT, one commit."""
    app = Flask(__name__)
    path = os.environ["BENCH_BARE_SQLITE"]

    def connection() -> sqlite3.Connection:
        if "db" not in g:
            g.db = sqlite3.connect(path)
            g.db.execute("PRAGMA busy_timeout=5000")
            g.db.execute("PRAGMA synchronous=NORMAL")
        return g.db

    @app.teardown_appcontext
    def close(_error):
        db = g.pop("db", None)
        if db is not None:
            db.close()

    @app.post("/reports/parts/<int:part_id>")
    def insert(part_id: int):
        db = connection()
        figures = ",".join(request.form.get(name, "") for name in sorted(request.form))
        db.execute(
            "INSERT INTO reports (part_id, report_date, figures) VALUES (?, date('now'), ?)",
            (part_id, figures),
        )
        db.commit()
        return "saved"

    return app


def create_bare_database(path: str) -> None:
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(BARE_SCHEMA)
