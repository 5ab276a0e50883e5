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


def test_reviews_difficulty_values_become_difficulties(database_url):
    """Revision 5b7d2c9e4a10: each old review's difficulty opens one or links the part's open one."""
    from datetime import timedelta

    from sqlalchemy import insert, select

    from app.demo import seed_demo
    from app.difficulties import services
    from app.difficulties.models import Difficulty, DifficultyEvent, DistrictHoliday, Level, WorkingHours
    from app.models import Constituency, Part, User
    from app.reviews.models import BloReview
    from app.timeutil import utcnow

    app = make_app(database_url)
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade(revision="1961a5cb93a4")
        # The seed writes through today's models: lend the old schema the columns they gained since,
        # and take them back before the upgrade adds them.
        gained = [("difficulties", "resolve_minutes INTEGER")]
        with db.engine.begin() as conn:
            for table, column in gained:
                conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column}"))
        # and the tables: the districts' working hours (the tiny seed works round the clock)
        lent_tables = [WorkingHours.__table__, DistrictHoliday.__table__]
        for table in lent_tables:
            table.create(db.engine)
        seed_demo("tiny", log=lambda *_: None, with_history=False, with_volunteers=False)

        def part(ac, number):
            return db.session.execute(
                select(Part).join(Constituency).where(Constituency.number == ac, Part.number == number)
            ).scalar_one()

        sup = db.session.scalar(select(User.id).where(User.login == "sup.1.1"))
        ero5 = db.session.scalar(select(User.id).where(User.login == "ero.5"))
        now = utcnow()
        seeded_network = db.session.scalar(
            select(Difficulty.id).where(Difficulty.part_id == part(1, 1).id, Difficulty.category == "network")
        )
        rows = [
            (part(1, 3), "forms_short", now - timedelta(hours=10), sup),
            (part(1, 3), "forms_short", now - timedelta(hours=9), sup),
            (part(1, 1), "network", now - timedelta(hours=2), sup),
            (part(5, 1), "safety", now - timedelta(minutes=20), ero5),
            (part(1, 4), None, now, sup),
        ]
        db.session.execute(
            insert(BloReview),
            [
                dict(
                    part_id=p.id,
                    district_id=p.district_id,
                    constituency_id=p.constituency_id,
                    blo_id=p.blo_id,
                    reviewer_id=reviewer,
                    review_date=at.date(),
                    kind="call",
                    outcome=f"Heard about {category}",
                    difficulty=category,
                    created_at=at,
                )
                for p, category, at, reviewer in rows
            ],
        )
        db.session.commit()
        before = set(db.session.scalars(select(Difficulty.id)))
        db.session.remove()
        with db.engine.begin() as conn:
            for table, column in gained:
                conn.execute(text(f"ALTER TABLE {table} DROP COLUMN {column.split()[0]}"))
        for table in reversed(lent_tables):
            table.drop(db.engine)

        upgrade()
        services.work_round_the_clock(db.session.scalars(select(Part.district_id).distinct()).all())
        db.session.commit()
        db.session.expire_all()
        reviews = db.session.scalars(select(BloReview).order_by(BloReview.id)).all()
        ids = [r.difficulty_id for r in reviews]
        assert ids[0] == ids[1] and ids[0] not in before  # the second one links the first
        assert ids[2] == seeded_network  # the part's open one of that category
        assert ids[3] not in before and ids[4] is None
        forms, health = db.session.get(Difficulty, ids[0]), db.session.get(Difficulty, ids[3])
        assert (forms.source.value, forms.reporter_id, forms.level) == ("review", sup, Level.SUPERVISOR)
        assert forms.opened_at == rows[0][2] and forms.description == "Heard about forms_short"
        assert (health.level, health.owner_id) == (Level.ERO, ero5)  # safety starts at the ERO
        assert forms.next_check_at >= now and forms.acknowledge_due_at is None

        def kinds(difficulty_id):
            return [
                e.kind.value
                for e in db.session.scalars(
                    select(DifficultyEvent)
                    .where(DifficultyEvent.difficulty_id == difficulty_id)
                    .order_by(DifficultyEvent.id)
                )
            ]

        assert kinds(forms.id) == ["created", "linked"]
        assert kinds(health.id) == ["created"]
        assert kinds(seeded_network)[-1] == "linked"

        # The escalation job computes their clocks: 10 hours past a 4-hour limit climbs to the ERO.
        services.escalate(utcnow())
        db.session.commit()
        db.session.expire_all()
        forms = db.session.get(Difficulty, ids[0])
        assert forms.level == Level.ERO and forms.overdue_since is not None
        assert forms.acknowledge_due_at is not None
        assert services.escalate(utcnow()).checked == 0

        db.session.remove()
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE alembic_version"))
