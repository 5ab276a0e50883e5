"""The tables a user can download: each one's name, builder and the roles that may ask for it.

The roles are the route's declared access (`@allow_each("table", ...)` in routes.py), so a table
nobody lists here is refused; the scope then decides which rows each user gets. A new table is a
builder in services.py and one entry below.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _

from app.access import OFFICERS
from app.exports.hours_per_volunteer import hours_per_volunteer_export
from app.exports.services import (
    Export,
    ExportError,
    bulletin_export,
    calls_export,
    constituencies_export,
    difficulties_export,
    districts_export,
    inspection_coverage_export,
    inspection_visits_export,
    missing_export,
    narrowed_name,
    part_condition,
    parts_export,
    volunteer_hours_export,
    volunteers_export,
)
from app.models import Constituency, District, Role
from app.scope import Scope

FORMATS = ("csv", "xlsx")
INSPECTION_READERS = frozenset({Role.STATE, Role.COLLECTOR, Role.ERO, Role.SUPERVISOR})


@dataclass(frozen=True)
class Selection:
    """What a download asks for: whose scope, which day, against which target, narrowed how."""

    scope: Scope
    day: date
    target: Decimal
    district: District | None = None
    constituency: Constituency | None = None
    args: Mapping[str, str] = field(default_factory=dict)  # the query string, for a table's own filters

    def part_condition(self):
        return part_condition(self.scope, self.district, self.constituency)

    def name(self, table: str) -> str:
        return narrowed_name(table, self.district, self.constituency)


Builder = Callable[[Selection], Export]


@dataclass(frozen=True)
class Table:
    name: str
    build: Builder
    roles: frozenset[Role]
    # The whole state's table is too large to build within a request: it is prepared on the queue.
    queued: bool = False


def _districts(selection: Selection) -> Export:
    return districts_export(selection.scope, selection.day, selection.target)


def _constituencies(selection: Selection) -> Export:
    if selection.district is None:
        raise ExportError(_("Choose a district: add district_id to the address."))
    return constituencies_export(selection.scope, selection.district, selection.day, selection.target)


def _parts(selection: Selection) -> Export:
    return parts_export(selection.name("parts"), selection.part_condition(), selection.day, selection.target)


def _missing(selection: Selection) -> Export:
    return missing_export(selection.name("missing"), selection.part_condition(), selection.day)


def _calls(selection: Selection) -> Export:
    return calls_export(selection.name("calls"), selection.part_condition(), selection.day, selection.target)


def _narrowed(build: Callable[..., Export], table: str, reads_args: bool = True) -> Builder:
    """A table of the scope narrowed to the district or AC asked for, on the day: its builder is
    given the file name, the scope, the query string (when the table has filters of its own), the
    district, the AC and the day."""

    def build_for(selection: Selection) -> Export:
        args = (selection.args,) if reads_args else ()
        return build(
            selection.name(table),
            selection.scope,
            *args,
            selection.district,
            selection.constituency,
            selection.day,
        )

    return build_for


_difficulties = _narrowed(difficulties_export, "difficulties")
_volunteers = _narrowed(volunteers_export, "volunteers", reads_args=False)
_volunteer_hours = _narrowed(volunteer_hours_export, "volunteer_hours", reads_args=False)
_hours_per_volunteer = _narrowed(hours_per_volunteer_export, "hours-per-volunteer")
_inspection_visits = _narrowed(inspection_visits_export, "inspection-visits")
_inspection_coverage = _narrowed(inspection_coverage_export, "inspection-coverage")


def _bulletin(selection: Selection) -> Export:
    return bulletin_export(selection.scope, selection.day, selection.target)


# Downloaded at /exports/<name>.<format>, narrowed by ?district_id= or ?constituency_id=.
TABLES = {
    table.name: table
    for table in (
        Table("districts", _districts, frozenset({Role.STATE, Role.COLLECTOR})),
        Table("constituencies", _constituencies, frozenset({Role.STATE, Role.COLLECTOR, Role.ERO})),
        Table("parts", _parts, OFFICERS, queued=True),
        Table("missing", _missing, OFFICERS),
        Table("calls", _calls, OFFICERS, queued=True),
        # The board's rows with the board's filters (status, category, owner, overdue, source).
        Table("difficulties", _difficulties, OFFICERS),
        # Volunteers and their days (the whole state's on the queue); a volunteer's mobile only in the
        # collector's and EROs' files.
        Table("volunteers", _volunteers, OFFICERS, queued=True),
        Table("volunteer_hours", _volunteer_hours, OFFICERS, queued=True),
        # Each volunteer's hours over the days chosen (?start=&end=, this week by default), as the
        # hours page lists them: one grouped query, small enough for the whole state.
        Table("hours_per_volunteer", _hours_per_volunteer, OFFICERS),
        # Inspections: one row per stop (the last ?days= days when asked), and the coverage page's table.
        Table("inspection_visits", _inspection_visits, INSPECTION_READERS),
        Table("inspection_coverage", _inspection_coverage, frozenset({Role.STATE, Role.COLLECTOR, Role.ERO})),
    )
}
QUEUED = tuple(name for name, table in TABLES.items() if table.queued)
# The Commission's daily bulletin has its own address, /exports/bulletin.<format>.
BULLETIN = Table("bulletin", _bulletin, frozenset({Role.STATE, Role.COLLECTOR}))
