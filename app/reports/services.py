"""Submitting one part's figures for one day: validated, idempotent, audited, rolled up."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, func, insert, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.instrumentation import manager_of_class
from sqlalchemy.sql.elements import ColumnElement

from app import audit
from app.extensions import db
from app.figures.models import FIGURES, DailyReport
from app.figures.rollups import add_report_change, lock_report_writes
from app.figures.rows import PartLine, ProgressRow
from app.figures.rules import lowered_figures, raised_above_later, validate_figures
from app.figures.selects import latest_reports, part_lines
from app.figures.signals import reports_saved
from app.forms import read_whole_number
from app.models import Campaign, Constituency, Part, Role, User
from app.refusals import VersionConflict
from app.timeutil import utcnow


class ReportError(ValueError):
    """User-caused: {field or "__all__": message}."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class ReportConflict(VersionConflict):
    """Someone else saved other figures for the part and day after the sender's form showed it
    (a queued report arriving after an officer entered the day on the BLO's behalf): the sender
    chooses, nothing is replaced. `current` is the day's report as saved now."""

    def __init__(self, current: DailyReport):
        super().__init__(f"report {current.id} changed")
        self.current = current


def seen_stamp(report: DailyReport | None) -> str:
    """What a form says its sender saw of the day's report: its save time, or "" for none."""
    return report.updated_at.isoformat() if report is not None else ""


def _conflicts(current: DailyReport | None, seen: str | None, actor: User, values: dict[str, int]) -> bool:
    """Another person's figures for the day, saved since the form showed them, and not the same."""
    return (
        seen is not None
        and current is not None
        and seen.strip() != seen_stamp(current)
        and current.entered_by_id != actor.id
        and current.figures() != values
    )


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


def previous_report(part_id: int, day: date) -> DailyReport | None:
    """The latest report strictly before `day`: the figures today's must not fall below."""
    return db.session.scalar(
        select(DailyReport)
        .where(DailyReport.part_id == part_id, DailyReport.report_date < day)
        .order_by(DailyReport.report_date.desc())
        .limit(1)
    )


@dataclass
class ReportsAround:
    """A part's reports just before a day, of the day itself and just after it, as saved now.

    They are transient copies (not in the session), read with one statement: a report's rules and
    roll-up change need the three of them, and the save writes with plain statements.
    """

    previous: DailyReport | None
    current: DailyReport | None
    following: DailyReport | None
    created: bool = False  # set by submit_report: the save created the day's report


def _around_statement():
    """Built once: the compiled form is reused by every save."""
    table = DailyReport.__table__
    mine = table.c.part_id == bindparam("part")
    day = bindparam("day", type_=db.Date)
    before = select(func.max(table.c.report_date)).where(mine, table.c.report_date < day).scalar_subquery()
    after = select(func.min(table.c.report_date)).where(mine, table.c.report_date > day).scalar_subquery()
    return select(table).where(mine, table.c.report_date.in_([before, day, after]))


_AROUND = _around_statement()
_REPORTS = DailyReport.__table__
_UPDATE_REPORT = update(_REPORTS).where(_REPORTS.c.id == bindparam("report_id"))
_INSERT_REPORT = insert(_REPORTS)


_NEW_REPORT = manager_of_class(DailyReport).new_instance


def _transient_report(values: Mapping) -> DailyReport:
    """A report holding `values`, outside the session, made without the ORM's event for every
    attribute set (about 20 us a report otherwise, inside the save's write lock)."""
    report = _NEW_REPORT()
    report.__dict__.update(values)
    return report


def reports_around(part_id: int, day: date) -> ReportsAround:
    found = {"previous": None, "current": None, "following": None}
    for row in db.session.connection().execute(_AROUND, {"part": part_id, "day": day}).mappings():
        when = row["report_date"]
        which = "current" if when == day else "previous" if when < day else "following"
        found[which] = _transient_report(row)
    return ReportsAround(**found)


