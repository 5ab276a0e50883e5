"""The BLO's side of difficulties in the authorization matrix: logging one, the duplicate hints, the
BLO's own list and a difficulty's photo."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select

from app.difficulties import services
from app.difficulties.models import Difficulty, DifficultyPhoto, Source
from app.extensions import db
from app.models import Constituency, Part, User
from app.photos import process_photo

REPORTERS = {"collector", "ero", "supervisor", "blo"}
VIEWERS = {"state", "collector", "ero", "supervisor", "blo"}

ENTRIES = {
    # A POST without a category: allowed roles get 422 (nothing saved), others 403.
    "difficulties.new": (
        "POST",
        "/difficulties/new?part_id={part_in}",
        "/difficulties/new?part_id={part_out}",
        REPORTERS,
        set(),
    ),
    "difficulties.hints": (
        "GET",
        "/difficulties/hints?part_id={part_in}&category=app",
        "/difficulties/hints?part_id={part_out}&category=app",
        REPORTERS,
        set(),
    ),
    "difficulties.mine": ("GET", "/difficulties/mine", None, {"blo"}, set()),
    "difficulties.photo": (
        "GET",
        "/difficulties/{photo_difficulty_in}/photo",
        "/difficulties/{photo_difficulty_out}/photo",
        VIEWERS,
        {"state"},
    ),
}


def _photo():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "orange").save(buffer, "PNG")
    return process_photo(buffer.getvalue())


def _part(ac_number: int, number: int) -> Part:
    return db.session.scalar(
        select(Part)
        .join(Constituency, Part.constituency_id == Constituency.id)
        .where(Constituency.number == ac_number, Part.number == number)
    )


def _difficulty(part: Part, with_photo: bool) -> int:
    """A difficulty of the part (one with a photo when asked), raised by its BLO if none exists."""
    query = select(Difficulty.id).where(Difficulty.part_id == part.id)
    if with_photo:
        query = query.join(DifficultyPhoto, DifficultyPhoto.difficulty_id == Difficulty.id)
    found = db.session.scalar(query.order_by(Difficulty.id).limit(1))
    if found is not None:
        return found
    blo = db.session.get(User, part.blo_id)
    data = services.NewDifficulty(
        category="network", severity="high", description="No signal at the booth", photo=_photo()
    )
    return services.raise_difficulty(blo, part, data, Source.BLO).id


def ids(app) -> dict[str, int]:
    """Part 1-1 of AC 1 (in scope for ero.1, sup.1.1, blo.1.1, collector.bhopal) and part 5-1 (out)."""
    with app.app_context():
        inside, outside = _part(1, 1), _part(5, 1)
        found = {
            "difficulty_in": _difficulty(inside, with_photo=False),
            "difficulty_out": _difficulty(outside, with_photo=False),
            "photo_difficulty_in": _difficulty(inside, with_photo=True),
            "photo_difficulty_out": _difficulty(outside, with_photo=True),
        }
        db.session.commit()
    return found
