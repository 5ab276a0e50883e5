"""The read side of each volunteer's hours: the list of volunteers with their hours and days over a
range of days (this week unless chosen), and a volunteer's certificate of service. The queries are
in hours.py; here each screen's context is built from the scope and what the route has read.

The list is scoped as the other figures of volunteers (pages_coverage.figures_context): the reader's
days, narrowed to the district or AC asked for. A certificate is of a volunteer the reader may list
(figures.volunteer_condition: their district's, or one who had an offer in their AC or parts), and
counts the days within the reader's scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import abort, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.campaign.services import current_campaign
from app.extensions import db
from app.lists import ListForm
from app.models import District
from app.scope import Scope
from app.volunteers.figures import volunteer_condition
from app.volunteers.hours import (
    HoursChoice,
    hours_of,
    hours_row,
    hours_total,
    parts_served,
    per_volunteer_query,
    this_week,
)
from app.volunteers.labels import ORGANISATION_LABELS
from app.volunteers.models import VisitDay, Volunteer
from app.volunteers.pages_coverage import area_of


@dataclass(frozen=True)
class Preset:
    """A range of days offered as one link: this week, last week, the whole campaign."""

    label: object
    start: date
    end: date

    def chosen(self, choice: HoursChoice) -> bool:
        return (self.start, self.end) == (choice.start, choice.end)


def presets(today: date) -> list[Preset]:
    monday, _today = this_week(today)
    found = [
        Preset(_l("This week"), monday, today),
        Preset(_l("Last week"), monday - timedelta(days=7), monday - timedelta(days=1)),
    ]
    campaign = current_campaign()
    if campaign is not None and campaign.enumeration_start <= today:
        found.append(Preset(_l("Since the campaign began"), campaign.enumeration_start, today))
    return found


def hours_context(scope: Scope, form: ListForm, choice: HoursChoice, today: date) -> dict:
    """Each volunteer with a day in the range, most hours first (by page), and their total."""
    area = area_of(scope, form)
    districts, constituencies = area.choices()
    query = per_volunteer_query(area.days, choice, form.q.data)
    pages = form.paginate(query, current_app.config["PAGE_SIZE"])
    args = dict(area.narrowing, **choice.args, **({"q": form.q.data} if form.q.data else {}))
    return dict(
        area=area,
        districts=districts,
        constituencies=constituencies,
        choice=choice,
        q=form.q.data,
        rows=[hours_row(row) for row in pages.items],
        pages=pages,
        total=hours_total(query),
        today=today,
        presets=presets(today),
        organisations=list(ORGANISATION_LABELS.items()),
        args=args,
        download_args=dict(area.narrowing, **choice.args),
    )


def reachable_volunteer(scope: Scope, volunteer_id: int) -> Volunteer:
    """A volunteer the reader may list (404 when there is none, 403 when not theirs)."""
    found = db.session.scalar(
        select(Volunteer).where(Volunteer.id == volunteer_id, volunteer_condition(scope, None, None))
    )
    if found is None:
        abort(404 if db.session.get(Volunteer, volunteer_id) is None else 403)
    return found


def certificate_context(scope: Scope, volunteer: Volunteer, choice: HoursChoice, today: date) -> dict:
    """A volunteer's certificate of service over the days chosen: their district, hours and days,
    and the parts they served (AC-part and name), from the days they checked in."""
    days = HoursChoice(choice.start, choice.end)  # a certificate is of one volunteer, all of them
    day_condition = scope.of(VisitDay)
    served = parts_served(volunteer.id, day_condition, days)
    return dict(
        volunteer=volunteer,
        district=db.session.get(District, volunteer.district_id),
        organisation=ORGANISATION_LABELS[volunteer.organisation],
        choice=days,
        total=hours_of(volunteer.id, day_condition, days) if served else None,
        served=served,
        today=today,
        reference=f"SIR-V{volunteer.id}-{days.start:%Y%m%d}-{days.end:%Y%m%d}",
    )