def submit_report(
    actor: User,
    part: Part,
    day: date,
    figures: dict[str, int | None],
    *,
    correction_reason: str | None = None,
    allowed_days: list[date] | None = None,
    source: str = "form",
    seen: str | None = None,
    override: bool = False,
) -> ReportsAround:
    """Create or update the part's report for the day. Raises ReportError; writes nothing then.

    `seen` is what the sender's form showed of the day's report (seen_stamp; None: the form does
    not say, and the save goes ahead as before). Another person's figures saved since then raise
    ReportConflict. `override` marks a save the sender chose over those figures, having seen them
    (the conflict page sends their stamp as `seen`): it is audited with the figures it replaced.

    Everything is read once, under the write lock (lock_report_writes), so that two saves of one
    part apply one after the other. Returns the reports around the day, `current` as just saved.
    The reads and writes are prepared Core statements on the session's connection (same
    transaction), not the ORM's queries and flush: this is the peak path.
    """
    if allowed_days is not None and day not in allowed_days:
        raise ReportError({"__all__": _("Reports for this date are closed.")})
    lock_report_writes(part, day)
    around = reports_around(part.id, day)
    previous_figures = around.previous.figures() if around.previous else None
    later = around.following
    following = (later.report_date, later.figures()) if later else None
    reason = (correction_reason or "").strip() or None
    errors = validate_figures(figures, part.electors, previous_figures, reason, following)
    if errors:
        raise ReportError(errors)
    values = {name: int(figures[name]) for name in FIGURES}
    current = around.current
    if _conflicts(current, seen, actor, values):
        raise ReportConflict(current)
    lowered = lowered_figures(values, previous_figures)
    above_later = raised_above_later(values, following[1] if following else None)

    before = current.figures() if current else None
    now = utcnow()
    written = {
        **values,
        "entered_by_id": actor.id,
        "on_behalf": actor.role != Role.BLO or part.blo_id != actor.id,
        "correction_reason": reason if lowered or above_later else None,
        "source": source,
        "updated_at": now,
    }
    saved = _write_report(part, day, current, written, now)
    after = {**values, "report_date": day.isoformat(), "on_behalf": written["on_behalf"]}
    if previous_figures == values:
        after["no_change"] = True
    if lowered or above_later:
        after["correction"] = {"figures": lowered, "reason": reason}
        if above_later:
            after["correction"]["above_later"] = {"figures": above_later, "day": following[0].isoformat()}
    if override and current is not None and current.entered_by_id != actor.id:
        after["override"] = _overridden(current, reason)
    audit.insert_now(actor, "report.update" if before else "report.create", saved, before, after)
    shown = before or previous_figures or dict.fromkeys(FIGURES, 0)
    add_report_change(
        part, day, shown, values, now, next_day=later.report_date if later else None, new=current is None
    )
    reports_saved.send("report", rows=[(part.id, day, values, saved.id)], actor_id=actor.id)
    return ReportsAround(around.previous, saved, later, created=current is None)


def _write_report(
    part: Part, day: date, current: DailyReport | None, written: dict, now: datetime
) -> DailyReport:
    """Update the day's report, or insert it, with plain statements: the report as saved, outside
    the session."""
    place = {"part_id": part.id, "constituency_id": part.constituency_id, "district_id": part.district_id}
    if current is not None:
        db.session.connection().execute(_UPDATE_REPORT, {"report_id": current.id, **written})
        report_id, created_at = current.id, current.created_at
    else:
        result = db.session.connection().execute(
            _INSERT_REPORT, {**place, "report_date": day, "created_at": now, **written}
        )
        report_id, created_at = result.inserted_primary_key[0], now
    saved = {"id": report_id, "report_date": day, "created_at": created_at, **place, **written}
    return _transient_report(saved)


def _overridden(current: DailyReport, reason: str | None) -> dict:
    """What an override replaced, for the audit: who had saved the day's figures, and when."""
    return {
        "replaced_entered_by_id": current.entered_by_id,
        "replaced_updated_at": seen_stamp(current),
        "reason": reason,
    }


# -- what the report pages show ---------------------------------------------------------------


