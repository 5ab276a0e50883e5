"""The tables of the exports, and the daily bulletin, each built as an `Export`.

Each builder answers an `Export`: translated column labels with a kind, and rows of plain values
(percentages in percentage points, 12.5 = 12.5 %); app/spreadsheets.py turns it into CSV or XLSX
bytes. The figures come from app/figures/queries.py, a handful of grouped queries.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.sql.elements import ColumnElement

from app.campaign.clock import campaign_zone
from app.difficulties import labels as difficulty_labels
from app.difficulties.board import BoardFilters, board_query, narrowing_conditions, time_left
from app.extensions import db
from app.figures.models import ASD_FIGURES, MAPPING_FIGURES
from app.figures.queries import constituency_rows, district_rows, part_rows, parts_needing_a_call, total_row
from app.figures.rows import ProgressRow
from app.figures.rules import FIGURE_LABELS
from app.formatting import day as format_day
from app.formatting import lang
from app.inputs import parse_iso_day
from app.inspections import figures as inspection_figures
from app.inspections import rules as inspection_rules
from app.inspections import services as inspection_services
from app.inspections.models import Inspection, Stop, StopStatus
from app.models import Constituency, District, Part
from app.progress.services import last_report_days, missing_parts
from app.scope import Scope
from app.spreadsheets import DATE, PERCENT, TEXT, Column, Spreadsheet
from app.timeutil import utcnow
from app.volunteers import figures as volunteer_figures
from app.volunteers import labels as volunteer_labels


class ExportError(ValueError):
    """A request the user can fix (bad date, too wide a scope): answered with 400 and this message."""


@dataclass(kw_only=True)
class Export(Spreadsheet):
    name: str  # for the file name: sir-<name>-<date>.<format>
    day: date

    def filename(self, fmt: str) -> str:
        return f"sir-{self.name}-{self.day.isoformat()}.{fmt}"


# -- the day ---------------------------------------------------------------------------------


def parse_day(text: str | None, today: date) -> date:
    """The `date` argument: YYYY-MM-DD, not after today; today when absent."""
    if not text:
        return today
    try:
        day = parse_iso_day(text)
    except ValueError:
        raise ExportError(_("“%(value)s” is not a date. Use the form YYYY-MM-DD.", value=text[:20])) from None
    if day > today:
        raise ExportError(_("%(day)s is in the future: there are no figures for it yet.", day=text.strip()))
    return day


# -- the tables ------------------------------------------------------------------------------


def _figure_columns() -> list[Column]:
    return [
        Column(FIGURE_LABELS["distributed"]),
        Column(_l("Distributed (%)"), PERCENT),
        Column(FIGURE_LABELS["collected"]),
        Column(FIGURE_LABELS["digitized"]),
        Column(_l("Digitized (%)"), PERCENT),
        *(Column(FIGURE_LABELS[name]) for name in (*MAPPING_FIGURES, *ASD_FIGURES)),
    ]


def _figure_cells(row: ProgressRow) -> list:
    figures = row.figures
    return [
        figures["distributed"],
        row.percent("distributed"),
        figures["collected"],
        figures["digitized"],
        row.digitized_percent,
        *(figures[name] for name in (*MAPPING_FIGURES, *ASD_FIGURES)),
    ]


def _rollup_columns(place_columns: list[Column]) -> list[Column]:
    return [
        Column(_l("Rank")),
        *place_columns,
        Column(_l("Electors")),
        Column(_l("BLOs")),
        Column(_l("Parts")),
        Column(_l("Parts reported on the day")),
        *_figure_columns(),
        Column(_l("Daily pace (%)"), PERCENT),
        Column(_l("Daily target (%)"), PERCENT),
        Column(_l("Projected finish"), DATE),
        Column(_l("Rank change")),
    ]


def _rollup_cells(row: ProgressRow, place_cells: list) -> list:
    return [
        row.rank,
        *place_cells,
        row.electors,
        row.blos,
        row.parts,
        row.parts_reported,
        *_figure_cells(row),
        row.daily_pace,
        float(row.target),
        row.projected_finish,
        row.rank_change,
    ]


def _by_rank(rows: list[ProgressRow]) -> list[ProgressRow]:
    return sorted(rows, key=lambda r: (r.rank is None, r.rank or 0, r.place.name_en))


def districts_export(scope: Scope, day: date, target: Decimal) -> Export:
    """The state table: one row per district in scope, best digitized % first."""
    rows = _by_rank(district_rows(day, target, scope.district_filter()))
    language = lang()
    return Export(
        name="districts",
        day=day,
        sheet=_l("Districts"),
        columns=_rollup_columns([Column(_l("District"), TEXT)]),
        rows=[_rollup_cells(row, [row.place.name(language)]) for row in rows],
    )


def constituencies_export(scope: Scope, district: District, day: date, target: Decimal) -> Export:
    """A district's table: one row per AC in scope, in AC number order."""
    condition = (Constituency.district_id == district.id) & scope.constituency_filter()
    rows = constituency_rows(day, target, condition)
    language = lang()
    return Export(
        name=f"constituencies-{_slug(district.name_en)}",
        day=day,
        sheet=_l("ACs"),
        columns=_rollup_columns([Column(_l("AC no.")), Column(_l("Assembly constituency"), TEXT)]),
        rows=[_rollup_cells(row, [row.place.number, row.place.name(language)]) for row in rows],
    )


