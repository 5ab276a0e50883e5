"""The campaign in force and its settings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import current_app, g, has_request_context
from sqlalchemy import select

from app import audit
from app.extensions import db
from app.models import Campaign, User

_LATEST = select(Campaign).order_by(Campaign.id.desc()).limit(1)  # built once: every request reads it


def current_campaign() -> Campaign | None:
    """The campaign in force (the latest one), read once per request."""
    if has_request_context() and "campaign" in g:
        return g.campaign
    campaign = db.session.scalar(_LATEST)
    if has_request_context():
        g.campaign = campaign
    return campaign


def campaign_timezone() -> str:
    campaign = current_campaign()
    return campaign.timezone if campaign else current_app.config["CAMPAIGN_TIMEZONE"]


def update_campaign(
    campaign: Campaign,
    actor: User,
    *,
    name: str,
    enumeration_start: date,
    enumeration_end: date,
    daily_target_percent: Decimal,
    timezone: str,
    report_cutoff_hour: int,
) -> Campaign:
    before = campaign.snapshot()
    campaign.name = name
    campaign.enumeration_start = enumeration_start
    campaign.enumeration_end = enumeration_end
    campaign.daily_target_percent = daily_target_percent
    campaign.timezone = timezone
    campaign.report_cutoff_hour = report_cutoff_hour
    audit.record(actor, "campaign.update", campaign, before, campaign.snapshot())
    return campaign
