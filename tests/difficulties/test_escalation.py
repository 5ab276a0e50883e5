"""Escalation under a frozen clock (the app's CLOCK config): notices at 50 % and 75 %, the breach
that marks a difficulty overdue and climbs it supervisor → ERO → collector → state with each
level's own time, the pause while waiting, the automatic close, and a second run that changes
nothing. Also the queue's tasks and `flask escalate`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, update

from app.difficulties import services, tasks
from app.difficulties.models import (
    Category,
    Difficulty,
    DifficultyEvent,
    Level,
    NoticeKind,
    Notification,
    Source,
    Status,
)
from app.difficulties.services import ActionInput, NewDifficulty
from app.difficulties.workflow import Action
from app.extensions import db
from app.models import AuditEntry, Constituency, Part, User
from app.reviews.models import BloReview
from tests.conftest import make_app, remove_seeded_inspections, reset_database

START = datetime(2025, 11, 20, 4, 30, tzinfo=UTC)  # 10:00 in Madhya Pradesh


class Clock:
    """The app's CLOCK: a moment the test moves forward."""

    def __init__(self, moment: datetime):
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta) -> None:
        self.moment += timedelta(**delta)

    @property
    def naive(self) -> datetime:
        return self.moment.astimezone(UTC).replace(tzinfo=None)


@pytest.fixture
def clock():
    return Clock(START)


@pytest.fixture
def app(database_url, clock):
    """The tiny demo seeded at START, without its difficulties: each test counts only its own."""
    app = make_app(database_url, {"CLOCK": clock})
    reset_database(app)
    remove_seeded_inspections(app)  # its flag and stop name a difficulty
    with app.app_context():
        empty_difficulties()
        yield app
        db.session.remove()


def empty_difficulties() -> None:
    db.session.execute(update(BloReview).values(difficulty_id=None))
    for model in (Notification, DifficultyEvent, Difficulty):
        db.session.execute(delete(model))
    db.session.commit()


def user(login: str) -> User:
    return db.session.scalar(select(User).where(User.login == login))


def part(ac: int, number: int) -> Part:
    return db.session.scalar(
        select(Part).join(Constituency).where(Constituency.number == ac, Part.number == number)
    )


def raise_one(category=Category.APP, ac=1, number=3, login="blo.1.3") -> Difficulty:
    difficulty = services.raise_difficulty(
        user(login), part(ac, number), NewDifficulty(category.value, "high", "test"), Source.BLO
    )
    db.session.commit()
    return difficulty


def kinds(difficulty_id: int) -> list[tuple[str, str, int | None]]:
    return [
        (e.kind.value, e.level.value, e.percent)
        for e in db.session.scalars(
            select(DifficultyEvent)
            .where(DifficultyEvent.difficulty_id == difficulty_id)
            .order_by(DifficultyEvent.id)
        )
    ]


def notices(difficulty_id: int) -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(User.login, Notification.kind)
        .join(User, User.id == Notification.user_id)
        .where(Notification.difficulty_id == difficulty_id)
        .order_by(Notification.id)
    )
    return [(login, kind.value) for login, kind in rows]


def run() -> services.Escalation:
    db.session.expire_all()
    return tasks.run_escalation()


def test_nothing_is_due_right_after_the_seed(database_url, clock):
    app = make_app(database_url, {"CLOCK": clock})
    reset_database(app)
    with app.app_context():
        assert db.session.scalar(select(func.count(Difficulty.id))) >= 5
        assert run().checked == 0
        db.session.remove()


def test_notices_at_half_and_three_quarters_then_a_second_run_changes_nothing(app, clock):
    difficulty = raise_one()  # the BLO app: 4 hours to acknowledge, at the supervisor's
    assert (difficulty.level, user("sup.1.1").id) == (Level.SUPERVISOR, difficulty.owner_id)
    assert difficulty.acknowledge_due_at == clock.naive + timedelta(hours=4)

    clock.advance(hours=1, minutes=59)
    assert run().notices == 0
    clock.advance(minutes=1)
    assert run().notices == 1
    assert kinds(difficulty.id)[-1] == ("notice", "supervisor", 50)
    assert notices(difficulty.id)[-1] == ("sup.1.1", NoticeKind.HALF.value)

    events, sent = len(kinds(difficulty.id)), len(notices(difficulty.id))
    second = run()
    assert (second.checked, second.notices) == (0, 0)
    assert (len(kinds(difficulty.id)), len(notices(difficulty.id))) == (events, sent)

    clock.advance(hours=1)
    assert run().notices == 1
    assert kinds(difficulty.id)[-1] == ("notice", "supervisor", 75)
    assert notices(difficulty.id)[-1] == ("sup.1.1", NoticeKind.THREE_QUARTERS.value)
    db.session.expire_all()
    assert db.session.get(Difficulty, difficulty.id).overdue_since is None


