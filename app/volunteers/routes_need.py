"""The officers' need board: the parts that need help most with their nearest free volunteers, and
offers sent from it, one by one or in bulk. Contexts in pages_need.py, forms in forms.py."""

from __future__ import annotations

from flask import flash, request, url_for
from flask_babel import gettext as _

from app import idempotency
from app.access import allow
from app.campaign.clock import campaign_today
from app.campaign.services import current_campaign
from app.extensions import db
from app.formatting import number
from app.htmx import is_partial, redirect_to, render
from app.inputs import BadArgument
from app.lists import ListForm
from app.models import Role
from app.scope import Scope, current_scope
from app.timeutil import utcnow
from app.volunteers import bp, services
from app.volunteers import pages_need as pages
from app.volunteers.forms import BulkOfferForm, OfferForm, OfferTargetForm
from app.volunteers.services import VolunteerError

BOARD_OFFICERS = (Role.COLLECTOR, Role.ERO)


def _board(scope: Scope, message=None, level="success", errors=None, sent=None, ticked=()) -> dict:
    """The board's context for the list controls and the hours in the query string."""
    form = ListForm.read(scope=scope, today=campaign_today(), campaign=current_campaign())
    hours = pages.slot_hours(request.args)
    opened = pages.opened_parts(request.args)
    return pages.board_context(scope, form, hours, message, level, errors, sent, ticked, opened)


@bp.route("/need")
@allow(BOARD_OFFICERS)
def need():
    """The parts that need help most, each with why and with its nearest free volunteers."""
    return render("volunteers/need.html", block="rows", **_board(current_scope()))


def _send_bulk(scope: Scope, district, form: BulkOfferForm) -> tuple[list, int, dict, str | None]:
    """Every ticked offer, all or none: (made, status, errors, problem)."""
    pairs = form.pairs()
    if not pairs:
        problem = (
            _("Tick the volunteers to offer.") if pairs is not None else _("That choice is not on the board.")
        )
        return [], 422, {}, problem
    chosen = pages.ticked_pairs(scope, district, pairs)
    if chosen is None:
        return [], 403, {}, _("Some of the ticked volunteers or parts are not yours to offer.")
    try:
        made = services.offer_many(scope.user, chosen, form.offer_input(), utcnow(), campaign_today())
    except VolunteerError as error:
        return [], error.status, error.errors, None
    return made, 200, {}, None


@bp.route("/offers", methods=["POST"])
@allow(BOARD_OFFICERS)
def offer_bulk():
    """Offer every ticked volunteer their part, on the same days and hours: all of them or none."""
    scope = current_scope()
    district = pages.board_district(scope)
    form = BulkOfferForm()
    made, status, errors, problem = _send_bulk(scope, district, form)
    if problem or errors:
        db.session.rollback()
        reasons = [*([problem] if problem else []), *errors.values()]
        idempotency.refusal(" ".join(reasons))
        message = " ".join([_("No offer was sent."), *reasons])
        context = _board(scope, message, "error", errors, form.sent, form.ticked)
        if is_partial():
            return render("volunteers/need.html", block="rows", status=status, **context)
        return render("volunteers/need.html", status=status, **context)
    db.session.commit()
    message = _("%(count)s offers sent. Each counts once the volunteer accepts it.", count=number(len(made)))
    if is_partial():
        return render("volunteers/need.html", block="rows", **_board(scope, message))
    flash(message, "success")
    return redirect_to(url_for("volunteers.need", **request.args))


def _required(field) -> int:
    """An id of the offer's address (or posted): a bad one is a 400."""
    if field.data is None:
        raise BadArgument(field.name, field.raw_data[0] if field.raw_data else "")
    return field.data


@bp.route("/offer", methods=["GET", "POST"])
@allow(BOARD_OFFICERS)
def offer():
    """Offer one volunteer one part's days and hours, and the tasks they may do there."""
    scope = current_scope()
    target = OfferTargetForm(formdata=request.values)
    part = scope.require_part(_required(target.part_id))
    volunteer = pages.board_volunteer(scope, _required(target.volunteer_id))
    if request.method == "GET":
        start, end = pages.slot_hours(request.args)
        day = pages.read_day(request.args.get("date")) or campaign_today()
        sent = pages.offer_defaults(day, campaign_today(), start, end)
        return render(
            "volunteers/offer.html", block="offer", **pages.offer_context(scope, part, volunteer, sent)
        )
    form = OfferForm()
    try:
        made = services.offer(scope.user, volunteer, part, form.offer_input(), utcnow(), campaign_today())
    except VolunteerError as error:
        db.session.rollback()
        idempotency.refusal(" ".join(error.errors.values()))
        message = _("Nothing was sent: see the messages below.")
        context = pages.offer_context(scope, part, volunteer, form.sent, error.errors, message)
        return render("volunteers/offer.html", block="offer", status=error.status, **context)
    db.session.commit()
    message = _(
        "Offer sent to %(name)s for part %(ac)s-%(part)s. It counts once they accept it.",
        name=volunteer.name,
        ac=pages.ac_number(made.constituency_id),
        part=part.number,
    )
    flash(message, "success")
    return redirect_to(url_for("volunteers.offers"))