def part_condition(
    scope: Scope, district: District | None = None, constituency: Constituency | None = None
) -> ColumnElement[bool]:
    """The user's parts, narrowed to a district or an AC (the whole state's go through the queue)."""
    condition = scope.part_filter()
    if district is not None:
        condition = condition & (Part.district_id == district.id)
    if constituency is not None:
        condition = condition & (Part.constituency_id == constituency.id)
    return condition


def narrowed_name(table: str, district: District | None, constituency: Constituency | None) -> str:
    if constituency is not None:
        return f"{table}-ac-{constituency.number}"
    if district is not None:
        return f"{table}-{_slug(district.name_en)}"
    return table


def _reported(row: ProgressRow) -> str:
    """Yes (reported on the day), missing (figures carried from an earlier day) or never reported."""
    if row.parts_reported:
        return _("Yes")
    if row.last_report_date is not None:
        return _("Missing")
    return _("Never reported")


def parts_export(name: str, condition: ColumnElement[bool], day: date, target: Decimal) -> Export:
    """One row per part, with its BLO and whether it reported on the day."""
    rows = part_rows(day, target, condition)
    language = lang()
    columns = [
        *_part_columns(),
        Column(_l("Electors")),
        Column(_l("Reported on the day"), TEXT),
        Column(_l("Last report"), DATE),
        *_figure_columns(),
        Column(_l("Daily pace (%)"), PERCENT),
        Column(_l("Projected finish"), DATE),
    ]
    cells = [
        [
            *_part_cells(row, language),
            row.electors,
            _reported(row),
            row.last_report_date,
            *_figure_cells(row),
            row.daily_pace,
            row.projected_finish,
        ]
        for row in rows
    ]
    return Export(name=name, day=day, sheet=_l("Parts"), columns=columns, rows=cells)


def _part_columns() -> list[Column]:
    """The columns that name a part and its BLO, first in every part-level table."""
    return [
        Column(_l("AC no.")),
        Column(_l("Part no.")),
        Column(_l("Polling station"), TEXT),
        Column(_l("BLO"), TEXT),
        Column(_l("Mobile"), TEXT),
    ]


def _part_cells(row, language: str) -> list:
    """The cells that name a part and its BLO, matching _part_columns()."""
    return [
        row.line.ac_number,
        row.place.number,
        row.place.name(language),
        row.line.blo_name,
        row.line.blo_mobile,
    ]


