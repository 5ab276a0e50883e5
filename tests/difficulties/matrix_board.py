"""The officers' board, a difficulty's page and actions, notices and routing in the authorization
matrix (see tests/test_authorization.py)."""

from __future__ import annotations

from sqlalchemy import select

from app.difficulties import services
from app.difficulties.models import Difficulty, Source
from app.extensions import db
from app.models import Constituency, Part, User

OFFICERS = {"state", "collector", "ero", "supervisor"}
VIEWERS = OFFICERS | {"blo"}

ENTRIES = {
    "difficulties.board": (
        "GET",
        "/difficulties/",
        "/difficulties/?district_id={district_out}",
        OFFICERS,
        {"state"},
    ),
    "difficulties.show": (
        "GET",
        "/difficulties/{board_difficulty_in}",
        "/difficulties/{board_difficulty_out}",
        VIEWERS,
        {"state"},
    ),
    # A comment without a note (and without the form's version): 422 in scope, nothing saved.
    "difficulties.act": (
        "POST",
        "/difficulties/{board_difficulty_in}/comment",
        "/difficulties/{board_difficulty_out}/comment",
        VIEWERS,
        {"state"},
    ),
    # Nothing ticked: 422, nothing saved.
    "difficulties.bulk_assign": ("POST", "/difficulties/assign", None, OFFICERS, set()),
    "difficulties.notifications": ("GET", "/difficulties/notifications", None, VIEWERS, set()),
    "difficulties.mark_read": ("POST", "/difficulties/notifications/read", None, VIEWERS, set()),
    # The collector edits their own district's; the state office reads any district's.
    "difficulties.routing": (
        "GET",
        "/difficulties/routing",
        "/difficulties/routing?district_id={district_out}",
        {"state", "collector"},
        {"state"},
    ),
    # The collector edits their own district's working hours; the state office reads any district's.
    "difficulties.working_hours": (
        "GET",
        "/difficulties/hours",
        "/difficulties/hours?district_id={district_out}",
        {"state", "collector"},
        {"state"},
    ),
}

_TOKENS = {
    "board_difficulty_in": ((1, 1), "matrix-board-in-0000"),
    "board_difficulty_out": ((5, 1), "matrix-board-out-000"),
}


def ids(app) -> dict[str, int]:
    """One difficulty raised by the BLO of part 1-1 of AC 1 and one of part 5-1 (made once)."""
    found = {}
    with app.app_context():
        for key, ((ac_number, part_number), token) in _TOKENS.items():
            difficulty = services.from_form_token(token)
            if difficulty is None:
                part = db.session.scalar(
                    select(Part)
                    .join(Constituency, Part.constituency_id == Constituency.id)
                    .where(Constituency.number == ac_number, Part.number == part_number)
                )
                blo = db.session.get(User, part.blo_id)
                difficulty = services.raise_difficulty(
                    blo,
                    part,
                    services.NewDifficulty(category="network", severity="high", form_token=token),
                    Source.BLO,
                )
                db.session.commit()
            found[key] = difficulty.id
        assert db.session.get(Difficulty, found["board_difficulty_in"]) is not None
    return found
