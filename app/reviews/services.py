"""The daily review (संवाद) of BLOs: recording one, a part's history, the parts whose BLO was not
contacted today and the follow-ups that are due.

A review belongs to a part and names the part's BLO at the time. "The latest review" of a part is
the one with the latest review date (the latest recorded on that date breaks ties); what was agreed
there is what stands, so a follow-up is due only while its review is still the part's latest one.
Every list is one grouped query over the user's scope, never a query per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import aliased, joinedload
from sqlalchemy.sql.elements import ColumnElement

from app import audit
from app.difficulties.models import Source
from app.difficulties.services import link_or_raise
from app.extensions import db
from app.figures.selects import part_lines
from app.formatting import number
from app.models import Constituency, Part, Role, User
from app.places.services import parts_query
from app.reviews.models import BloReview, Difficulty, ReviewKind
from app.scope import Scope

# Who records reviews: the state office watches but does not call BLOs itself.
RECORDERS = frozenset({Role.COLLECTOR, Role.ERO, Role.SUPERVISOR})
OUTCOME_MAX_LENGTH = 1000


class ReviewError(ValueError):
    """User-caused: {field: message}."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class NewReview:
    kind: str | None
    outcome: str | None
    difficulty: str | None = None
    follow_up_on: date | None = None
    form_token: str | None = None


# -- the rules, shared by the form and by record_review ----------------------------------------


def kind_problem(kind: str | None) -> str | None:
    if kind not in {k.value for k in ReviewKind}:
        return str(_l("Choose call, visit or meeting."))
    return None


def outcome_problem(outcome: str | None) -> str | None:
    text = (outcome or "").strip()
    if not text:
        return str(_l("Write what was said and agreed."))
    if len(text) > OUTCOME_MAX_LENGTH:
        return str(_l("Keep it to %(count)s characters or fewer.", count=number(OUTCOME_MAX_LENGTH)))
    return None


def difficulty_problem(difficulty: str | None) -> str | None:
    if difficulty and difficulty not in {d.value for d in Difficulty}:
        return str(_l("Choose a difficulty from the list."))
    return None


def follow_up_problem(follow_up_on: date | None, today: date) -> str | None:
    if follow_up_on is not None and follow_up_on < today:
        return str(_l("The follow-up date cannot be in the past."))
    return None


def validate_review(data: NewReview, today: date) -> dict[str, str]:
    problems = {
        "kind": kind_problem(data.kind),
        "outcome": outcome_problem(data.outcome),
        "difficulty": difficulty_problem(data.difficulty),
        "follow_up_on": follow_up_problem(data.follow_up_on, today),
    }
    return {name: message for name, message in problems.items() if message}


def snapshot(review: BloReview) -> dict:
    return {
        "part_id": review.part_id,
        "blo_id": review.blo_id,
        "review_date": review.review_date.isoformat(),
        "kind": review.kind.value,
        "outcome": review.outcome,
        "difficulty": review.difficulty.value if review.difficulty else None,
        "difficulty_id": review.difficulty_id,
        "follow_up_on": review.follow_up_on.isoformat() if review.follow_up_on else None,
    }


def review_from_form(form_token: str | None) -> BloReview | None:
    """The review already saved from this rendered form, if any."""
    if not form_token:
        return None
    return db.session.scalar(select(BloReview).where(BloReview.form_token == form_token))


def record_review(actor: User, part: Part, data: NewReview, today: date) -> BloReview:
    """Add today's review of the part's BLO, audited. Raises ReviewError; adds nothing then.

    A review that notes a difficulty opens one (routed and clocked like any other), or links the
    part's open one of that category, so that what a BLO said on the phone is not lost.
    A form sent again (a double tap, a retry after a lost answer) gives back the review it saved.
    """
    errors = validate_review(data, today)
    if errors:
        raise ReviewError(errors)
    saved = review_from_form(data.form_token)
    if saved is not None:
        return saved
    review = BloReview(
        part_id=part.id,
        district_id=part.district_id,
        constituency_id=part.constituency_id,
        blo_id=part.blo_id,
        reviewer_id=actor.id,
        review_date=today,
        kind=ReviewKind(data.kind),
        outcome=(data.outcome or "").strip(),
        difficulty=Difficulty(data.difficulty) if data.difficulty else None,
        follow_up_on=data.follow_up_on,
        form_token=data.form_token,
    )
    db.session.add(review)
    db.session.flush()
    if review.difficulty is not None:
        review.difficulty_id = link_or_raise(actor, part, review.difficulty, review.outcome, Source.REVIEW).id
    audit.record(actor, "review.create", review, None, snapshot(review))
    return review


