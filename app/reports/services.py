"""Submitting one part's figures for one day: validated, idempotent, audited, rolled up."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from app import audit
from app.extensions import db
from app.models import FIGURES, Campaign, DailyReport, Part, Role, User
from app.progress.rollups import recompute_constituency_days
from app.reports.validation import lowered_figures, validate_figures


class ReportError(ValueError):
    """User-caused: {field or "__all__": message}."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def open_days(campaign: Campaign | None, now: datetime) -> list[date]:
    """The days a report may be entered for now: today, and yesterday until the cut-off hour."""
    today = now.date()
    days = [today]
    cutoff = campaign.report_cutoff_hour if campaign else 12
    if now.hour < cutoff:
        days.append(today - timedelta(days=1))
    if campaign is not None:
        days = [
            d for d in days if campaign.enumeration_start <= d <= campaign.enumeration_end + timedelta(days=1)
        ]
    return days


def report_on(part_id: int, day: date) -> DailyReport | None:
    return db.session.scalar(
        select(DailyReport).where(DailyReport.part_id == part_id, DailyReport.report_date == day)
    )


def previous_report(part_id: int, day: date) -> DailyReport | None:
    """The latest report strictly before `day`: the figures today's must not fall below."""
    return db.session.scalar(
        select(DailyReport)
        .where(DailyReport.part_id == part_id, DailyReport.report_date < day)
        .order_by(DailyReport.report_date.desc())
        .limit(1)
    )


def submit_report(
    actor: User,
    part: Part,
    day: date,
    figures: dict[str, int | None],
    *,
    correction_reason: str | None = None,
    allowed_days: list[date] | None = None,
    source: str = "form",
) -> DailyReport:
    """Create or update the part's report for the day. Raises ReportError; writes nothing then."""
    if allowed_days is not None and day not in allowed_days:
        raise ReportError({"__all__": _("Reports for this date are closed.")})
    previous = previous_report(part.id, day)
    previous_figures = previous.figures() if previous else None
    reason = (correction_reason or "").strip() or None
    errors = validate_figures(figures, part.electors, previous_figures, reason)
    if errors:
        raise ReportError(errors)
    values = {name: int(figures[name]) for name in FIGURES}
    lowered = lowered_figures(values, previous_figures)

    report = report_on(part.id, day)
    before = report.figures() if report else None
    if report is None:
        report = DailyReport(
            part_id=part.id,
            constituency_id=part.constituency_id,
            district_id=part.district_id,
            report_date=day,
        )
        db.session.add(report)
    for name, value in values.items():
        setattr(report, name, value)
    report.entered_by_id = actor.id
    report.on_behalf = actor.role != Role.BLO or part.blo_id != actor.id
    report.correction_reason = reason if lowered else None
    report.source = source
    db.session.flush()
    after = {**values, "report_date": day.isoformat(), "on_behalf": report.on_behalf}
    if lowered:
        after["correction"] = {"figures": lowered, "reason": reason}
    audit.record(actor, "report.update" if before else "report.create", report, before, after)
    recompute_constituency_days([part.constituency_id], day)
    return report