@dataclass
class ReportCard:
    """One part's report form for one day: the saved figures, the previous report beside them,
    and what the user typed (kept as text so that a refused form comes back as typed)."""

    part: Part
    constituency_number: int | None  # None on the answer to a save, which shows no header
    blo_name: str | None
    day: date
    report: DailyReport | None  # the part's report of `day`, if saved
    previous: DailyReport | None  # the latest report before `day`
    target: Decimal
    following: DailyReport | None = None  # the earliest report after `day` (a past day's form)
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    correction_reason: str = ""
    saved_at: datetime | None = None  # set right after a save: the confirmation shows it
    _read: tuple[dict[str, str], dict[str, int | None]] | None = field(default=None, init=False, repr=False)

    def __post_init__(self):
        if not self.values and self.report is not None:
            self.values = {name: str(value) for name, value in self.report.figures().items()}
            self.correction_reason = self.report.correction_reason or ""
        elif not self.values and self.previous is not None:
            # The BLO changes only what moved since the last report; saved as is, it is "no change".
            self.values = {name: str(value) for name, value in self.previous.figures().items()}

    @property
    def prefilled(self) -> bool:
        """The form opens with the last report's figures: nothing saved for the day yet."""
        return self.report is None and self.previous is not None

    def as_last_report(self, name: str) -> bool:
        """The figure as shown equals the last report's: marked so on the form."""
        return self.previous is not None and self.figures[name] == getattr(self.previous, name)

    @property
    def no_change(self) -> bool:
        """Every figure as in the last report: a deliberate "no change today"."""
        return self.previous is not None and all(self.as_last_report(name) for name in FIGURES)

    @property
    def previous_figures(self) -> dict[str, int] | None:
        return self.previous.figures() if self.previous else None

    @property
    def figures(self) -> dict[str, int | None]:
        """The typed values read as numbers; read again only when the values change (the form asks
        for them for every field)."""
        if self._read is None or self._read[0] != self.values:
            self._read = (dict(self.values), read_figures(self.values))
        return self._read[1]

    @property
    def missing(self) -> list[str]:
        """Figures not typed yet (or not a whole number)."""
        return [name for name, value in self.figures.items() if value is None]

    @property
    def assumed_figures(self) -> dict[str, int]:
        """The typed figures, the others as in the previous report (figures never fall)."""
        previous = self.previous_figures or {}
        return {
            name: value if value is not None else previous.get(name, 0)
            for name, value in self.figures.items()
        }

    @property
    def following_rule(self) -> tuple[date, dict[str, int]] | None:
        return (self.following.report_date, self.following.figures()) if self.following else None

    @property
    def lowered(self) -> list[str]:
        """Typed figures below the previous report or above the next one: saving them needs a reason."""
        typed = set(FIGURES) - set(self.missing)
        later = self.following.figures() if self.following else None
        corrected = set(lowered_figures(self.assumed_figures, self.previous_figures))
        corrected |= set(raised_above_later(self.assumed_figures, later))
        return [name for name in FIGURES if name in corrected and name in typed]

    @property
    def above_later(self) -> bool:
        later = self.following.figures() if self.following else None
        return bool(set(raised_above_later(self.assumed_figures, later)) - set(self.missing))

    @property
    def needs_reason(self) -> bool:
        return bool(self.lowered or self.correction_reason or "correction_reason" in self.errors)

    @property
    def progress(self) -> ProgressRow | None:
        """The day's pace against the target, as the dashboards compute it; None before digitized is typed."""
        if self.figures["digitized"] is None:
            return None
        return ProgressRow(
            id=self.part.id,
            place=self.part,
            electors=self.part.electors,
            parts=1,
            blos=1 if self.part.blo_id else 0,
            parts_reported=1,
            figures=self.assumed_figures,
            digitized_yesterday=self.previous.digitized if self.previous else 0,
            digitized_earlier=0,
            day=self.day,
            target=self.target,
        )

    @property
    def digitized_today(self) -> int | None:
        """Forms digitized since the previous report."""
        digitized = self.figures["digitized"]
        if digitized is None:
            return None
        return digitized - (self.previous.digitized if self.previous else 0)

    def live_errors(self) -> dict[str, str]:
        """The rules checked while typing: figures not typed yet count as unchanged and get no message."""
        errors = validate_figures(
            self.assumed_figures,
            self.part.electors,
            self.previous_figures,
            self.correction_reason,
            self.following_rule,
        )
        typed = set(FIGURES) - set(self.missing)
        live = {name: message for name, message in errors.items() if name in typed}
        live.update(self.input_errors)
        return live

    def shown_digest(self, yesterday: date, language: str) -> str:
        """What the card's live check and marks were drawn from, digested: the form carries it, so
        that a save of exactly what the check shows need not send the check again. "" while the
        check shows an error (a save then always sends it)."""
        if self.errors:
            return ""
        later = self.following
        drawn = (
            self.day.isoformat(),
            yesterday.isoformat(),
            language,
            str(self.target),
            self.part.electors,
            tuple(self.figures.values()),
            self.correction_reason,
            (self.previous.report_date.isoformat(), tuple(self.previous.figures().values()))
            if self.previous
            else None,
            (later.report_date.isoformat(), tuple(later.figures().values())) if later else None,
        )
        return hashlib.blake2s(repr(drawn).encode(), digest_size=12).hexdigest()

    @property
    def input_errors(self) -> dict[str, str]:
        """What could not be read at all: text where a whole number belongs, a reason too long."""
        return unreadable(self.values, self.correction_reason, self.figures)


FIGURE_MAX = 999_999_999  # nine digits at most
REASON_MAX = 300


def read_figures(values: dict[str, str]) -> dict[str, int | None]:
    """The figures as typed, read as whole numbers (None where empty or not a number)."""
    return {name: _figure(values.get(name)) for name in FIGURES}


