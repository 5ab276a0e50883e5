"""The BLO's daily report: today's cumulative figures per part, checked live, saved once per day.

A supervisor, ERO or collector may enter the figures for a part in their scope; the report then
records that it was entered on the BLO's behalf (submit_report decides from the actor).
"""

from __future__ import annotations

import hmac
from datetime import date, timedelta
from decimal import Decimal

from flask import flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app import audit, idempotency
from app.access import allow
from app.campaign.clock import campaign_now
from app.extensions import db
from app.htmx import is_partial, redirect_to, render
from app.inspections.services import open_flags
from app.models import Part, Role, User
from app.reports import bp
from app.reports.forms import ReportForm
from app.reports.marks import previous_marks
from app.reports.pages import (
    campaign_days,
    chosen_day,
    confirmation,
    default_day,
    page_context,
    shown_digest,
)
from app.reports.services import (
    ReportCard,
    ReportConflict,
    ReportError,
    ReportsAround,
    card_around,
    checked_card,
    find_part,
    parts_without_report,
    read_figures,
    report_card,
    report_cards,
    reports_around,
    seen_stamp,
    submit_report,
    unreadable,
)
from app.scope import current_scope

REPORTERS = frozenset({Role.BLO, Role.SUPERVISOR, Role.ERO, Role.COLLECTOR})
bp.add_app_template_global(seen_stamp, "seen_stamp")
bp.add_app_template_global(previous_marks, "previous_marks")
bp.add_app_template_global(idempotency.new_key, "new_idempotency_key")
bp.add_app_template_global(shown_digest, "shown_digest")


def _posted_card(part: Part, day: date, target: Decimal, form: ReportForm) -> ReportCard:
    """The part's card with the figures as posted, kept as typed."""
    card = report_card(part, day, target)
    card.values, card.correction_reason = form.posted()
    return card


def _render_part(card: ReportCard, days: list[date], status: int = 200, block: str = "card", **context):
    return render("reports/part.html", block=block, status=status, card=card, **page_context(days), **context)


@bp.route("/")
@allow(REPORTERS)
def today():
    """A BLO's parts, each with its form; officers find the part they enter figures for."""
    scope = current_scope()
    days, target = campaign_days()
    day = default_day(days)
    if current_user.role == Role.BLO:
        cards = report_cards(scope.part_filter(), day, target) if days else []
        flags = open_flags(scope.part_filter()) if cards else {}  # an inspection found the figures wrong
        return render(
            "reports/today.html", cards=cards, flags=flags, day=day, target=target, **page_context(days)
        )
    query = request.args.get("part", "")[:20]
    if query:
        found = find_part(scope.part_filter(), query)
        if found is not None:
            return redirect_to(url_for("reports.part", part_id=found.id))
    waiting, waiting_total = parts_without_report(scope.part_filter(), day)
    return render(
        "reports/today.html",
        block="officer",
        status=404 if query else 200,
        cards=[],
        day=day,
        target=target,
        query=query,
        waiting=waiting,
        waiting_total=waiting_total,
        **page_context(days),
    )


@bp.route("/parts/<int:part_id>", methods=["GET", "POST"])
@allow(REPORTERS)
@idempotency.idempotent
def part(part_id: int):
    """One part's form; POST saves it (again and again: one report per part per day)."""
    part = current_scope().require_part(part_id)
    days, target = campaign_days()
    form = ReportForm.read()
    day, refused = chosen_day(form.report_date.data, days)
    if request.method == "GET":
        card = report_card(part, day or default_day(days), target)
        if refused:
            card.errors["__all__"] = refused
        flags = open_flags(Part.id == part.id)  # an inspection found the figures wrong
        return _render_part(card, days, status=422 if refused else 200, flags=flags)

    if day is None:
        card = _posted_card(part, default_day(days), target, form)
        card.errors = {"__all__": refused}
        idempotency.refusal(refused)
        return _render_part(card, days, status=422)
    values, reason = form.posted()
    errors = unreadable(values, reason)
    try:
        saved = None if errors else _save(part, day, read_figures(values), reason, days, errors, form)
    except ReportConflict as conflict:
        return _conflict(part, day, target, days, conflict.current, form)
    if saved is None:
        card = _posted_card(part, day, target, form)
        card.errors = errors
        if card.lowered and not card.correction_reason:
            if card.above_later:
                card.errors["correction_reason"] = _(
                    "Say why the figure is above the later report, e.g. that report was counted short."
                )
            else:
                card.errors["correction_reason"] = _("Say why the figure is lower, e.g. a recount of forms.")
        idempotency.refusal(next(iter(card.errors.values()), ""))
        return _render_part(card, days, status=422)

    card = card_around(part, day, target, saved)
    card.saved_at = saved.current.updated_at
    if not is_partial() or form.overriding:
        flash(confirmation(card), "success")
        return redirect_to(url_for("reports.part", part_id=part.id, report_date=day.isoformat()))
    # The form stays as typed, which is what was saved: the answer is the confirmation, the check
    # and the marks beside the fields, not the whole card again. The confirmation has a place of its
    # own, so a live check still on its way does not wipe it. When the form says its check was drawn
    # from exactly these figures, the check and the marks stand as shown and are not sent again.
    yesterday = campaign_now().date() - timedelta(days=1)
    shown = form.check_shown.data
    response = _render_part(
        card,
        days,
        block="saved",
        confirmation=confirmation(card),
        prefilled=saved.created and saved.previous is not None,
        check_current=bool(shown) and hmac.compare_digest(shown, shown_digest(card, yesterday)),
    )
    response.headers["HX-Retarget"] = f"#confirm-{part.id}"
    response.headers["HX-Reswap"] = "innerHTML"
    return response