# -- reading ----------------------------------------------------------------------------------


def _is_latest_of_its_part() -> ColumnElement[bool]:
    """No later review of the same part: later date, or same date and recorded after it."""
    later = aliased(BloReview)
    return ~exists(
        select(later.id).where(
            later.part_id == BloReview.part_id,
            or_(
                later.review_date > BloReview.review_date,
                and_(later.review_date == BloReview.review_date, later.id > BloReview.id),
            ),
        )
    )


def latest_reviews(part_ids) -> dict[int, BloReview]:
    """Each part's latest review (with its reviewer loaded), in one query."""
    ids = list(part_ids)
    if not ids:
        return {}
    reviews = db.session.scalars(
        select(BloReview)
        .options(joinedload(BloReview.reviewer))
        .where(BloReview.part_id.in_(ids), _is_latest_of_its_part())
    )
    return {review.part_id: review for review in reviews}


def part_history(part_id: int, limit: int = 200) -> list[BloReview]:
    """The part's reviews, newest first, with reviewer and BLO loaded."""
    return list(
        db.session.scalars(
            select(BloReview)
            .options(joinedload(BloReview.reviewer), joinedload(BloReview.blo))
            .where(BloReview.part_id == part_id)
            .order_by(BloReview.review_date.desc(), BloReview.id.desc())
            .limit(limit)
        )
    )


def reviewed_on(day: date) -> ColumnElement[bool]:
    """The part (of the enclosing query) has a review on `day`; an index probe per part."""
    return exists(select(BloReview.id).where(BloReview.part_id == Part.id, BloReview.review_date == day))


@dataclass(frozen=True)
class ContactCounts:
    contacted: int
    total: int

    @property
    def not_contacted(self) -> int:
        return self.total - self.contacted

    @property
    def percent(self) -> float | None:
        return self.contacted * 100 / self.total if self.total else None


def contact_counts(scope: Scope, day: date, conditions=()) -> ContactCounts:
    """Parts in scope, and how many of them had their BLO reviewed on `day`: one query."""
    total, contacted = db.session.execute(
        select(func.count(Part.id), func.count(case((reviewed_on(day), Part.id)))).where(
            scope.part_filter(), *conditions
        )
    ).one()
    return ContactCounts(contacted=int(contacted or 0), total=int(total or 0))


def not_contacted_query(scope: Scope, day: date, q: str = "", conditions=()) -> Select:
    """Rows (Part, AC number, BLO name, BLO mobile) of parts without a review on `day`,
    by AC and part number; searchable like the parts list (name, building, BLO, "AC-part")."""
    return parts_query(scope, q).where(~reviewed_on(day), *conditions)


def follow_ups_query(scope: Scope, today: date, conditions=()) -> Select:
    """Rows (part, AC number, BLO name, BLO mobile, review, reviewer name) of the follow-ups due
    today or overdue, the oldest first. Only a part's latest review counts: a later review is the
    follow-up, and what it agreed replaces what was agreed before."""
    reviewer = aliased(User)
    due = and_(
        scope.part_filter(),
        BloReview.follow_up_on.is_not(None),
        BloReview.follow_up_on <= today,
        _is_latest_of_its_part(),
        *conditions,
    )
    return (
        part_lines(due)
        .add_columns(BloReview, reviewer.name.label("reviewer_name"))
        .join(BloReview, BloReview.part_id == Part.id)
        .join(reviewer, BloReview.reviewer_id == reviewer.id)
        .order_by(None)
        .order_by(BloReview.follow_up_on, Constituency.number, Part.number)
    )