def unreadable(
    values: dict[str, str], reason: str, figures: dict[str, int | None] | None = None
) -> dict[str, str]:
    """What could not be read at all: text where a whole number belongs, a reason too long."""
    figures = read_figures(values) if figures is None else figures
    errors = {
        name: _("Enter a whole number, like 250.")
        for name in FIGURES
        if (values.get(name) or "").strip() and figures[name] is None
    }
    if len(reason) > REASON_MAX:
        errors["correction_reason"] = _("Keep the reason under %(count)s characters.", count=REASON_MAX)
    return errors


def _figure(text: str | None) -> int | None:
    """A figure as typed, read as every form reads a whole number (app.forms.read_whole_number: Latin
    or Devanagari digits, spaces, group commas); a minus sign is kept, so that the rules say the figure
    cannot be negative. None when empty or not a whole number."""
    raw = (text or "").strip()
    try:
        number = read_whole_number(raw.removeprefix("-"), 0, FIGURE_MAX)
    except ValueError:
        return None
    if number is None:
        return None
    return -number if raw.startswith("-") else number


def report_cards(
    part_condition: ColumnElement[bool], day: date, target: Decimal, limit: int = 50
) -> list[ReportCard]:
    """A card per part matching the condition, in four queries whatever the number of parts."""
    lines = [PartLine(*row) for row in db.session.execute(part_lines(part_condition).limit(limit))]
    ids = [line.part.id for line in lines]
    if not ids:
        return []
    saved = {
        report.part_id: report
        for report in db.session.scalars(
            select(DailyReport)
            .options(joinedload(DailyReport.entered_by))
            .where(DailyReport.part_id.in_(ids), DailyReport.report_date == day)
        )
    }
    previous = {
        report.part_id: report
        for report in db.session.scalars(
            latest_reports(day - timedelta(days=1), DailyReport.part_id.in_(ids))
        )
    }
    earliest_after = (
        select(DailyReport.part_id, func.min(DailyReport.report_date).label("day"))
        .where(DailyReport.part_id.in_(ids), DailyReport.report_date > day)
        .group_by(DailyReport.part_id)
        .subquery()
    )
    following = {
        report.part_id: report
        for report in db.session.scalars(
            select(DailyReport).join(
                earliest_after,
                and_(
                    DailyReport.part_id == earliest_after.c.part_id,
                    DailyReport.report_date == earliest_after.c.day,
                ),
            )
        )
    }
    return [
        ReportCard(
            part=line.part,
            constituency_number=line.ac_number,
            blo_name=line.blo_name,
            day=day,
            report=saved.get(line.part.id),
            previous=previous.get(line.part.id),
            target=target,
            following=following.get(line.part.id),
        )
        for line in lines
    ]


def report_card(part: Part, day: date, target: Decimal) -> ReportCard:
    return report_cards(Part.id == part.id, day, target, limit=1)[0]


def checked_card(part: Part, day: date, target: Decimal) -> ReportCard:
    """The card the live check draws: the reports around the day in one prepared statement, and
    no header (no AC number or BLO name). Every pause in a BLO's typing asks for one."""
    return card_around(part, day, target, reports_around(part.id, day))


def card_around(part: Part, day: date, target: Decimal, around: ReportsAround) -> ReportCard:
    """A card without header from the reports around the day (read, or as a save left them)."""
    return ReportCard(
        part=part,
        constituency_number=None,
        blo_name=None,
        day=day,
        report=around.current,
        previous=around.previous,
        target=target,
        following=around.following,
    )


def parts_without_report(
    part_condition: ColumnElement[bool], day: date, limit: int = 50
) -> tuple[list[PartLine], int]:
    """The lines of the parts in scope with no report of `day`, and how many in all."""
    reported = select(DailyReport.id).where(DailyReport.part_id == Part.id, DailyReport.report_date == day)
    condition = and_(part_condition, ~reported.exists())
    lines = [PartLine(*row) for row in db.session.execute(part_lines(condition).limit(limit))]
    total = db.session.scalar(select(func.count(Part.id)).where(condition))
    return lines, int(total or 0)


_AC_PART = re.compile(r"^\s*(\d{1,3})\s*[-/ ]\s*(\d{1,4})\s*$")


def find_part(part_condition: ColumnElement[bool], text: str) -> Part | None:
    """The part in scope named "AC-part" (152-12), or None."""
    match = _AC_PART.match(text or "")
    if not match:
        return None
    return db.session.scalar(
        select(Part)
        .join(Constituency, Part.constituency_id == Constituency.id)
        .where(part_condition, Constituency.number == int(match[1]), Part.number == int(match[2]))
    )