def _conflict(part: Part, day: date, target: Decimal, days: list[date], current, form: ReportForm):
    """409: another person saved other figures for the day since the sender's form showed them.
    Both sets side by side, and the two choices; nothing of the sender's is saved."""
    card = _posted_card(part, day, target, form)
    entered_by = db.session.get(User, current.entered_by_id) if current.entered_by_id else None
    idempotency.refusal(
        _(
            "Not saved: %(name)s entered other figures for this day. Open the report to choose which stand.",
            name=entered_by.name if entered_by else _("someone else"),
        )
    )
    return _render_part(
        card,
        days,
        status=409,
        conflict={"report": current, "entered_by": entered_by, "seen": seen_stamp(current)},
    )


def _save(
    part: Part,
    day: date,
    figures: dict[str, int | None],
    reason: str,
    days: list[date],
    errors: dict,
    form: ReportForm,
) -> ReportsAround | None:
    """Save the figures and commit: the reports around the day as saved, or None with `errors`
    filled with what to show (nothing is saved then)."""
    for attempt in (1, 2):
        try:
            saved = submit_report(
                current_user,
                part,
                day,
                figures,
                correction_reason=reason,
                allowed_days=days,
                seen=form.report_seen.data,
                override=form.overriding,
            )
            # The part, the user and the campaign stay loaded for the answer: nothing else wrote them.
            db.session().expire_on_commit = False
            db.session.commit()
            return saved
        except ReportError as error:
            db.session.rollback()
            errors.update(error.errors)
            return None
        except ReportConflict:
            db.session.rollback()
            raise
        except IntegrityError:
            # Two first saves of the same day at once (a double tap): the second one updates.
            db.session.rollback()
            if attempt == 2:
                raise
    return None


@bp.route("/parts/<int:part_id>/check", methods=["POST"])
@allow(REPORTERS)
def check(part_id: int):
    """The live check while typing: pace against the target and the rules broken. Saves nothing."""
    part = current_scope().require_part(part_id)
    days, target = campaign_days()
    form = ReportForm.read()
    day, refused = chosen_day(form.report_date.data, days)
    card = checked_card(part, day or default_day(days), target)
    card.values, card.correction_reason = form.posted()
    card.errors = card.live_errors()
    if refused:
        card.errors["__all__"] = refused
    return _render_part(card, days, block="check")


@bp.route("/parts/<int:part_id>/keep", methods=["POST"])
@allow(REPORTERS)
@idempotency.idempotent
def keep(part_id: int):
    """The conflict page's other choice: the figures another person saved stand, the sender's are
    dropped. Nothing changes in the report; the choice is audited with the figures dropped."""
    part = current_scope().require_part(part_id)
    days, _target = campaign_days()
    form = ReportForm.read()
    day, refused = chosen_day(form.report_date.data, days)
    current = reports_around(part.id, day).current if day else None
    if current is None:
        message = refused or _("There is no report of this day to keep: fill the form again.")
        idempotency.refusal(message)
        flash(message, "error")
        return redirect_to(url_for("reports.part", part_id=part.id))
    dropped = form.figures_as_typed()
    audit.record(
        current_user,
        "report.conflict_kept",
        current,
        None,
        {
            "report_date": day.isoformat(),
            "kept_entered_by_id": current.entered_by_id,
            "kept_updated_at": seen_stamp(current),
            "dropped": read_figures(dropped),
        },
    )
    db.session.commit()
    flash(_("The figures already saved stand; yours were dropped."), "success")
    return redirect_to(url_for("reports.part", part_id=part.id, report_date=day.isoformat()))