def test_a_breach_marks_it_overdue_and_climbs_each_level_with_its_own_time(app, clock):
    difficulty = raise_one()
    opened = clock.naive
    # Runs every hour, as the periodic job (every five minutes) would have by then.
    for _ in range(4):
        clock.advance(hours=1)
        run()
    d = db.session.get(Difficulty, difficulty.id)
    assert (d.level, d.status, d.owner_id) == (Level.ERO, Status.OPEN, user("ero.1").id)
    assert d.overdue_since == opened + timedelta(hours=4)
    assert d.is_overdue
    assert kinds(d.id)[-2:] == [("overdue", "supervisor", 100), ("escalated", "ero", None)]
    assert notices(d.id)[-2:] == [
        ("sup.1.1", NoticeKind.BREACH.value),
        ("ero.1", NoticeKind.ESCALATED_TO_YOU.value),
    ]
    # The ERO gets 4 hours of its own, counted from the climb.
    assert d.acknowledge_due_at == clock.naive + timedelta(hours=4)
    clock.advance(hours=2)
    run()
    assert kinds(d.id)[-1] == ("notice", "ero", 50)
    assert notices(d.id)[-1] == ("ero.1", NoticeKind.HALF.value)

    clock.advance(hours=2)
    run()
    d = db.session.get(Difficulty, difficulty.id)
    assert (d.level, d.owner_id) == (Level.COLLECTOR, user("collector.bhopal").id)
    assert d.overdue_since == opened + timedelta(hours=4)  # overdue since the first breach

    clock.advance(hours=4)
    run()
    d = db.session.get(Difficulty, difficulty.id)
    assert (d.level, d.owner_id) == (Level.STATE, user("state").id)
    assert notices(d.id)[-1] == ("state", NoticeKind.ESCALATED_TO_YOU.value)

    clock.advance(hours=4)
    result = run()
    assert (result.overdue, result.escalated) == (1, 0)  # nowhere higher to go
    d = db.session.get(Difficulty, difficulty.id)
    assert d.level == Level.STATE and d.next_check_at is None
    levels = [level for kind, level, _ in kinds(d.id) if kind == "escalated"]
    assert levels == ["ero", "collector", "state"]
    clock.advance(days=2)
    assert run().checked == 0


def test_the_clock_pauses_while_waiting_on_the_blo(app, clock):
    difficulty = raise_one()
    supervisor = user("sup.1.1")
    clock.advance(hours=1)
    services.perform(supervisor, difficulty, Action.ACKNOWLEDGE, ActionInput())
    services.perform(supervisor, difficulty, Action.START, ActionInput())
    clock.advance(hours=1)
    services.perform(supervisor, difficulty, Action.WAIT_BLO, ActionInput(note="Send the screenshot"))
    db.session.commit()
    assert difficulty.next_check_at is None  # paused: nothing to check

    clock.advance(hours=40)  # far past the 24 hours to resolve, but waiting
    assert run().checked == 0
    d = db.session.get(Difficulty, difficulty.id)
    services.perform(supervisor, d, Action.RESUME, ActionInput())
    db.session.commit()
    # 2 of the 24 hours were used before the pause: 50 % comes 10 hours after resuming.
    assert d.next_check_at == clock.naive + timedelta(hours=10)
    clock.advance(hours=9, minutes=59)
    assert run().notices == 0
    clock.advance(minutes=1)
    assert run().notices == 1
    assert kinds(d.id)[-1] == ("notice", "supervisor", 50)


def test_a_resolved_difficulty_closes_by_itself_after_three_days(app, clock):
    difficulty = raise_one()
    supervisor = user("sup.1.1")
    services.perform(supervisor, difficulty, Action.ACKNOWLEDGE, ActionInput())
    services.perform(supervisor, difficulty, Action.START, ActionInput())
    services.perform(
        supervisor, difficulty, Action.RESOLVE, ActionInput(resolution="fixed", note="App reinstalled")
    )
    db.session.commit()
    clock.advance(days=3, minutes=-1)
    assert run().auto_closed == 0
    clock.advance(minutes=1)
    assert run().auto_closed == 1
    d = db.session.get(Difficulty, difficulty.id)
    assert d.status == Status.CLOSED and d.closed_at == clock.naive
    assert kinds(d.id)[-1] == ("auto_closed", "supervisor", None)
    assert run().checked == 0


def test_escalate_now_does_only_the_difficulty_it_is_given(app, clock):
    first, second = raise_one(), raise_one(Category.FORMS_SHORT, 1, 4, "blo.1.4")
    clock.advance(hours=2)
    d = db.session.get(Difficulty, first.id)
    assert tasks.is_due(d)
    assert tasks.escalate_if_due(d)  # the queue runs at once in tests
    db.session.expire_all()
    assert kinds(first.id)[-1] == ("notice", "supervisor", 50)
    assert kinds(second.id)[-1] == ("created", "supervisor", None)
    assert not tasks.escalate_if_due(db.session.get(Difficulty, first.id))
    assert run().notices == 1  # the second one, on the periodic run