def missing_export(name: str, condition: ColumnElement[bool], day: date) -> Export:
    """Parts with no report on the day: the Not reported list's own query, with last report days."""
    result = db.session.execute(missing_parts(day, condition)).all()
    last_days = last_report_days([part.id for part, *_ in result], day)
    language = lang()
    columns = [*_part_columns(), Column(_l("Last report"), DATE)]
    rows = [
        [ac_number, part.number, part.name(language), blo_name, blo_mobile, last_days.get(part.id)]
        for part, ac_number, blo_name, blo_mobile in result
    ]
    return Export(name=name, day=day, sheet=_l("Missing reports"), columns=columns, rows=rows)


def calls_export(name: str, condition: ColumnElement[bool], day: date, target: Decimal) -> Export:
    """Parts below the daily target two days running, the furthest behind first."""
    rows = parts_needing_a_call(day, target, condition)
    language = lang()
    columns = [
        *_part_columns(),
        Column(_l("Electors")),
        Column(FIGURE_LABELS["digitized"]),
        Column(_l("Digitized (%)"), PERCENT),
        Column(_l("Pace on the day (%)"), PERCENT),
        Column(_l("Pace the day before (%)"), PERCENT),
        Column(_l("Shortfall against the target (percentage points)"), PERCENT),
    ]
    cells = [
        [
            *_part_cells(row, language),
            row.electors,
            row.digitized,
            row.digitized_percent,
            *row.paces[:2],
            row.shortfall,
        ]
        for row in rows
    ]
    return Export(name=name, day=day, sheet=_l("Calls to make"), columns=columns, rows=cells)


def bulletin_export(scope: Scope, day: date, target: Decimal) -> Export:
    """The Commission's daily bulletin: districts by digitised %, then the total."""
    rows = district_rows(day, target, scope.district_filter())
    rows.sort(key=lambda r: (r.digitized_percent is None, -(r.digitized_percent or 0), r.place.name_en))
    language = lang()

    def cells(row: ProgressRow, serial, name) -> list:
        return [
            serial,
            name,
            row.electors,
            row.blos,
            row.figures["distributed"],
            row.percent("distributed"),
            row.digitized,
            row.digitized_percent,
        ]

    return Export(
        name="bulletin",
        day=day,
        sheet=_l("Bulletin"),
        title=_("SIR — progress as on %(date)s", date=format_day(day)),
        columns=[
            Column(_l("S.No.")),
            Column(_l("District"), TEXT),
            Column(_l("Electors")),
            Column(_l("BLOs")),
            Column(_l("EFs distributed (n)")),
            Column(_l("EFs distributed (%)"), PERCENT),
            Column(_l("EFs digitised (n)")),
            Column(_l("EFs digitised (%)"), PERCENT),
        ],
        rows=[cells(row, serial, row.place.name(language)) for serial, row in enumerate(rows, start=1)],
        footer=cells(total_row(rows), None, _("Total")),
    )


