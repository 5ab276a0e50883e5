"""The daily BLO review log (संवाद): record a review, a part's history, who was not contacted
today, and the follow-ups that are due."""

from __future__ import annotations

from flask import current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.access import OFFICERS, PLACE_VIEWERS, allow
from app.extensions import db
from app.htmx import redirect_to, render
from app.inputs import int_arg, local_path, page_arg
from app.models import Constituency, Difficulty, District, ReviewKind
from app.reviews import bp
from app.reviews.forms import ReviewForm
from app.reviews.services import (
    DIFFICULTY_LABELS,
    KIND_LABELS,
    RECORDERS,
    ReviewError,
    contact_counts,
    follow_ups_query,
    latest_reviews,
    not_contacted_query,
    page_of,
    part_history,
    place_conditions,
    record_review,
    review_from_form,
)
from app.scope import Scope, current_scope
from app.timeutil import campaign_today


@bp.app_template_filter("review_kind_label")
def review_kind_label(kind) -> str:
    return str(KIND_LABELS.get(ReviewKind(kind), kind)) if kind else "—"


@bp.app_template_filter("difficulty_label")
def difficulty_label(difficulty) -> str:
    return str(DIFFICULTY_LABELS.get(Difficulty(difficulty), difficulty)) if difficulty else "—"


@bp.app_template_filter("review_due")
def review_due(review) -> bool:
    """The review's follow-up date has come (today or earlier, campaign time)."""
    return bool(review is not None and review.follow_up_on and review.follow_up_on <= campaign_today())


def _narrowing(scope: Scope) -> tuple[District | None, Constituency | None]:
    """The district_id / constituency_id query parameters, each checked through the scope."""
    district_id = int_arg("district_id")
    constituency_id = int_arg("constituency_id")
    district = scope.require_district(district_id) if district_id else None
    constituency = scope.require_constituency(constituency_id) if constituency_id else None
    if district is not None and constituency is not None and constituency.district_id != district.id:
        constituency = None  # the district was changed after the AC was chosen
    return district, constituency


def _filter_choices(scope: Scope, district: District | None) -> tuple[list, list]:
    """Districts (only when the scope spans several) and ACs (only when more than one) to narrow to."""
    districts = db.session.scalars(scope.districts().order_by(District.name_en)).all()
    acs = scope.constituencies().order_by(Constituency.number)
    if district is not None:
        acs = acs.where(Constituency.district_id == district.id)
    constituencies = db.session.scalars(acs).all()
    return (districts if len(districts) > 1 else []), (constituencies if len(constituencies) > 1 else [])


@bp.route("/parts/<int:part_id>", methods=["GET", "POST"])
@allow(RECORDERS)
def new(part_id: int):
    scope = current_scope()
    part = scope.require_part(part_id)
    today = campaign_today()
    next_url = local_path(request.values.get("next"))
    form = ReviewForm(today=today)
    if form.validate_on_submit():
        try:
            record_review(current_user._get_current_object(), part, form.review(), today)
            db.session.commit()
        except ReviewError as error:
            db.session.rollback()
            form.add_errors(error.errors)
        except IntegrityError:
            # The same form sent twice at the same moment: the other request saved it; answer alike.
            db.session.rollback()
            if review_from_form(form.review().form_token) is None:
                raise
            return _recorded(part, next_url)
        else:
            return _recorded(part, next_url)
    return render(
        "reviews/new.html",
        block="form",
        status=422 if request.method == "POST" else 200,
        part=part,
        form=form,
        next_url=next_url,
        latest_review=latest_reviews([part.id]).get(part.id),
    )


def _recorded(part, next_url: str | None):
    """The answer to a saved review, the same for the first Save and a repeated one."""
    flash(_("Review of %(part)s recorded.", part=f"{part.constituency.number}-{part.number}"), "success")
    return redirect_to(next_url or url_for("reviews.part", part_id=part.id))


@bp.route("/parts/<int:part_id>/history")
@allow(PLACE_VIEWERS)
def part(part_id: int):
    """Every review of the part; a BLO sees here what was agreed with them."""
    part = current_scope().require_part(part_id)
    return render(
        "reviews/part.html",
        block="history",
        part=part,
        reviews=part_history(part.id),
        today=campaign_today(),
    )


@bp.route("/not-contacted")
@allow(OFFICERS)
def not_contacted():
    scope = current_scope()
    today = campaign_today()
    district, constituency = _narrowing(scope)
    conditions = place_conditions(district, constituency)
    q = request.args.get("q", "")[:80].strip()
    size = current_app.config["PAGE_SIZE"]
    rows, found, page = page_of(not_contacted_query(scope, today, q, conditions), page_arg(), size)
    districts, constituencies = _filter_choices(scope, district)
    filters = {
        "district_id": district.id if district else None,
        "constituency_id": constituency.id if constituency else None,
    }
    return render(
        "reviews/not_contacted.html",
        block="rows",
        today=today,
        counts=contact_counts(scope, today, conditions),
        rows=rows,
        found=found,
        page=page,
        page_size=size,
        q=q,
        filters=filters,
        districts=districts,
        constituencies=constituencies,
        last_reviews=latest_reviews(row[0].id for row in rows),
        list_url=url_for("reviews.not_contacted", q=q or None, page=page if page > 1 else None, **filters),
    )


@bp.route("/follow-ups")
@allow(OFFICERS)
def follow_ups():
    scope = current_scope()
    today = campaign_today()
    district, constituency = _narrowing(scope)
    size = current_app.config["PAGE_SIZE"]
    rows, found, page = page_of(
        follow_ups_query(scope, today, place_conditions(district, constituency)), page_arg(), size
    )
    districts, constituencies = _filter_choices(scope, district)
    filters = {
        "district_id": district.id if district else None,
        "constituency_id": constituency.id if constituency else None,
    }
    return render(
        "reviews/follow_ups.html",
        block="rows",
        today=today,
        rows=rows,
        found=found,
        page=page,
        page_size=size,
        filters=filters,
        districts=districts,
        constituencies=constituencies,
        list_url=url_for("reviews.follow_ups", page=page if page > 1 else None, **filters),
    )
