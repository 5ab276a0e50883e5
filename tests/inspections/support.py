"""Shared by the inspections' tests: the tiny demo's places and people, and a planned inspection."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.campaign.clock import campaign_today
from app.extensions import db
from app.inspections import services
from app.models import Constituency, District, Part, User


def user(login: str) -> User:
    return db.session.scalar(select(User).where(User.login == login))


def part(ac_number: int, number: int) -> Part:
    return db.session.scalar(
        select(Part)
        .join(Constituency, Part.constituency_id == Constituency.id)
        .where(Constituency.number == ac_number, Part.number == number)
    )


def bhopal() -> District:
    return db.session.scalar(select(District).where(District.name_en == "Bhopal"))


def plan(
    parts: list[Part], inspector: str = "collector.bhopal", day: date | None = None, closed: bool = True
):
    """A saved inspection of the given parts by the inspector (the collector plans it)."""
    collector = user("collector.bhopal")
    district = bhopal()
    inspection = services.plan_inspection(
        collector,
        district,
        services.PlanInput(
            day=day or campaign_today(),
            inspector_id=user(inspector).id,
            part_ids=tuple(p.id for p in parts),
            return_to_start=closed,
        ),
        Part.district_id == district.id,
        campaign_today(),
    )
    db.session.commit()
    return inspection
