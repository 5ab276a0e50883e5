"""The BLO's daily report: today's cumulative figures per part, checked live, saved once per day.

A supervisor, ERO or collector may enter the figures for a part in their scope; the report then
records that it was entered on the BLO's behalf (submit_report decides from the actor).
"""

from __future__ import annotations

import hmac
from datetime import date, timedelta
from decimal import Decimal

from flask import flash, request, url_for
from flask_babel import format_time
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app import audit, idempotency
from app.access import allow
from app.campaign.clock import campaign_now
from app.campaign.services import current_campaign
from app.extensions import db
from app.figures.models import FIGURES
from app.figures.rules import FIGURE_LABELS
from app.formatting import day as format_day
from app.formatting import lang, percent
from app.htmx import is_partial, redirect_to, render
from app.inputs import parse_iso_day
from app.inspections.services import open_flags
from app.models import Part, Role, User
from app.reports import bp
from app.reports.marks import previous_marks
from app.reports.services import (
    ReportCard,
    ReportConflict,
    ReportError,
    ReportsAround,
    card_around,
    checked_card,
    find_part,
    open_days,
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
DEFAULT_TARGET = Decimal(10)


def _campaign_days() -> tuple[list[date], Decimal]:
    """The days open for reports now (latest first) and the daily target."""
    campaign = current_campaign()
    target = campaign.daily_target_percent if campaign else DEFAULT_TARGET
    return open_days(campaign, campaign_now()), Decimal(target)


def _chosen_day(text: str | None, days: list[date]) -> tuple[date | None, str | None]:
    """The day asked for (the latest open day when none), or None with the reason it is refused."""
    if not days:
        return None, _("Reports are closed: the enumeration period is not running.")
    if not text:
        return days[0], None
    try:
        chosen = parse_iso_day(text)
    except ValueError:
        return None, _("That is not a date. Choose one of the dates offered.")
    if chosen not in days:
        return None, _(
            "Reports for %(day)s are closed. You can enter the figures for %(open)s.",
            day=format_day(chosen),
            open=format_day(days[0]),
        )
    return chosen, None


def _default_day(days: list[date]) -> date:
    """The day a form opens on: the latest open one, else today (the form is then closed)."""
    return days[0] if days else campaign_now().date()


def _posted_card(part: Part, day: date, target: Decimal) -> ReportCard:
    """The part's card with the figures as posted, kept as typed."""
    card = report_card(part, day, target)
    card.values, card.correction_reason = _posted()
    return card


def _digest(card: ReportCard, yesterday: date) -> str:
    """The card's shown_digest in the reader's language (see ReportCard.shown_digest)."""
    return card.shown_digest(yesterday, lang())


bp.add_app_template_global(_digest, "shown_digest")


def _page_context(days: list[date]) -> dict:
    return {"days": days, "yesterday": campaign_now().date() - timedelta(days=1), "labels": FIGURE_LABELS}


def _render_part(card: ReportCard, days: list[date], status: int = 200, block: str = "card", **context):
    return render(
        "reports/part.html", block=block, status=status, card=card, **_page_context(days), **context
    )


@bp.route("/")
@allow(REPORTERS)
def today():
    """A BLO's parts, each with its form; officers find the part they enter figures for."""
    scope = current_scope()
    days, target = _campaign_days()
    day = _default_day(days)
    if current_user.role == Role.BLO:
        cards = report_cards(scope.part_filter(), day, target) if days else []
        flags = open_flags(scope.part_filter()) if cards else {}  # an inspection found the figures wrong
        return render(
            "reports/today.html", cards=cards, flags=flags, day=day, target=target, **_page_context(days)
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
        **_page_context(days),
    )


@bp.route("/parts/<int:part_id>", methods=["GET", "POST"])
@allow(REPORTERS)
@idempotency.idempotent
def part(part_id: int):
    """One part's form; POST saves it (again and again: one report per part per day)."""
    part = current_scope().require_part(part_id)
    days, target = _campaign_days()
    asked = request.form if request.method == "POST" else request.args
    day, refused = _chosen_day(asked.get("report_date"), days)
    if request.method == "GET":
        card = report_card(part, day or _default_day(days), target)
        if refused:
            card.errors["__all__"] = refused
        flags = open_flags(Part.id == part.id)  # an inspection found the figures wrong
        return _render_part(card, days, status=422 if refused else 200, flags=flags)

    if day is None:
        card = _posted_card(part, _default_day(days), target)
        card.errors = {"__all__": refused}
        idempotency.refusal(refused)
        return _render_part(card, days, status=422)
    values, reason = _posted()
    errors = unreadable(values, reason)
    try:
        saved = None if errors else _save(part, day, read_figures(values), reason, days, errors)
    except ReportConflict as conflict:
        return _conflict(part, day, target, days, conflict.current)
    if saved is None:
        card = _posted_card(part, day, target)
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
    if not is_partial() or _overriding():
        flash(_confirmation(card), "success")
        return redirect_to(url_for("reports.part", part_id=part.id, report_date=day.isoformat()))
    # The form stays as typed, which is what was saved: the answer is the confirmation, the check
    # and the marks beside the fields, not the whole card again. The confirmation has a place of its
    # own, so a live check still on its way does not wipe it. When the form says its check was drawn
    # from exactly these figures, the check and the marks stand as shown and are not sent again.
    yesterday = campaign_now().date() - timedelta(days=1)
    shown = request.form.get("check_shown", "")[:64]
    response = _render_part(
        card,
        days,
        block="saved",
        confirmation=_confirmation(card),
        prefilled=saved.created and saved.previous is not None,
        check_current=bool(shown) and hmac.compare_digest(shown, _digest(card, yesterday)),
    )
    response.headers["HX-Retarget"] = f"#confirm-{part.id}"
    response.headers["HX-Reswap"] = "innerHTML"
    return response


def _overriding() -> bool:
    """The sender chose their figures over another person's, on the conflict page."""
    return request.form.get("override") == "1"


def _conflict(part: Part, day: date, target: Decimal, days: list[date], current):
    """409: another person saved other figures for the day since the sender's form showed them.
    Both sets side by side, and the two choices; nothing of the sender's is saved."""
    card = _posted_card(part, day, target)
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


def _posted() -> tuple[dict[str, str], str]:
    """The figures and the reason as typed (bounded: a pasted essay is cut, then refused)."""
    values = {name: request.form.get(name, "")[:20] for name in FIGURES}
    return values, request.form.get("correction_reason", "")[:1000].strip()


def _save(
    part: Part, day: date, figures: dict[str, int | None], reason: str, days: list[date], errors: dict
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
                seen=request.form.get("report_seen"),
                override=_overriding(),
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


def _confirmation(card: ReportCard) -> str:
    progress = card.progress
    if card.no_change:
        return _(
            "Saved at %(time)s as no change today: the figures are those of your report of %(day)s.",
            time=format_time(card.saved_at, "short"),
            day=format_day(card.previous.report_date, "d MMM"),
        )
    return _(
        "Saved at %(time)s. Pace: %(pace)s of electors digitized (target %(target)s).",
        time=format_time(card.saved_at, "short"),
        pace=percent(progress.daily_pace if progress else None),
        target=percent(card.target, 0),
    )


@bp.route("/parts/<int:part_id>/check", methods=["POST"])
@allow(REPORTERS)
def check(part_id: int):
    """The live check while typing: pace against the target and the rules broken. Saves nothing."""
    part = current_scope().require_part(part_id)
    days, target = _campaign_days()
    day, refused = _chosen_day(request.form.get("report_date"), days)
    card = checked_card(part, day or _default_day(days), target)
    card.values, card.correction_reason = _posted()
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
    days, _target = _campaign_days()
    day, refused = _chosen_day(request.form.get("report_date"), days)
    current = reports_around(part.id, day).current if day else None
    if current is None:
        message = refused or _("There is no report of this day to keep: fill the form again.")
        idempotency.refusal(message)
        flash(message, "error")
        return redirect_to(url_for("reports.part", part_id=part.id))
    dropped, _reason = _posted()
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