def test_the_periodic_job_runs_every_five_minutes():
    minutes = [m for m in range(60) if tasks.every_five_minutes(datetime(2025, 11, 20, 4, m))]
    assert len(minutes) == 12 and all(b - a == 5 for a, b in zip(minutes, minutes[1:], strict=False))


def test_flask_escalate_prints_the_counts_and_the_time(app, clock):
    difficulty = raise_one()
    clock.advance(hours=4)
    output = app.test_cli_runner().invoke(args=["escalate"]).output
    assert "checked=1" in output and "overdue=1" in output and "escalated=1" in output
    assert output.strip().endswith(" s")
    db.session.expire_all()
    assert db.session.get(Difficulty, difficulty.id).level == Level.ERO
    again = app.test_cli_runner().invoke(args=["escalate"]).output
    assert "checked=0" in again


# -- an officer acting while the job runs (issue 20) ------------------------------------------------
# The job reads a due difficulty, the supervisor acknowledges it on another connection and commits
# before the job writes. The job's conditional update then changes nothing, and so it writes no
# timeline event, no notice and no audit entry for it: the climb did not happen, and nobody is told
# it did. Another difficulty of the same batch, which nobody touched, climbs as before.


def _acknowledge_elsewhere(difficulty_id: int, actor_login: str, moment: Clock) -> None:
    """The supervisor's request, in a transaction of its own, committed before the job writes."""
    db.session.remove()  # the job's read is over; its session goes back to the pool
    found = db.session.get(Difficulty, difficulty_id)
    services.perform(
        user(actor_login), found, Action.ACKNOWLEDGE, ActionInput(version=found.version), moment.naive
    )
    db.session.commit()
    db.session.remove()


def test_an_officer_acting_while_the_job_reads_wins_and_no_climb_is_written(app, clock, monkeypatch):
    contested = raise_one(number=3, login="blo.1.3")
    untouched = raise_one(number=1, login="blo.1.1")
    ids = contested.id, untouched.id
    clock.advance(hours=4)  # both breach the supervisor's four hours: both are due to climb

    real_policies = services.policies
    acted = []

    def policies_then_an_officer(district_ids):
        # Called by the batch after it read the due rows and their timelines, before it writes:
        # the supervisor's acknowledgement lands right then.
        if not acted:
            acted.append(True)
            _acknowledge_elsewhere(ids[0], "sup.1.1", clock)
        return real_policies(district_ids)

    monkeypatch.setattr(services, "policies", policies_then_an_officer)
    result = run()
    db.session.commit()
    db.session.expire_all()

    assert acted and result.lost == 1 and result.escalated == 1
    d = db.session.get(Difficulty, ids[0])
    # The officer's action stands, and the job wrote nothing of its own about this difficulty.
    assert (d.level, d.status, d.owner_id) == (Level.SUPERVISOR, Status.ACKNOWLEDGED, user("sup.1.1").id)
    assert [k for k, *_ in kinds(d.id)] == ["created", "acknowledged"]
    assert [kind for _login, kind in notices(d.id)] == [NoticeKind.NEW.value, NoticeKind.UPDATE.value]
    assert not db.session.scalar(
        select(func.count(AuditEntry.id)).where(
            AuditEntry.action == "difficulty.escalate", AuditEntry.object_id == str(d.id)
        )
    )
    # The other difficulty of the batch climbed as before, with its notices and audit entry.
    other = db.session.get(Difficulty, ids[1])
    assert (other.level, other.owner_id) == (Level.ERO, user("ero.1").id)
    assert [k for k, *_ in kinds(other.id)][-2:] == ["overdue", "escalated"]
    assert ("ero.1", NoticeKind.ESCALATED_TO_YOU.value) in notices(other.id)
    assert (
        db.session.scalar(
            select(func.count(AuditEntry.id)).where(
                AuditEntry.action == "difficulty.escalate", AuditEntry.object_id == str(other.id)
            )
        )
        == 1
    )

    # The next run finds the acknowledged difficulty due on its new clock, not the old one.
    clock.advance(minutes=1)
    assert run().escalated == 0
    assert (
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.difficulty_id == d.id, Notification.kind == NoticeKind.ESCALATED_TO_YOU
            )
        )
        == 0
    )
    assert timedelta(0) <= clock.naive - d.acknowledged_at < timedelta(minutes=2)
    events = select(func.count(DifficultyEvent.id)).where(DifficultyEvent.difficulty_id == d.id)
    assert db.session.scalar(events) == 2
