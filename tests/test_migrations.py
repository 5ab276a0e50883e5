"""`flask db upgrade` on an empty database gives exactly the tables the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import inspect, text

from app.extensions import db
from tests.conftest import make_app


def test_upgrade_on_an_empty_database_matches_the_models(database_url):
    app = make_app(database_url)
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        assert inspect(db.engine).get_table_names() == []
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == [], differences
        assert "parts" in inspect(db.engine).get_table_names()
        # leave the schema as the other tests expect it
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE alembic_version"))
