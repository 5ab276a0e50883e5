"""The daily BLO review log (संवाद): record a review, a part's history, who was not contacted
today, and the follow-ups that are due."""

from __future__ import annotations

from datetime import date

from flask import current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.access import OFFICERS, PLACE_VIEWERS, allow
from app.campaign.clock import campaign_today
from app.extensions import db
from app.htmx import redirect_to, render
from app.inputs import local_path
from app.lists import ListForm
from app.models import Constituency, District
from app.reviews import bp
from app.reviews.forms import ReviewForm
from app.reviews.services import (
    RECORDERS,
    ReviewError,
    contact_counts,
    follow_ups_query,
    latest_reviews,
    not_contacted_query,
    part_history,
    record_review,
    review_from_form,
)
from app.scope import Scope, current_scope


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


def _controls() -> tuple[Scope, date, ListForm]:
    """The reader's scope, campaign today and a review list's controls read through that scope."""
    scope = current_scope()
    return scope, campaign_today(), ListForm.read(scope=scope)


def _list_page(endpoint: str, scope: Scope, form: ListForm, query, **link_arguments) -> dict:
    """One page of a review list, the district and AC choices beside it and the link back to it."""
    pages = form.paginate(query, current_app.config["PAGE_SIZE"])
    districts, constituencies = _filter_choices(scope, form.district)
    return {
        "pages": pages,
        "narrowing": form.narrowing,
        "districts": districts,
        "constituencies": constituencies,
        "list_url": url_for(
            endpoint, **link_arguments, page=pages.page if pages.page > 1 else None, **form.narrowing
        ),
    }


@bp.route("/not-contacted")
@allow(OFFICERS)
def not_contacted():
    scope, today, form = _controls()
    conditions = form.part_conditions()
    query = not_contacted_query(scope, today, form.q.data, conditions)
    page = _list_page("reviews.not_contacted", scope, form, query, q=form.q.data or None)
    return render(
        "reviews/not_contacted.html",
        block="rows",
        today=today,
        counts=contact_counts(scope, today, conditions),
        q=form.q.data,
        last_reviews=latest_reviews(row[0].id for row in page["pages"]),
        **page,
    )


@bp.route("/follow-ups")
@allow(OFFICERS)
def follow_ups():
    scope, today, form = _controls()
    query = follow_ups_query(scope, today, form.part_conditions())
    page = _list_page("reviews.follow_ups", scope, form, query)
    return render("reviews/follow_ups.html", block="rows", today=today, **page)
