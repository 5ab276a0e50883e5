"""Helpers shared by the idempotency tests: a part with no report for today, figures that keep the rules."""

from __future__ import annotations

import uuid
from datetime import timedelta
from urllib.parse import unquote

from sqlalchemy import delete, func, select

from app.campaign.clock import campaign_today
from app.extensions import db
from app.figures.models import FIGURES, DailyReport
from app.figures.rollups import recompute_constituency_days
from app.models import AuditEntry, Constituency, IdempotencyKey, Part
from app.reports.services import previous_report


def part_id(app, ac: int, number: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(Part.id)
            .join(Constituency, Part.constituency_id == Constituency.id)
            .where(Constituency.number == ac, Part.number == number)
        )


def clear_today(app, pid: int) -> tuple[dict[str, int], int]:
    """Take away the part's reports of today and yesterday; its previous figures and electors."""
    with app.app_context():
        today = campaign_today()
        part = db.session.get(Part, pid)
        db.session.execute(
            delete(DailyReport).where(
                DailyReport.part_id == pid, DailyReport.report_date >= today - timedelta(days=1)
            )
        )
        recompute_constituency_days([part.constituency_id], today - timedelta(days=1))
        db.session.commit()
        return previous_report(pid, today).figures(), part.electors


def advance(previous: dict[str, int], electors: int, step: int = 10) -> dict[str, int]:
    """Figures a little further than `previous` that keep every rule."""
    figures = dict(previous)
    asd = sum(previous[name] for name in FIGURES if name.startswith("asd_"))
    figures["distributed"] = min(previous["distributed"] + 2 * step, electors)
    figures["collected"] += min(step, figures["distributed"] - previous["collected"] - asd)
    figures["digitized"] += min(step, figures["collected"] + asd - previous["digitized"])
    mapped = previous["mapped_self"] + previous["mapped_progeny"] + previous["unmapped"]
    figures["mapped_self"] += min(step // 2, figures["digitized"] - mapped)
    return figures


def new_key() -> str:
    return str(uuid.uuid4())


def count(app, model, *conditions) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def report_count(app, pid: int) -> int:
    return count(app, DailyReport, DailyReport.part_id == pid, DailyReport.report_date == _today(app))


def audit_count(app, prefix: str) -> int:
    return count(app, AuditEntry, AuditEntry.action.like(f"{prefix}%"))


def key_count(app) -> int:
    return count(app, IdempotencyKey)


def refusal(response) -> str:
    return unquote(response.headers.get("X-Refusal", ""))


def _today(app):
    with app.app_context():
        return campaign_today()
