"""Inspection pages (outputs): the share of each AC's parts inspected in the last N days, as a table
and on a map (visited in the window or not, flagged marked), and the open flags the progress pages
and the part pages show."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app, jsonify, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.sql.elements import ColumnElement
from wtforms.validators import ValidationError

from app.access import allow
from app.campaign.clock import campaign_day_of, campaign_today
from app.extensions import db
from app.formatting import day as format_day
from app.formatting import lang
from app.formatting import number as format_number
from app.htmx import render
from app.inputs import BadArgument
from app.inspections import bp, services
from app.inspections.figures import MAX_DAYS, default_days, window_start
from app.inspections.models import PartFlag, Stop, StopStatus
from app.lists import ListForm, WholeNumberField
from app.models import Constituency, District, Part, Role
from app.scope import Scope, current_scope

COVERAGE_ROLES = (Role.STATE, Role.COLLECTOR, Role.ERO)


class CoverageForm(ListForm):
    """The coverage page's controls: the district or AC, and the window in days (1 to 90)."""

    days = WholeNumberField(minimum=1)

    def validate_days(self, field) -> None:
        if field.data is not None and field.data > MAX_DAYS:
            raise ValidationError(_("Choose a number of days from 1 to %(days)s.", days=MAX_DAYS))


@dataclass
class CoverageArea:
    """The parts the page covers: the scope narrowed to the district or AC asked for."""

    scope: Scope
    district: District | None
    constituency: Constituency | None
    days: int
    narrowing: dict = field(default_factory=dict)

    @property
    def parts(self) -> ColumnElement[bool]:
        condition = self.scope.part_filter()
        if self.district is not None:
            condition = condition & (Part.district_id == self.district.id)
        if self.constituency is not None:
            condition = condition & (Part.constituency_id == self.constituency.id)
        return condition

    @property
    def place(self):
        return self.constituency or self.district or self.scope.user.constituency or self.scope.user.district

    @property
    def mapped(self) -> bool:
        """The map draws one district or AC; the state office chooses one first."""
        return not self.scope.sees_whole_state or self.place is not None

    def choices(self) -> tuple[list[District], list[Constituency]]:
        districts = list(db.session.scalars(self.scope.districts().order_by(District.name_en)))
        constituencies: list[Constituency] = []
        if self.district is not None or not self.scope.sees_whole_state:
            query = self.scope.constituencies().order_by(Constituency.number)
            if self.district is not None:
                query = query.where(Constituency.district_id == self.district.id)
            constituencies = list(db.session.scalars(query))
        return (districts if len(districts) > 1 else []), (constituencies if len(constituencies) > 1 else [])

    @property
    def args(self) -> dict:
        return {**self.narrowing, "days": self.days}


def coverage_area(scope: Scope | None = None) -> CoverageArea:
    scope = scope or current_scope()
    form = CoverageForm.read(scope=scope, today=campaign_today())
    days = form.days.data or default_days(scope, form.district, form.constituency)
    return CoverageArea(scope, form.district, form.constituency, days, form.narrowing)


@bp.route("/coverage")
@allow(*COVERAGE_ROLES)
def coverage():
    """Per AC: its parts, how many were inspected in the window, the share, and the open flags."""
    area = coverage_area()
    today = campaign_today()
    rows = services.coverage(area.parts, window_start(today, area.days))
    flagged = services.flagged_counts(area.parts, Part.constituency_id)
    districts, constituencies = area.choices()
    total_parts = sum(r.parts for r in rows)
    total_inspected = sum(r.inspected for r in rows)
    return render(
        "inspections/coverage.html",
        block="coverage",
        area=area,
        rows=rows,
        flagged=flagged,
        totals=(total_parts, total_inspected, sum(flagged.values())),
        districts=districts,
        constituencies=constituencies,
        today=today,
        first_day=today - timedelta(days=area.days - 1),
        max_days=MAX_DAYS,
        data_url=url_for("inspections.coverage_data", **area.args) if area.mapped else None,
        tile_url=current_app.config.get("MAP_TILE_URL", ""),
        tile_attribution=current_app.config.get("MAP_TILE_ATTRIBUTION", ""),
    )


