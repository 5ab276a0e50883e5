"""The whole transition matrix, enforced by the server: every status × role × action, at a
difficulty's first level and after it climbed past the supervisor. The expectations are written
out here, apart from app/difficulties/workflow.py, so a change to the rules has to change both."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.difficulties import services
from app.difficulties.models import Difficulty, DifficultyEvent, Level, Source, Status
from app.difficulties.services import ActionInput, NewDifficulty, NotAllowed
from app.difficulties.workflow import Action, Relation, ReopenWindowClosed, allowed_actions, may_reopen
from app.extensions import db
from app.models import Constituency, Part, User
from app.timeutil import utcnow
from tests.conftest import LOGINS, make_app, reset_database

S = Status
ACTIVE = {S.OPEN, S.ACKNOWLEDGED, S.IN_PROGRESS, S.WAITING_BLO, S.WAITING_HELPDESK}
WORKING = ACTIVE - {S.OPEN}
NOT_CLOSED = set(S) - {S.CLOSED}

# What the officer who holds the level (or any officer above it) may do, by status.
OWNER = {
    Action.ACKNOWLEDGE: {S.OPEN},
    Action.START: {S.ACKNOWLEDGED},
    Action.WAIT_BLO: {S.ACKNOWLEDGED, S.IN_PROGRESS},
    Action.WAIT_HELPDESK: {S.ACKNOWLEDGED, S.IN_PROGRESS},
    Action.RESUME: {S.WAITING_BLO, S.WAITING_HELPDESK},
    Action.RESOLVE: WORKING,
    Action.MARK_DUPLICATE: ACTIVE,
    Action.COMMENT: NOT_CLOSED,
    Action.ASSIGN: ACTIVE,
}
# The BLO who reported it.
REPORTER = {Action.CONFIRM: {S.RESOLVED}, Action.REOPEN: {S.RESOLVED, S.CLOSED}, Action.COMMENT: NOT_CLOSED}
# An officer below the level it climbed to follows it and comments.
OBSERVER = {Action.COMMENT: NOT_CLOSED}
NOBODY: dict = {}

EXPECTED = {
    Level.SUPERVISOR: {
        "blo": REPORTER,
        "supervisor": OWNER,
        "ero": OWNER,
        "collector": OWNER,
        "state": OWNER,
        "volunteer": NOBODY,
        "admin": NOBODY,
    },
    Level.ERO: {
        "blo": REPORTER,
        "supervisor": OBSERVER,
        "ero": OWNER,
        "collector": OWNER,
        "state": OWNER,
        "volunteer": NOBODY,
        "admin": NOBODY,
    },
}


@pytest.fixture(scope="module")
def world(database_url):
    app = make_app(database_url)
    reset_database(app)
    with app.test_request_context():
        part = db.session.scalar(
            select(Part)
            .join(Constituency, Part.constituency_id == Constituency.id)
            .where(Constituency.number == 1, Part.number == 1)
        )
        blo = db.session.scalar(select(User).where(User.login == LOGINS["blo"]))
        subject = services.raise_difficulty(blo, part, NewDifficulty("app", "high", "app down"), Source.BLO)
        original = services.raise_difficulty(blo, part, NewDifficulty("app", "high", "first"), Source.BLO)
        db.session.commit()
        ids = {"subject": subject.id, "original": original.id}
        users = {
            role: db.session.scalar(select(User.id).where(User.login == login))
            for role, login in LOGINS.items()
        }
        ids["sup"] = users["supervisor"]
        ids["ero"] = users["ero"]
    return app, ids, users


def _input(action: Action, role: str, ids: dict, version: int) -> ActionInput:
    assignee = ids["sup"] if role == "supervisor" else ids["ero"]
    return ActionInput(
        note="Spoke to the helpdesk; done.",
        resolution="fixed",
        duplicate_of_id=ids["original"],
        assignee_id=assignee,
        version=version,
    )


CASES = [
    (level, status, role, action)
    for level in EXPECTED
    for status in S
    for role in LOGINS
    for action in Action
]


@pytest.mark.parametrize(("level", "status", "role", "action"), CASES, ids=lambda v: getattr(v, "value", v))
def test_transition_matrix(world, level, status, role, action):
    app, ids, users = world
    with app.test_request_context():
        difficulty = db.session.get(Difficulty, ids["subject"])
        difficulty.level, difficulty.status = level, status
        difficulty.owner_id = None
        if status in (S.RESOLVED, S.CLOSED):
            difficulty.resolved_at = utcnow() - timedelta(hours=1)
        db.session.flush()
        actor = db.session.get(User, users[role])
        allowed = status in EXPECTED[level][role].get(action, set())
        events_before = db.session.scalar(
            select(db.func.count(DifficultyEvent.id)).where(DifficultyEvent.difficulty_id == difficulty.id)
        )
        try:
            if allowed:
                services.perform(actor, difficulty, action, _input(action, role, ids, difficulty.version))
                events_after = db.session.scalar(
                    select(db.func.count(DifficultyEvent.id)).where(
                        DifficultyEvent.difficulty_id == difficulty.id
                    )
                )
                assert events_after == events_before + 1, "an allowed action writes one timeline event"
            else:
                with pytest.raises(NotAllowed):
                    services.perform(actor, difficulty, action, _input(action, role, ids, difficulty.version))
        finally:
            db.session.rollback()


def test_the_reporter_may_reopen_only_within_seven_days(world):
    app, ids, users = world
    with app.test_request_context():
        difficulty = db.session.get(Difficulty, ids["subject"])
        difficulty.status = S.CLOSED
        difficulty.resolved_at = utcnow() - timedelta(days=7, minutes=1)
        db.session.flush()
        blo = db.session.get(User, users["blo"])
        try:
            with pytest.raises(NotAllowed):
                services.perform(blo, difficulty, Action.REOPEN, ActionInput(note="still broken"))
            difficulty.resolved_at = utcnow() - timedelta(days=6, hours=23)
            db.session.flush()
            services.perform(blo, difficulty, Action.REOPEN, ActionInput(note="still broken"))
            assert difficulty.status == S.OPEN and difficulty.resolution is None
        finally:
            db.session.rollback()


def test_reopening_needs_a_reason_and_says_when_its_window_closed(world):
    app, ids, users = world
    with app.test_request_context():
        difficulty = db.session.get(Difficulty, ids["subject"])
        resolved_at = utcnow() - timedelta(days=2)
        difficulty.status, difficulty.resolved_at = S.RESOLVED, resolved_at
        db.session.flush()
        blo = db.session.get(User, users["blo"])
        try:
            for note in ("", "   ", "x" * 501):
                with pytest.raises(services.DifficultyError) as refused:
                    services.perform(blo, difficulty, Action.REOPEN, ActionInput(note=note))
                assert set(refused.value.errors) == {"note"}
            assert difficulty.status == S.RESOLVED
            with pytest.raises(ReopenWindowClosed) as closed:
                services.perform(
                    blo,
                    difficulty,
                    Action.REOPEN,
                    ActionInput(note="x"),
                    resolved_at + timedelta(days=7, seconds=1),
                )
            assert closed.value.resolved_at == resolved_at
            assert closed.value.until == resolved_at + timedelta(days=7)
            services.perform(blo, difficulty, Action.REOPEN, ActionInput(note="x" * 500))
            assert difficulty.status == S.OPEN
        finally:
            db.session.rollback()


def test_the_page_offers_reopening_only_inside_its_window():
    held = {Relation.REPORTER}
    assert Action.REOPEN in allowed_actions(S.CLOSED, held)
    assert Action.REOPEN not in allowed_actions(S.CLOSED, held, reopenable=False)
    resolved_at = utcnow()
    assert may_reopen(resolved_at, resolved_at + timedelta(days=7))
    assert not may_reopen(resolved_at, resolved_at + timedelta(days=7, microseconds=1))
    assert not may_reopen(None, resolved_at)


def test_resolving_needs_a_code_and_a_note(world):
    app, ids, users = world
    with app.test_request_context():
        difficulty = db.session.get(Difficulty, ids["subject"])
        difficulty.status = S.IN_PROGRESS
        db.session.flush()
        sup = db.session.get(User, users["supervisor"])
        try:
            with pytest.raises(services.DifficultyError) as refused:
                services.perform(sup, difficulty, Action.RESOLVE, ActionInput(note="  "))
            assert set(refused.value.errors) == {"resolution", "note"}
            with pytest.raises(services.DifficultyError) as refused:
                services.perform(
                    sup, difficulty, Action.RESOLVE, ActionInput(note="x", resolution="duplicate")
                )
            assert set(refused.value.errors) == {"duplicate_of_id"}
            assert difficulty.status == S.IN_PROGRESS
        finally:
            db.session.rollback()


def test_a_second_officer_acting_on_what_they_saw_gets_a_conflict(world):
    app, ids, users = world
    with app.test_request_context():
        difficulty = db.session.get(Difficulty, ids["subject"])
        difficulty.status, difficulty.level = S.OPEN, Level.SUPERVISOR
        db.session.flush()
        seen = difficulty.version
        sup = db.session.get(User, users["supervisor"])
        ero = db.session.get(User, users["ero"])
        try:
            services.perform(sup, difficulty, Action.ACKNOWLEDGE, ActionInput(version=seen))
            db.session.flush()
            with pytest.raises(services.VersionConflict):
                services.perform(ero, difficulty, Action.START, ActionInput(version=seen))
            assert difficulty.status == S.ACKNOWLEDGED
        finally:
            db.session.rollback()
