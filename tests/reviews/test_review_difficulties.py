"""A review that notes a difficulty opens one, or links the part's open one of that category."""

from __future__ import annotations

from sqlalchemy import func, select

from app.difficulties.models import Difficulty, DifficultyEvent, EventKind, Level, Source, Status
from app.extensions import db
from app.models import Constituency, Part, User
from app.reviews.models import BloReview


def _part_id(app, ac: int, number: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(Part.id).join(Constituency).where(Constituency.number == ac, Part.number == number)
        )


def _record(client, auth, part_id: int, outcome: str, difficulty: str = ""):
    url = f"/reviews/parts/{part_id}"
    return client.post(
        url,
        data={"csrf_token": auth.token(url), "kind": "call", "outcome": outcome, "difficulty": difficulty},
    )


def test_a_review_noting_a_difficulty_opens_one_then_links_it(app, client, auth):
    auth.login("sup.1.1")
    part_id = _part_id(app, 1, 3)  # no difficulty seeded here
    assert _record(client, auth, part_id, "Forms run out at house 120.", "forms_short").status_code == 303
    with app.app_context():
        review = db.session.scalar(select(BloReview).where(BloReview.part_id == part_id))
        difficulty = db.session.get(Difficulty, review.difficulty_id)
        supervisor = db.session.scalar(select(User).where(User.login == "sup.1.1"))
        assert difficulty.part_id == part_id and difficulty.source == Source.REVIEW
        assert difficulty.reporter_id == supervisor.id and difficulty.category.value == "forms_short"
        assert difficulty.description == "Forms run out at house 120."
        assert (difficulty.status, difficulty.level) == (Status.OPEN, Level.SUPERVISOR)
        assert difficulty.next_check_at is not None  # its clock runs
        first_id = difficulty.id

    assert _record(client, auth, part_id, "Still short: 40 forms.", "forms_short").status_code == 303
    with app.app_context():
        reviews = db.session.scalars(
            select(BloReview).where(BloReview.part_id == part_id).order_by(BloReview.id)
        ).all()
        assert [r.difficulty_id for r in reviews] == [first_id, first_id]
        assert db.session.scalar(select(func.count(Difficulty.id)).where(Difficulty.part_id == part_id)) == 1
        kinds = db.session.scalars(
            select(DifficultyEvent.kind)
            .where(DifficultyEvent.difficulty_id == first_id)
            .order_by(DifficultyEvent.id)
        ).all()
        assert kinds == [EventKind.CREATED, EventKind.LINKED]

    # Another category is another difficulty.
    assert _record(client, auth, part_id, "No network at the booth.", "network").status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count(Difficulty.id)).where(Difficulty.part_id == part_id)) == 2

    html = client.get(f"/reviews/parts/{part_id}/history").get_data(as_text=True)
    assert f"/difficulties/{first_id}" in html


def test_a_review_without_a_difficulty_opens_none(app, client, auth):
    auth.login("ero.1")
    part_id = _part_id(app, 1, 4)
    with app.app_context():
        before = db.session.scalar(select(func.count(Difficulty.id)))
    assert _record(client, auth, part_id, "All well, 60 % digitized.").status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count(Difficulty.id))) == before
        assert db.session.scalar(select(BloReview.difficulty_id).where(BloReview.part_id == part_id)) is None


def test_a_review_links_the_parts_open_difficulty_raised_by_the_blo(app, client, auth):
    """Part 1-1 has the BLO's open network difficulty from the seed."""
    part_id = _part_id(app, 1, 1)
    with app.app_context():
        open_one = db.session.scalar(
            select(Difficulty.id).where(
                Difficulty.part_id == part_id,
                Difficulty.category == "network",
                Difficulty.status == Status.OPEN,
            )
        )
    assert open_one is not None
    auth.login("sup.1.1")
    assert _record(client, auth, part_id, "Network still down near the river.", "network").status_code == 303
    with app.app_context():
        assert (
            db.session.scalar(select(BloReview.difficulty_id).where(BloReview.part_id == part_id)) == open_one
        )
