"""Difficulties at state scale: a district's board, and one escalation run over 100,000 open
difficulties with a realistic share due."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import delete, func, select

from bench.harness import report

BENCH_DIFFICULTIES = 100_000


def run(bench) -> None:
    from app.difficulties.models import ACTIVE, Difficulty
    from app.extensions import db
    from app.models import Constituency, Part, User

    with bench.app.app_context():
        district_id = db.session.scalar(select(User.district_id).where(User.login == "collector.bhopal"))
    client = bench.client("collector.bhopal")

    def board():
        response = client.get(f"/difficulties/?district_id={district_id}")
        assert response.status_code == 200, response.status_code

    report("difficulty_board_district_ms", bench.median_ms(board), "ms")

    def board_query():
        """What a board's first page reads: a district's active difficulties, overdue first."""
        with bench.app.app_context():
            db.session.execute(
                select(Difficulty, Part.number, Constituency.number)
                .join(Part, Part.id == Difficulty.part_id)
                .join(Constituency, Constituency.id == Difficulty.constituency_id)
                .where(Difficulty.district_id == district_id, Difficulty.status.in_(list(ACTIVE)))
                .order_by(Difficulty.overdue_since.is_(None), Difficulty.overdue_since, Difficulty.id)
                .limit(50)
            ).all()
            db.session.scalar(
                select(func.count(Difficulty.id)).where(
                    Difficulty.district_id == district_id, Difficulty.status.in_(list(ACTIVE))
                )
            )

    report("difficulty_board_query_district_ms", bench.median_ms(board_query), "ms")
    escalate_100k(bench)


def escalate_100k(bench) -> None:
    """100,000 difficulties opened over the last day and a half, mostly left alone, lived up to
    half an hour ago: what came due since is one escalation run's work. The difficulties are
    removed afterwards, so the benches after this one see the seeded state."""
    from app.demo.difficulties import seed_bulk
    from app.difficulties import services
    from app.difficulties.models import ACTIVE, Difficulty
    from app.extensions import db
    from app.timeutil import utcnow

    with bench.app.app_context():
        first_new = (db.session.scalar(select(func.max(Difficulty.id))) or 0) + 1
        now = utcnow()
        seed_bulk(
            now - timedelta(minutes=30),
            BENCH_DIFFICULTIES,
            seed=100_000,
            start=now - timedelta(hours=36),
            acting=0.25,
        )
        db.session.commit()
        open_count = db.session.scalar(
            select(func.count(Difficulty.id)).where(
                Difficulty.id >= first_new, Difficulty.status.in_(list(ACTIVE))
            )
        )
        due = db.session.scalar(
            select(func.count(Difficulty.id)).where(
                Difficulty.id >= first_new, Difficulty.next_check_at <= now
            )
        )
        started = time.perf_counter()
        result = services.escalate(now)
        db.session.commit()
        seconds = time.perf_counter() - started
        print(
            f"# escalate: {open_count} open of {BENCH_DIFFICULTIES}, {due} due: {result.as_dict()}",
            flush=True,
        )
        assert services.escalate(now).checked == 0, "a second run must find nothing"
        report("escalate_100k_seconds", seconds, "s")

        remove(first_new, now)


def remove(first_new: int, since) -> None:
    """Delete the bench's difficulties. Foreign-key checks are off meanwhile: each deleted event
    would otherwise scan the notifications for its id (nothing else refers to these rows)."""
    from app.difficulties.models import Difficulty, DifficultyEvent, Notification
    from app.extensions import db
    from app.models import AuditEntry

    db.session.remove()
    with db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
        else:
            connection.exec_driver_sql("SET session_replication_role = replica")
        connection.execute(delete(Notification).where(Notification.difficulty_id >= first_new))
        connection.execute(delete(DifficultyEvent).where(DifficultyEvent.difficulty_id >= first_new))
        connection.execute(
            delete(AuditEntry).where(
                AuditEntry.object_type == "Difficulty", AuditEntry.at >= since, AuditEntry.actor_id.is_(None)
            )
        )
        connection.execute(delete(Difficulty).where(Difficulty.id >= first_new))
        connection.commit()
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys = ON")
        else:
            connection.exec_driver_sql("SET session_replication_role = DEFAULT")
