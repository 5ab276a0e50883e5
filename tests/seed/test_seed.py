"""Demo data: the state plan's totals, and re-running never duplicates."""

from __future__ import annotations

from sqlalchemy import func, select

from app.demo import seed_demo
from app.demo.core import STATE_CONSTITUENCIES, STATE_PARTS, read_districts, state_plan
from app.extensions import db
from app.models import Constituency, District, Part, Role, User


def test_state_plan_has_the_states_shape():
    rows = read_districts()
    plan = state_plan(rows)
    assert len(rows) == 55
    assert sum(len(acs) for acs in plan) == STATE_CONSTITUENCIES == 230
    assert sum(sum(acs) for acs in plan) == STATE_PARTS == 65_014
    assert all(len(acs) >= 2 for acs in plan)


def _counts():
    return (
        db.session.scalar(select(func.count(District.id))),
        db.session.scalar(select(func.count(Constituency.id))),
        db.session.scalar(select(func.count(Part.id))),
        db.session.scalar(select(func.count(User.id))),
    )


def test_reseeding_never_duplicates_and_grows_to_a_larger_scale(app):
    with app.app_context():
        before = _counts()
        assert before[:3] == (2, 4, 24)
        seed_demo("tiny", log=lambda *_: None)
        assert _counts() == before
        seed_demo("district", log=lambda *_: None)
        after = _counts()
        plan = state_plan(read_districts())
        assert after[1] == 4 + len(plan[0]) - 2  # Bhopal's remaining ACs joined
        assert after[2] == sum(plan[0]) + 12  # all of Bhopal, plus Raisen's tiny parts
        seed_demo("district", log=lambda *_: None)
        assert _counts() == after


def test_every_part_has_a_blo_and_a_supervisor_and_sane_figures(app):
    with app.app_context():
        assert db.session.scalar(select(func.count(Part.id)).where(Part.blo_id.is_(None))) == 0
        assert db.session.scalar(select(func.count(Part.id)).where(Part.supervisor_id.is_(None))) == 0
        low, high = db.session.execute(select(func.min(Part.electors), func.max(Part.electors))).one()
        assert 0 < low and high <= 1200
        roles = set(db.session.scalars(select(User.role).distinct()))
        assert roles == set(Role)
