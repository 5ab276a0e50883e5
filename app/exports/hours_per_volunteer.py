"""The download of each volunteer's hours: the rows of the hours page (app/volunteers/hours.py), for
the same days, organisation, institution and place, as CSV or XLSX.

The days come in the query string as the page's (?start=&end=, this week when absent); a bad one is
an ExportError answered with a 400. The mobile is in the collector's and EROs' files only, as in the
other volunteers' downloads.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from flask_babel import lazy_gettext as _l

from app.exports.services import Export, ExportError
from app.extensions import db
from app.inputs import BadArgument
from app.models import Constituency, District
from app.scope import Scope
from app.spreadsheets import DATE, TEXT, Column
from app.volunteers import figures as volunteer_figures
from app.volunteers import hours as volunteer_hours
from app.volunteers import labels as volunteer_labels


def hours_per_volunteer_export(
    name: str,
    scope: Scope,
    args: Mapping[str, str],
    district: District | None,
    constituency: Constituency | None,
    today: date,
) -> Export:
    """Each volunteer with a day checked in within the days chosen, most hours first: hours (and
    minutes), days, parts, and the days themselves in the first and last columns."""
    try:
        choice = volunteer_hours.read_choice(args, today)
    except BadArgument as error:
        raise ExportError(error.message) from None
    day_condition = volunteer_figures.visit_day_condition(scope, district, constituency)
    rows = db.session.execute(volunteer_hours.per_volunteer_query(day_condition, choice)).all()
    with_mobile = scope.role in volunteer_figures.SEES_MOBILE
    columns = [
        Column(_l("Volunteer"), TEXT),
        *([Column(_l("Mobile"), TEXT)] if with_mobile else []),
        Column(_l("Organisation"), TEXT),
        Column(_l("Institution"), TEXT),
        Column(_l("Hours")),
        Column(_l("Minutes")),
        Column(_l("Days at a booth")),
        Column(_l("Parts")),
        Column(_l("First day"), DATE),
        Column(_l("Last day"), DATE),
    ]
    cells = []
    for row in map(volunteer_hours.hours_row, rows):
        cells.append(
            [
                row.name,
                *([row.mobile] if with_mobile else []),
                str(volunteer_labels.ORGANISATION_LABELS[row.organisation]),
                row.institution,
                round(row.hours, 2),
                row.minutes,
                row.days,
                row.parts,
                choice.start,
                choice.end,
            ]
        )
    return Export(
        name=f"{name}-{choice.start.isoformat()}-to",
        day=choice.end,
        sheet=_l("Hours per volunteer"),
        columns=columns,
        rows=cells,
    )