@bp.route("/coverage/data.json")
@allow(*COVERAGE_ROLES)
def coverage_data():
    """The coverage map's points: every located part of the area, inspected in the window or not,
    flagged ones marked. Three queries: the parts, the visits in the window, the open flags."""
    try:
        area = coverage_area()
    except BadArgument as error:
        return jsonify(error=error.message), 400
    if not area.mapped:
        return jsonify(error=_("Choose a district or an AC.")), 400
    today = campaign_today()
    condition = area.parts
    parts = db.session.execute(
        select(Part.id, Part.number, Part.name_en, Part.name_hi, Part.lat, Part.lon, Constituency.number)
        .join(Constituency, Constituency.id == Part.constituency_id)
        .where(condition)
        .order_by(Constituency.number, Part.number)
    ).all()
    visited = dict(
        db.session.execute(
            select(Stop.part_id, func.max(Stop.visited_at))
            .join(Part, Part.id == Stop.part_id)
            .where(
                condition,
                Stop.status == StopStatus.VISITED,
                Stop.visited_at >= window_start(today, area.days),
            )
            .group_by(Stop.part_id)
        ).all()
    )
    flags = dict(
        db.session.execute(
            select(PartFlag.part_id, PartFlag.raised_at)
            .join(Part, Part.id == PartFlag.part_id)
            .where(condition, PartFlag.cleared_at.is_(None))
        ).all()
    )
    hindi = lang() == "hi"
    points, unlocated = [], 0
    for part_id, number, name_en, name_hi, lat, lon, ac_number in parts:
        if lat is None or lon is None:
            unlocated += 1
            continue
        last = visited.get(part_id)
        flag = flags.get(part_id)
        if flag is not None:
            band, detail = "inspect-flagged", _("Figures flagged by an inspection on %(day)s", day=_day(flag))
        elif last is not None:
            band, detail = "inspect-yes", _("Inspected on %(day)s", day=_day(last))
        else:
            band, detail = "inspect-no", _("Not inspected in the last %(days)s days", days=area.days)
        points.append(
            {
                "id": part_id,
                "lat": lat,
                "lon": lon,
                "label": f"{ac_number}-{number}",
                "name": (name_hi or name_en) if hindi else name_en,
                "band": band,
                "detail": detail,
                "url": _part_url(part_id),
            }
        )
    response = jsonify(
        days=area.days,
        parts=len(parts),
        unlocated=unlocated,
        inspected=sum(1 for p in parts if p[0] in visited),
        flagged=len(flags),
        points=points,
    )
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _day(at) -> str:
    if isinstance(at, str):  # SQLite's max() of a datetime comes back as text
        at = datetime.fromisoformat(at)
    return format_day(campaign_day_of(at))


def _part_url(part_id: int) -> str:
    return url_for("progress.part", part_id=part_id)


@bp.app_template_filter("campaign_day")
def campaign_day(at) -> date | None:
    """A stored (naive UTC) moment's campaign day, for the `day` filter."""
    if at is None:
        return None
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    return campaign_day_of(at)


@bp.app_template_filter("finding")
def finding_text(finding: dict) -> str:
    """One finding of a visit in the reader's language: a figure counted against the one reported,
    or a sample's confirmations."""
    kind = finding.get("kind")
    if kind in services.FIGURE_LABELS:
        return _(
            "%(figure)s: counted %(verified)s, reported %(reported)s",
            figure=services.FIGURE_LABELS[kind],
            verified=format_number(finding.get("verified")),
            reported=format_number(finding.get("reported")),
        )
    return _(
        "%(sample)s: %(confirmed)s of %(sampled)s confirmed",
        sample=services.SAMPLE_LABELS.get(kind, kind),
        confirmed=format_number(finding.get("verified")),
        sampled=format_number(finding.get("reported")),
    )
