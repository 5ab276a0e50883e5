"""The report screens' read side: the days open for reports, the day a form is for, what every
report page shows beside its cards, and the words of a saved report's confirmation."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from flask_babel import format_time
from flask_babel import gettext as _

from app.campaign.clock import campaign_now
from app.campaign.services import current_campaign
from app.figures.rules import FIGURE_LABELS
from app.formatting import day as format_day
from app.formatting import lang, percent
from app.inputs import parse_iso_day
from app.reports.services import ReportCard, open_days

DEFAULT_TARGET = Decimal(10)


def campaign_days() -> tuple[list[date], Decimal]:
    """The days open for reports now (latest first) and the daily target."""
    campaign = current_campaign()
    target = campaign.daily_target_percent if campaign else DEFAULT_TARGET
    return open_days(campaign, campaign_now()), Decimal(target)


def chosen_day(text: str | None, days: list[date]) -> tuple[date | None, str | None]:
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


def default_day(days: list[date]) -> date:
    """The day a form opens on: the latest open one, else today (the form is then closed)."""
    return days[0] if days else campaign_now().date()


def shown_digest(card: ReportCard, yesterday: date) -> str:
    """The card's shown_digest in the reader's language (see ReportCard.shown_digest)."""
    return card.shown_digest(yesterday, lang())


def page_context(days: list[date]) -> dict:
    return {"days": days, "yesterday": campaign_now().date() - timedelta(days=1), "labels": FIGURE_LABELS}


def confirmation(card: ReportCard) -> str:
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