def difficulties_export(
    name: str,
    scope: Scope,
    args: Mapping[str, str],
    district: District | None,
    constituency: Constituency | None,
    day: date,
) -> Export:
    """The board's rows under the board's filters, every page of them, with resolution and times
    (in the campaign's zone; hours of clock time, pauses left out)."""
    filters = BoardFilters.parse(args)
    now = utcnow()
    conditions = [*filters.conditions(scope.user, now), *narrowing_conditions(district, constituency)]
    rows = db.session.execute(board_query(scope, conditions)).all()
    zone = campaign_zone()
    language = lang()

    def moment(value: datetime | None) -> str | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC).astimezone(zone).strftime("%Y-%m-%d %H:%M")

    def hours(seconds: int | None) -> float | None:
        return None if seconds is None else round(seconds / 3600, 2)

    def left(row) -> str:
        found = time_left(row, now)
        if found.overdue:
            return _("OVERDUE")
        if found.state == "left":
            return str(round(found.delta.total_seconds() / 3600, 1))
        return _("Paused") if found.state == "paused" else ""

    labels = difficulty_labels
    columns = [
        Column(_l("No.")),
        Column(_l("Opened"), TEXT),
        Column(_l("AC no.")),
        Column(_l("Part no.")),
        Column(_l("Polling station"), TEXT),
        Column(_l("Category"), TEXT),
        Column(_l("Severity"), TEXT),
        Column(_l("Status"), TEXT),
        Column(_l("Level"), TEXT),
        Column(_l("Owner"), TEXT),
        Column(_l("Hours left, or OVERDUE"), TEXT),
        Column(_l("Source"), TEXT),
        Column(_l("Resolution"), TEXT),
        Column(_l("Duplicate of"), TEXT),
        Column(_l("Acknowledged"), TEXT),
        Column(_l("Resolved"), TEXT),
        Column(_l("Closed"), TEXT),
        Column(_l("Hours to acknowledge")),
        Column(_l("Hours to resolve")),
    ]
    cells = [
        [
            row.id,
            moment(row.opened_at),
            row.ac_number,
            row.part_number,
            row.part_name_hi if language == "hi" else row.part_name_en,
            str(labels.CATEGORY_LABELS[row.category]),
            str(labels.SEVERITY_LABELS[row.severity]),
            str(labels.STATUS_LABELS[row.status]),
            str(labels.LEVEL_LABELS[row.level]),
            row.owner_name or "",
            left(row),
            str(labels.SOURCE_LABELS[row.source]),
            str(labels.RESOLUTION_LABELS[row.resolution]) if row.resolution else "",
            f"#{row.duplicate_of_id}" if row.duplicate_of_id else "",
            moment(row.acknowledged_at),
            moment(row.resolved_at),
            moment(row.closed_at),
            hours(row.acknowledge_seconds),
            hours(row.resolve_seconds),
        ]
        for row in rows
    ]
    return Export(name=name, day=day, sheet=_l("Difficulties"), columns=columns, rows=cells)


def volunteers_export(
    name: str, scope: Scope, district: District | None, constituency: Constituency | None, day: date
) -> Export:
    """Each volunteer the reader may list, with hours, days, no-shows and accepted offers; the
    mobile only for the collector and EROs (their rows are of their own district)."""
    rows = volunteer_figures.volunteer_rows(
        volunteer_figures.volunteer_condition(scope, district, constituency),
        volunteer_figures.visit_day_condition(scope, district, constituency),
    )
    with_mobile = scope.role in volunteer_figures.SEES_MOBILE
    language = lang()
    columns = [
        Column(_l("Name"), TEXT),
        *([Column(_l("Mobile"), TEXT)] if with_mobile else []),
        Column(_l("District"), TEXT),
        Column(_l("Organisation"), TEXT),
        Column(_l("Institution"), TEXT),
        Column(_l("Languages"), TEXT),
        Column(_l("Status"), TEXT),
        Column(_l("Registered"), DATE),
        Column(_l("Hours")),
        Column(_l("Days at a booth")),
        Column(_l("No-shows")),
        Column(_l("Offers accepted")),
    ]
    cells = [
        [
            volunteer.name,
            *([volunteer.mobile] if with_mobile else []),
            district_hi if language == "hi" else district_en,
            str(volunteer_labels.ORGANISATION_LABELS[volunteer.organisation]),
            volunteer.institution,
            ", ".join(volunteer.languages or []),
            str(volunteer_labels.VOLUNTEER_STATUS_LABELS[volunteer.status]),
            volunteer.registered_at.date(),
            round(int(minutes) / 60, 2),
            int(days),
            int(no_shows),
            int(accepted),
        ]
        for volunteer, district_en, district_hi, minutes, days, no_shows, accepted in rows
    ]
    return Export(name=name, day=day, sheet=_l("Volunteers"), columns=columns, rows=cells)


