"""What the review pages call a review's kind and the difficulty heard, and the template filters
that show them (registered once, by register())."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.campaign.clock import campaign_today
from app.difficulties.labels import HEARD_CATEGORY_LABELS
from app.formatting import register_filters
from app.reviews.models import Difficulty, ReviewKind

KIND_LABELS = {
    ReviewKind.CALL: _l("Phone call"),
    ReviewKind.VISIT: _l("Visit to the booth"),
    ReviewKind.MEETING: _l("Meeting"),
}

# The categories' words are the difficulties' own (a review's difficulty opens one).
DIFFICULTY_LABELS = HEARD_CATEGORY_LABELS


def review_kind_label(kind) -> str:
    return str(KIND_LABELS.get(ReviewKind(kind), kind)) if kind else "—"


def difficulty_label(difficulty) -> str:
    return str(DIFFICULTY_LABELS.get(Difficulty(difficulty), difficulty)) if difficulty else "—"


def review_due(review) -> bool:
    """The review's follow-up date has come (today or earlier, campaign time)."""
    return bool(review is not None and review.follow_up_on and review.follow_up_on <= campaign_today())


FILTERS = {
    "review_kind_label": review_kind_label,
    "difficulty_label": difficulty_label,
    "review_due": review_due,
}


def register(bp) -> None:
    """Give every template the reviews' filters, once (called by app/reviews/__init__.py)."""
    register_filters(bp, FILTERS)
