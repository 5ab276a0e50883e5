"""Demo difficulties: the tiny ones are in several states with timelines the services wrote,
nothing is due after seeding, and re-seeding adds none; the bulk ones are consistent."""

from __future__ import annotations

from sqlalchemy import func, select

from app.demo import seed_demo
from app.demo.difficulties import seed_bulk
from app.difficulties import services, sla
from app.difficulties.models import ACTIVE, Difficulty, DifficultyEvent, Status
from app.extensions import db
from app.models import Constituency, Part
from app.timeutil import utcnow


def _count() -> int:
    return db.session.scalar(select(func.count(Difficulty.id)))


def test_tiny_has_difficulties_in_several_states_and_nothing_due(app):
    with app.app_context():
        statuses = set(db.session.scalars(select(Difficulty.status)))
        assert {Status.OPEN, Status.WAITING_BLO, Status.RESOLVED, Status.CLOSED} <= statuses
        parts = set(
            db.session.execute(
                select(Constituency.number, Part.number)
                .join(Part, Part.constituency_id == Constituency.id)
                .join(Difficulty, Difficulty.part_id == Part.id)
            ).all()
        )
        assert {(1, 1), (5, 1)} <= parts
        assert db.session.scalar(select(func.count()).where(Difficulty.overdue_since.is_not(None))) >= 1
        now = utcnow()
        assert db.session.scalar(select(func.count()).where(Difficulty.next_check_at <= now)) == 0
        assert services.escalate(now).checked == 0
        before = _count()
        seed_demo("tiny", log=lambda *_: None)
        assert _count() == before


def test_bulk_difficulties_agree_with_their_timelines(app):
    with app.app_context():
        now = utcnow()
        added = seed_bulk(now, 300, seed=5)
        assert added == 300 and seed_bulk(now, 300, seed=5) == 0
        db.session.flush()
        assert services.escalate(now).checked == 0  # nothing left due
        bulk = db.session.scalars(select(Difficulty).where(Difficulty.form_token.like("seed-5-%"))).all()
        assert {d.status for d in bulk} >= {Status.CLOSED, Status.IN_PROGRESS}
        for d in bulk:
            events = services.timeline(d.id)
            assert events[0].kind.value == "created" and events[-1].status == d.status
            assert events[-1].level == d.level
            if d.status in ACTIVE:
                clock = services.live_clock(d, events, now)
                assert d.next_check_at == clock.next_check_at
                assert clock.percent_used < sla.BREACH_PERCENT or d.overdue_since is not None
        assert db.session.scalar(
            select(func.count(DifficultyEvent.id)).where(
                DifficultyEvent.difficulty_id.in_([d.id for d in bulk])
            )
        ) > len(bulk)