def volunteer_hours_export(
    name: str, scope: Scope, district: District | None, constituency: Constituency | None, day: date
) -> Export:
    """Every day of every volunteer in the reader's area: check-in and check-out (campaign time),
    hours, work logged and the BLO's word; the mobile only for the collector and EROs."""
    rows = volunteer_figures.visit_day_rows(
        volunteer_figures.visit_day_condition(scope, district, constituency)
    )
    with_mobile = scope.role in volunteer_figures.SEES_MOBILE
    zone = campaign_zone()
    language = lang()

    def moment(value: datetime | None) -> str | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC).astimezone(zone).strftime("%H:%M")

    columns = [
        Column(_l("Day"), DATE),
        Column(_l("AC no.")),
        Column(_l("Part no.")),
        Column(_l("Polling station"), TEXT),
        Column(_l("Volunteer"), TEXT),
        *([Column(_l("Mobile"), TEXT)] if with_mobile else []),
        Column(_l("Organisation"), TEXT),
        Column(_l("Institution"), TEXT),
        Column(_l("Checked in"), TEXT),
        Column(_l("Checked out"), TEXT),
        Column(_l("Hours")),
        Column(_l("Forms helped with")),
        Column(_l("Electors helped")),
        Column(_l("Attendance"), TEXT),
    ]
    cells = [
        [
            visit.day,
            ac_number,
            part_number,
            name_hi if language == "hi" else name_en,
            volunteer.name,
            *([volunteer.mobile] if with_mobile else []),
            str(volunteer_labels.ORGANISATION_LABELS[volunteer.organisation]),
            volunteer.institution,
            moment(visit.check_in_at),
            moment(visit.check_out_at),
            None if visit.minutes is None else round(visit.minutes / 60, 2),
            visit.forms_helped,
            visit.electors_helped,
            str(volunteer_labels.ATTENDANCE_LABELS[visit.attendance]) if visit.attendance else "",
        ]
        for visit, volunteer, ac_number, part_number, name_en, name_hi in rows
    ]
    return Export(name=name, day=day, sheet=_l("Volunteer days"), columns=columns, rows=cells)


# -- helpers ---------------------------------------------------------------------------------


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "place"


# -- inspections ---------------------------------------------------------------------------


def inspection_days(args: Mapping[str, str]) -> int | None:
    """The `days` argument of the inspections' files: 1 to 90, or None when absent."""
    text = (args.get("days") or "").strip()
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= inspection_figures.MAX_DAYS:
        raise ExportError(_("Choose a number of days from 1 to %(days)s.", days=inspection_figures.MAX_DAYS))
    return int(text)


def _clock_time(value: datetime | None, zone) -> str | None:
    """A stored moment as hours and minutes in the campaign's zone."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC).astimezone(zone).strftime("%H:%M")


def _yes_no(value: bool | None) -> str:
    return "" if value is None else (_("Yes") if value else _("No"))


def _findings(stop: Stop) -> str:
    return "; ".join(
        f"{INSPECTION_FINDING_LABELS[f['kind']]}: {f['verified']}/{f['reported']}"
        for f in stop.findings or []
    )


def _visit_columns() -> list[Column]:
    """The columns of the inspection visits file: the stop, the figures reported beside those
    verified, the samples, the findings and the follow-ups."""
    return [
        Column(_l("Day"), DATE),
        Column(_l("Inspector"), TEXT),
        Column(_l("AC no.")),
        Column(_l("Part no.")),
        Column(_l("Polling station"), TEXT),
        Column(_l("Status"), TEXT),
        Column(_l("Arrival"), TEXT),
        Column(_l("Distance from the part (m)")),
        Column(_l("BLO present"), TEXT),
        Column(_l("ID card shown"), TEXT),
        Column(_l("Forms in stock"), TEXT),
        Column(_l("Reported as of"), DATE),
        Column(_l("Distributed: reported")),
        Column(_l("Distributed: verified")),
        Column(_l("Collected: reported")),
        Column(_l("Collected: verified")),
        Column(_l("Digitized: reported")),
        Column(_l("Digitized: verified")),
        Column(_l("Households asked")),
        Column(_l("Households confirmed")),
        Column(_l("ASD re-checked")),
        Column(_l("ASD confirmed")),
        Column(_l("Findings"), TEXT),
        Column(_l("Difficulty no."), TEXT),
        Column(_l("Action items")),
    ]


def _visit_cells(row, zone, language: str) -> list:
    """One stop of an inspection as a row of the visits file, in _visit_columns' order."""
    return [
        row.day,
        row.inspector,
        row.ac_number,
        row.part_number,
        row.name_hi if language == "hi" else row.name_en,
        str(INSPECTION_STOP_LABELS[inspection_rules.stop_outcome(row.Stop.status, row.inspection_status)]),
        _clock_time(row.Stop.arrived_at, zone),
        row.Stop.arrival_distance_m,
        _yes_no(row.Stop.blo_present),
        _yes_no(row.Stop.id_card_shown),
        _yes_no(row.Stop.forms_in_stock),
        row.Stop.report_date,
        row.Stop.reported_distributed,
        row.Stop.verified_distributed,
        row.Stop.reported_collected,
        row.Stop.verified_collected,
        row.Stop.reported_digitized,
        row.Stop.verified_digitized,
        row.Stop.households_sampled,
        row.Stop.households_confirmed,
        row.Stop.asd_sampled,
        row.Stop.asd_confirmed,
        _findings(row.Stop),
        f"#{row.Stop.difficulty_id}" if row.Stop.difficulty_id else "",
        int(row.actions),
    ]


