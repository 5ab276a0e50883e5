"""Reading a difficulty whose step is due sends it to the escalation job (at once in the tests)."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.difficulties import services
from app.difficulties.models import Difficulty, EventKind, Level, Source
from app.extensions import db
from app.models import Constituency, Part, User


def _raise(app) -> int:
    with app.test_request_context():
        part = db.session.scalar(
            select(Part)
            .join(Constituency, Part.constituency_id == Constituency.id)
            .where(Constituency.number == 1, Part.number == 3)
        )
        blo = db.session.get(User, part.blo_id)
        found = services.raise_difficulty(
            blo, part, services.NewDifficulty(category="app", severity="high"), Source.BLO
        )
        db.session.commit()
        return found.id


def test_a_read_past_its_time_climbs_once(app, client, auth):
    difficulty_id = _raise(app)
    later = datetime.now(UTC) + timedelta(hours=4, minutes=1)
    app.config["CLOCK"] = lambda: later
    auth.login("ero.1")
    first = client.get(f"/difficulties/{difficulty_id}")
    assert first.status_code == 200
    with app.app_context():
        climbed = db.session.get(Difficulty, difficulty_id)
        assert climbed.level == Level.ERO and climbed.overdue_since is not None
    again = client.get(f"/difficulties/{difficulty_id}", headers={"HX-Request": "true"})
    assert again.status_code == 200
    with app.app_context():
        kinds = [event.kind for event in services.timeline(difficulty_id)]
    assert kinds.count(EventKind.ESCALATED) == 1, "a second read adds nothing"
    assert "ERO" in first.get_data(as_text=True)


def test_a_read_before_its_time_changes_nothing(app, client, auth):
    difficulty_id = _raise(app)
    auth.login("ero.1")
    assert client.get(f"/difficulties/{difficulty_id}").status_code == 200
    with app.app_context():
        assert [event.kind for event in services.timeline(difficulty_id)] == [EventKind.CREATED]
        assert db.session.get(Difficulty, difficulty_id).level == Level.SUPERVISOR
