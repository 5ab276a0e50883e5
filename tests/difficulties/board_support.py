"""Shared by the board's and the difficulty page's tests: raising a difficulty, signing in, reading
a page's CSRF token and a difficulty's fresh state."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from app.difficulties import services
from app.difficulties.models import Difficulty, DifficultyEvent, Source
from app.extensions import db
from app.models import Constituency, Part, User


def part_of(ac_number: int, part_number: int) -> Part:
    return db.session.scalar(
        select(Part)
        .join(Constituency, Part.constituency_id == Constituency.id)
        .where(Constituency.number == ac_number, Part.number == part_number)
    )


def user(login: str) -> User:
    return db.session.scalar(select(User).where(User.login == login))


def raise_one(app, ac_number=1, part_number=1, category="network", severity="high", now=None, by=None) -> int:
    """A difficulty raised by the part's BLO (or `by`), committed; its id."""
    with app.app_context():
        part = part_of(ac_number, part_number)
        actor = user(by) if by else db.session.get(User, part.blo_id)
        difficulty = services.raise_difficulty(
            actor,
            part,
            services.NewDifficulty(category=category, severity=severity, description="test difficulty"),
            Source.BLO if by is None else Source.OFFICER,
            now,
        )
        db.session.commit()
        return difficulty.id


def fresh(app, difficulty_id: int) -> Difficulty:
    with app.app_context():
        difficulty = db.session.get(Difficulty, difficulty_id)
        db.session.expunge(difficulty)
        return difficulty


def kinds(app, difficulty_id: int) -> list[str]:
    with app.app_context():
        return [
            e.kind.value
            for e in db.session.scalars(
                select(DifficultyEvent)
                .where(DifficultyEvent.difficulty_id == difficulty_id)
                .order_by(DifficultyEvent.id)
            )
        ]


def page_token(html: str) -> str:
    match = re.search(r'"X-CSRFToken": "([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match[1]


def freeze(app, moment: datetime) -> None:
    """Freeze the app's clock (aware, UTC) at `moment`."""
    app.config["CLOCK"] = lambda: moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