def inspection_visits_export(
    name: str,
    scope: Scope,
    args: Mapping[str, str],
    district: District | None,
    constituency: Constituency | None,
    day: date,
) -> Export:
    """One row per stop of the inspections the reader may see (the last `days` days when asked):
    the figures reported beside those verified, the samples, the findings and the follow-ups."""
    days = inspection_days(args)
    condition = scope.of(Inspection)
    if district is not None:
        condition = condition & (Stop.district_id == district.id)
    if constituency is not None:
        condition = condition & (Stop.constituency_id == constituency.id)
    first = day - timedelta(days=days - 1) if days else None
    rows = db.session.execute(inspection_figures.visits_query(condition, first)).all()
    zone = campaign_zone()
    language = lang()
    cells = [_visit_cells(row, zone, language) for row in rows]
    return Export(name=name, day=day, sheet=_l("Inspection visits"), columns=_visit_columns(), rows=cells)


def inspection_coverage_export(
    name: str,
    scope: Scope,
    args: Mapping[str, str],
    district: District | None,
    constituency: Constituency | None,
    day: date,
) -> Export:
    """Per AC: its parts, those inspected in the last N days (the district's N by default), the
    share and the open flags, as on the coverage page."""
    days = inspection_days(args) or inspection_figures.default_days(scope, district, constituency)
    condition = part_condition(scope, district, constituency)
    rows = inspection_services.coverage(condition, inspection_figures.window_start(day, days))
    flagged = inspection_services.flagged_counts(condition, Part.constituency_id)
    language = lang()
    columns = [
        Column(_l("AC no.")),
        Column(_l("AC"), TEXT),
        Column(_l("Parts")),
        Column(_l("Inspected")),
        Column(_l("Share inspected (%)"), PERCENT),
        Column(_l("Flagged")),
    ]
    cells = [
        [
            row.constituency.number,
            row.constituency.name_hi if language == "hi" else row.constituency.name_en,
            row.parts,
            row.inspected,
            row.share,
            flagged.get(row.constituency.id, 0),
        ]
        for row in rows
    ]
    parts, inspected = sum(r.parts for r in rows), sum(r.inspected for r in rows)
    footer = [
        None,
        _("Total"),
        parts,
        inspected,
        100 * inspected / parts if parts else 0.0,
        sum(flagged.values()),
    ]
    return Export(
        name=f"{name}-{days}d",
        day=day,
        sheet=_l("Inspection coverage"),
        columns=columns,
        rows=cells,
        footer=footer if len(cells) > 1 else None,  # one AC: its row is the total
    )


INSPECTION_STOP_LABELS = {
    StopStatus.PENDING: _l("Not visited"),
    StopStatus.VISITED: _l("Visited"),
    StopStatus.SKIPPED: _l("Skipped"),
    inspection_rules.NOT_REACHED: _l("Not reached"),  # pending once the inspection ended
}
INSPECTION_FINDING_LABELS = {**inspection_services.FIGURE_LABELS, **inspection_services.SAMPLE_LABELS}
