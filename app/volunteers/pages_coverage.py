"""The read side of the collector's views of volunteers: which parts have help (a list and a map),
who is on now, arriving or leaving in each AC, and the hours, days, no-shows and offers of each
organisation. The queries are in figures.py; here each screen's context is built from the scope
and the list controls already read. Nothing here reads the request.

A collector sees their district, an ERO their AC, a supervisor their parts; the state office
chooses a district for the coverage and the board of who is on now. A volunteer's mobile shows
only to the collector and the EROs (their rows are always of their own district).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import true
from sqlalchemy.sql.elements import ColumnElement

from app.campaign.clock import campaign_now, campaign_today
from app.extensions import db
from app.formatting import lang
from app.lists import ListForm, place_choices
from app.models import Constituency, District, Part
from app.scope import Scope
from app.volunteers.figures import (
    SEES_MOBILE,
    Moment,
    coverage_counts,
    coverage_points,
    coverage_query,
    hours_by_institution_query,
    hours_by_organisation,
    institution_row,
    on_now_counts,
    on_now_query,
    total_of,
)
from app.volunteers.models import Assignment, VisitDay


@dataclass
class Area:
    """The parts a page covers: the reader's scope narrowed to the district or AC asked for (a
    collector's own district, an ERO's own AC), as conditions on parts, assignments and days."""

    scope: Scope
    district: District | None
    constituency: Constituency | None
    narrowing: dict = field(default_factory=dict)

    @property
    def chosen(self) -> bool:
        """The state office must choose a district (or an AC); everyone else has their own."""
        return not self.scope.sees_whole_state or self.district is not None or self.constituency is not None

    def _narrowed(self, district_column, constituency_column) -> ColumnElement[bool]:
        condition = true()
        if self.district is not None:
            condition = condition & (district_column == self.district.id)
        if self.constituency is not None:
            condition = condition & (constituency_column == self.constituency.id)
        return condition

    @property
    def parts(self) -> ColumnElement[bool]:
        return self.scope.part_filter() & self._narrowed(Part.district_id, Part.constituency_id)

    @property
    def assignments(self) -> ColumnElement[bool]:
        return self.scope.of(Assignment) & self._narrowed(Assignment.district_id, Assignment.constituency_id)

    @property
    def days(self) -> ColumnElement[bool]:
        return self.scope.of(VisitDay) & self._narrowed(VisitDay.district_id, VisitDay.constituency_id)

    def constituencies(self) -> list[Constituency]:
        query = self.scope.constituencies().order_by(Constituency.number)
        if self.district is not None:
            query = query.where(Constituency.district_id == self.district.id)
        if self.constituency is not None:
            query = query.where(Constituency.id == self.constituency.id)
        return list(db.session.scalars(query))

    def choices(self) -> tuple[list[District], list[Constituency]]:
        """Districts (only when the scope spans several) and the district's ACs (when more than one)."""
        return place_choices(self.scope, self.district)

    @property
    def place(self):
        """The place the page is about: the one asked for, else a collector's district or an ERO's AC."""
        return self.constituency or self.district or self.scope.user.constituency or self.scope.user.district


def area_of(scope: Scope, form: ListForm) -> Area:
    return Area(scope, form.district, form.constituency, form.narrowing)


def _part_url(part_id: int) -> str:
    endpoint = "progress.part" if "progress.part" in current_app.view_functions else "places.part"
    return url_for(endpoint, part_id=part_id)


# -- coverage -----------------------------------------------------------------------------------


def coverage_context(scope: Scope, form: ListForm, today: date) -> dict:
    """Parts with and without help on the day: counts and the list (filtered, by page); the map's
    points come from coverage_data."""
    area = area_of(scope, form)
    districts, constituencies = area.choices()
    context = dict(
        area=area,
        day=form.day,
        today=today,
        districts=districts,
        constituencies=constituencies,
        which=form.filter_by,
    )
    if not area.chosen:
        return context
    data_args = dict(area.narrowing, date=form.day.isoformat() if form.day != today else None)
    return dict(
        context,
        counts=coverage_counts(form.day, area.parts, area.assignments),
        pages=form.paginate(
            coverage_query(form.day, area.parts, area.assignments, form.filter_by),
            current_app.config["PAGE_SIZE"],
        ),
        data_url=url_for("volunteers.coverage_data", **data_args),
        tile_url=current_app.config.get("MAP_TILE_URL", ""),
        tile_attribution=current_app.config.get("MAP_TILE_ATTRIBUTION", ""),
    )


def coverage_data(area: Area, day: date) -> dict:
    """The coverage map's points: every located part of the area, coloured with or without help."""
    points, unlocated = coverage_points(day, area.parts, area.assignments, lang())
    for point in points:
        helpers = point["helpers"]
        point.update(
            band="help-yes" if helpers else "help-no",
            detail=ngettext("%(num)s volunteer on the day", "%(num)s volunteers on the day", helpers)
            if helpers
            else _("No volunteer on the day"),
            url=_part_url(point["id"]),
        )
    return dict(
        day=day.isoformat(),
        parts=len(points) + unlocated,
        unlocated=unlocated,
        with_help=sum(1 for p in points if p["helpers"]),
        points=points,
    )


# -- who's on now -------------------------------------------------------------------------------


def on_now_context(scope: Scope, form: ListForm) -> dict:
    """Per AC: volunteers checked in and not out, arriving within the hour, leaving within the hour."""
    area = area_of(scope, form)
    districts, constituencies = area.choices()
    moment = Moment.of(campaign_now())
    context = dict(
        area=area,
        moment=moment,
        districts=districts,
        constituencies=constituencies,
        which=form.filter_by,
        shows_mobile=scope.role in SEES_MOBILE,
    )
    if not area.chosen:
        return context
    return dict(
        context,
        counts=on_now_counts(moment, area.constituencies(), area.assignments),
        pages=form.paginate(
            on_now_query(moment, area.assignments, form.filter_by), current_app.config["PAGE_SIZE"]
        ),
    )


# -- figures ------------------------------------------------------------------------------------


def figures_context(scope: Scope, form: ListForm) -> dict:
    """Hours, days, no-shows and offers by organisation; hours by institution (by page)."""
    area = area_of(scope, form)
    districts, constituencies = area.choices()
    by_organisation = hours_by_organisation(area.days, area.assignments)
    pages = form.paginate(hours_by_institution_query(area.days), current_app.config["PAGE_SIZE"])
    return dict(
        area=area,
        districts=districts,
        constituencies=constituencies,
        by_organisation=by_organisation,
        total=total_of(by_organisation),
        institutions=[institution_row(row) for row in pages.items],
        pages=pages,
        today=campaign_today(),
    )
