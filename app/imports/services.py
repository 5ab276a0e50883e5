"""Importing a file of part figures: a dry run that lists every problem, then an all-or-nothing apply.

The services take a Scope rather than a request, so a collector's upload, the state-wide benchmark
and a CLI can all run them. Checking never queries per row: the parts in scope are read once, and
the existing and previous reports once per date in the file. Applying re-checks the file (the
figures may have moved since the dry run) and writes every change in one transaction.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO

from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.orm import joinedload

from app import audit
from app.campaign.clock import campaign_day_of, campaign_today
from app.campaign.services import current_campaign
from app.extensions import db
from app.figures.models import FIGURES, DailyReport
from app.figures.rollups import recompute_constituency_days
from app.figures.rules import lowered_figures, raised_above_later, validate_figures
from app.figures.selects import as_date, latest_reports
from app.figures.signals import reports_saved
from app.formatting import number
from app.imports.models import ImportJob
from app.imports.parsing import COLUMNS, PROGRESS_EVERY, SAMPLE_HEADERS, ParsedRow, parse_file
from app.models import AuditEntry, Constituency, Job, Part, User
from app.scope import Scope
from app.spreadsheets import (
    DATE,
    EXTENSIONS,
    INTEGER,
    TEXT,
    Column,
    ErrorList,
    ImportFileError,
    Spreadsheet,
    extension,
)
from app.tasks import hold_point
from app.timeutil import utcnow

MAX_BYTES = 20 * 1024 * 1024
SAMPLE_SIZE = 20
WRITE_CHUNK = 5000
RUNNING = ("uploaded", "checking", "applying")
RECENT_DAYS = 7


class UploadError(ValueError):
    """The upload itself is refused (too large, wrong type, empty); nothing was stored."""


# -- jobs -------------------------------------------------------------------------------------


def recent_jobs(scope: Scope, limit: int = 20) -> list[ImportJob]:
    stmt = (
        select(ImportJob)
        .options(joinedload(ImportJob.user))
        .where(scope.of(ImportJob))
        .order_by(ImportJob.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def imports_dir() -> Path:
    directory = Path(current_app.config.get("IMPORTS_DIR") or Path(current_app.instance_path) / "imports")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def store_upload(stream: IO[bytes], filename: str, max_bytes: int = MAX_BYTES) -> Path:
    """Copy the upload under the instance folder as <uuid>.<ext>; refuse it when too large or empty."""
    kind = extension(filename)
    if kind not in EXTENSIONS:
        raise UploadError(_("Upload a .csv or .xlsx file."))
    path = imports_dir() / f"{uuid.uuid4().hex}.{kind}"
    size = 0
    with path.open("wb") as out:
        while chunk := stream.read(1024 * 1024):
            size += len(chunk)
            if size > max_bytes:
                break
            out.write(chunk)
    if size > max_bytes or size == 0:
        path.unlink(missing_ok=True)
        if size == 0:
            raise UploadError(_("The file is empty."))
        raise UploadError(
            _("The file is larger than %(size)s MB. Split it into smaller files.", size=max_bytes // 2**20)
        )
    return path


def create_job(scope: Scope, filename: str, stored_path: Path) -> ImportJob:
    job = ImportJob(
        user_id=scope.user.id,
        district_id=scope.user.district_id,
        filename=Path(filename).name[:200] or "upload",
        stored_path=str(stored_path),
        status="uploaded",
        summary={"phase": "waiting"},
    )
    db.session.add(job)
    db.session.flush()
    audit.record(scope.user, "import.upload", job, None, {"filename": job.filename})
    return job


# -- the check ------------------------------------------------------------------------------


@dataclass(slots=True)
class PartInfo:
    id: int
    constituency_id: int
    district_id: int
    electors: int


@dataclass(slots=True)
class PlannedRow:
    """One checked row and what applying it would do: create, update, or leave unchanged."""

    row: int
    part: PartInfo
    label: str
    day: date
    figures: dict[str, int]
    reason: str | None
    action: str = "unchanged"
    report_id: int | None = None
    old_digitized: int | None = None
    correction_reason: str | None = None
    # The report this row replaces, kept in the audit so that the import can be reverted.
    replaced: list | None = None


@dataclass
class CheckResult:
    rows: list[PlannedRow] = field(default_factory=list)
    errors: ErrorList = field(default_factory=ErrorList)
    total_rows: int = 0

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    def summary(self) -> dict:
        days = sorted({r.day for r in self.rows})
        changed = [r for r in self.rows if r.action != "unchanged"]
        return {
            "rows": self.total_rows,
            "create": self.count("create"),
            "update": self.count("update"),
            "unchanged": self.count("unchanged"),
            "parts": len({r.part.id for r in self.rows}),
            "first_date": days[0].isoformat() if days else None,
            "last_date": days[-1].isoformat() if days else None,
            "error_count": self.errors.count,
            "sample": [
                {
                    "row": r.row,
                    "part": r.label,
                    "date": r.day.isoformat(),
                    "action": r.action,
                    "old": r.old_digitized,
                    "new": r.figures["digitized"],
                }
                for r in changed[:SAMPLE_SIZE]
            ],
        }


Progress = Callable[[str, int, int], None]  # phase, processed rows, total rows


def _parts_in_scope(scope: Scope) -> dict[tuple[int, int], PartInfo]:
    rows = db.session.execute(
        select(
            Constituency.number,
            Part.number,
            Part.id,
            Part.constituency_id,
            Part.district_id,
            Part.electors,
        )
        .join(Constituency, Part.constituency_id == Constituency.id)
        .where(scope.part_filter())
    )
    return {(ac, number): PartInfo(pid, cid, did, electors) for ac, number, pid, cid, did, electors in rows}


def _parts_outside(ac_numbers: Iterable[int]) -> set[tuple[int, int]]:
    """(AC, part) numbers that exist at all in these ACs, to tell "not yours" from "no such part"."""
    numbers = sorted(set(ac_numbers))
    if not numbers:
        return set()
    stmt = (
        select(Constituency.number, Part.number)
        .join(Constituency, Part.constituency_id == Constituency.id)
        .where(Constituency.number.in_(numbers))
    )
    return set(db.session.execute(stmt).all())


REPLACED_FIELDS = ("entered_by_id", "on_behalf", "source", "correction_reason")


def _reports_on(day: date, constituency_ids: list[int]) -> dict[int, tuple[int, dict[str, int], list]]:
    """part id → (report id, figures, [REPLACED_FIELDS]) of the reports of that very day."""
    stmt = select(
        DailyReport.part_id,
        DailyReport.id,
        *(getattr(DailyReport, n) for n in REPLACED_FIELDS),
        *(getattr(DailyReport, n) for n in FIGURES),
    ).where(DailyReport.report_date == day, DailyReport.constituency_id.in_(constituency_ids))
    extra = len(REPLACED_FIELDS)
    return {
        row[0]: (row[1], dict(zip(FIGURES, row[2 + extra :], strict=True)), list(row[2 : 2 + extra]))
        for row in db.session.execute(stmt)
    }


def _reports_after(
    day: date, constituency_ids: list[int], part_ids: set[int]
) -> dict[int, tuple[date, dict[str, int]]]:
    """part id → (date, figures) of each part's earliest report strictly after `day`.

    Most files carry today's or yesterday's figures, so the next few days are read first; the
    parts' whole later history is searched only when these ACs have reports beyond them.
    """
    window_end = day + timedelta(days=RECENT_DAYS)
    found = _earliest_after(
        day, DailyReport.constituency_id.in_(constituency_ids), DailyReport.report_date <= window_end
    )
    missing = sorted(part_ids - found.keys())
    beyond = db.session.scalar(
        select(DailyReport.id)
        .where(DailyReport.constituency_id.in_(constituency_ids), DailyReport.report_date > window_end)
        .limit(1)
    )
    if missing and beyond is not None:
        for start in range(0, len(missing), 500):
            found.update(_earliest_after(day, DailyReport.part_id.in_(missing[start : start + 500])))
    return found


def _earliest_after(day: date, *conditions) -> dict[int, tuple[date, dict[str, int]]]:
    earliest = (
        select(DailyReport.part_id, func.min(DailyReport.report_date).label("earliest"))
        .where(DailyReport.report_date > day, *conditions)
        .group_by(DailyReport.part_id)
        .subquery()
    )
    stmt = select(
        DailyReport.part_id, DailyReport.report_date, *(getattr(DailyReport, n) for n in FIGURES)
    ).join(
        earliest,
        and_(DailyReport.part_id == earliest.c.part_id, DailyReport.report_date == earliest.c.earliest),
    )
    return {
        row[0]: (as_date(row[1]), dict(zip(FIGURES, row[2:], strict=True)))
        for row in db.session.execute(stmt)
    }


def _reports_before(
    day: date, constituency_ids: list[int], part_ids: set[int]
) -> dict[int, tuple[date, dict[str, int]]]:
    """part id → (date, figures) of each part's latest report strictly before `day`.

    Most parts reported in the last few days, so those days are read first (a small range of
    the index); only the parts not found there are looked up over their whole history.
    """
    found = _latest_before(
        day,
        DailyReport.constituency_id.in_(constituency_ids),
        DailyReport.report_date >= day - timedelta(days=RECENT_DAYS),
    )
    missing = sorted(part_ids - found.keys())
    for start in range(0, len(missing), 500):
        found.update(_latest_before(day, DailyReport.part_id.in_(missing[start : start + 500])))
    return found


def _latest_before(day: date, *conditions) -> dict[int, tuple[date, dict[str, int]]]:
    stmt = latest_reports(day - timedelta(days=1), and_(*conditions)).with_only_columns(
        DailyReport.part_id, DailyReport.report_date, *(getattr(DailyReport, n) for n in FIGURES)
    )
    return {row[0]: (row[1], dict(zip(FIGURES, row[2:], strict=True))) for row in db.session.execute(stmt)}


def date_window() -> tuple[date | None, date]:
    """Imports may carry any day of the enumeration up to today: a collector reconciles past days."""
    campaign = current_campaign()
    today = campaign_today()
    if campaign is None:
        return None, today
    return campaign.enumeration_start, min(today, campaign.enumeration_end + timedelta(days=1))


def _unknown_part(label: str, elsewhere: bool) -> str:
    """Why a row's AC and part number are refused: a part outside the uploader's district, or none."""
    if elsewhere:
        return _("Part %(part)s is not in your district.", part=label)
    return _("Unknown part %(part)s: there is no such AC and part number.", part=label)


def _outside_the_window(day: date, first_day: date | None, last_day: date) -> str | None:
    """Why a row's date is refused (in the future, after the enumeration ended, before it
    started), or None when it is a day of the enumeration up to today."""
    if day > last_day:
        if day > campaign_today():
            return _("The date %(date)s is in the future.", date=day.isoformat())
        return _(
            "The date %(date)s is after the enumeration ended (%(end)s).",
            date=day.isoformat(),
            end=last_day.isoformat(),
        )
    if first_day is not None and day < first_day:
        return _(
            "The date %(date)s is before the enumeration started (%(start)s).",
            date=day.isoformat(),
            start=first_day.isoformat(),
        )
    return None


def check_file(path: Path, scope: Scope, progress: Progress | None = None) -> CheckResult:
    """The dry run: read the file, check every row against the database, plan every change.

    Raises ImportFileError when the file as a whole cannot be used.
    """
    report = progress or (lambda *_: None)
    report("reading", 0, 0)
    parsed = parse_file(path, on_progress=lambda n: report("reading", n, 0))
    headers = parsed.headers
    result = CheckResult(total_rows=parsed.total_rows)
    errors = ErrorList()
    report("checking", 0, parsed.total_rows)

    parts = _parts_in_scope(scope)
    unknown_acs = {
        r.ac_number
        for r in parsed.rows
        if r.ac_number is not None and r.part_number is not None and (r.ac_number, r.part_number) not in parts
    }
    existing_elsewhere = _parts_outside(unknown_acs) if unknown_acs else set()
    candidates = _placed_rows(parsed.rows, parts, existing_elsewhere, headers, errors)

    rule_errors = ErrorList()
    _plan(candidates, rule_errors, headers, report, parsed.total_rows)
    result.rows = candidates
    result.errors = parsed.errors.merged(errors).merged(rule_errors)
    report("checking", parsed.total_rows, parsed.total_rows)
    return result


def _placed_rows(
    rows: list[ParsedRow],
    parts: dict[tuple[int, int], PartInfo],
    existing_elsewhere: set[tuple[int, int]],
    headers: dict[str, str],
    errors: ErrorList,
) -> list[PlannedRow]:
    """The rows to plan: a part in scope, a day in the campaign's window and once per part, figures
    that could be read. Why another row cannot be placed is added to `errors`."""
    first_day, last_day = date_window()
    candidates: list[PlannedRow] = []
    seen: dict[tuple[int, date], int] = {}
    for row in rows:
        if row.ac_number is None or row.part_number is None:
            continue
        label = f"{row.ac_number}-{row.part_number}"
        key = (row.ac_number, row.part_number)
        part = parts.get(key)
        if part is None:
            message = _unknown_part(label, key in existing_elsewhere)
            errors.add(row.row, message, headers["part_number"], label)
            continue
        if row.report_date is None:
            continue
        day = row.report_date
        refused = _outside_the_window(day, first_day, last_day)
        if refused:
            errors.add(row.row, refused, headers["report_date"], label)
            continue
        earlier = seen.get((part.id, day))
        if earlier is not None:
            errors.add(
                row.row,
                _(
                    "Part %(part)s on %(date)s is already in row %(row)s.",
                    part=label,
                    date=day.isoformat(),
                    row=earlier,
                ),
                headers["part_number"],
                label,
            )
            continue
        seen[(part.id, day)] = row.row
        if row.figures is None:
            continue
        candidates.append(PlannedRow(row.row, part, label, day, row.figures, row.reason))
    return candidates


def _plan(
    candidates: list[PlannedRow], errors: ErrorList, headers: dict[str, str], report: Progress, total: int
) -> None:
    """Check each row's figures against its part and previous report; decide create/update/unchanged."""
    by_day: dict[date, list[PlannedRow]] = defaultdict(list)
    for planned in candidates:
        by_day[planned.day].append(planned)
    on_day: dict[date, dict[int, tuple[int, dict[str, int], list]]] = {}
    before: dict[date, dict[int, tuple[date, dict[str, int]]]] = {}
    after: dict[date, dict[int, tuple[date, dict[str, int]]]] = {}
    for day, rows in by_day.items():
        constituency_ids = sorted({r.part.constituency_id for r in rows})
        part_ids = {r.part.id for r in rows}
        on_day[day] = _reports_on(day, constituency_ids)
        before[day] = _reports_before(day, constituency_ids, part_ids)
        after[day] = _reports_after(day, constituency_ids, part_ids)

    # A part may appear on several days of the file: a later day's previous figures may be the file's.
    previous_of: dict[int, dict[str, int] | None] = {}
    following_of: dict[int, tuple[date, dict[str, int]] | None] = {}
    file_days: dict[int, list[PlannedRow]] = defaultdict(list)
    for planned in candidates:
        file_days[planned.part.id].append(planned)
    for rows in file_days.values():
        rows.sort(key=lambda r: r.day)
        earlier_in_file: PlannedRow | None = None
        for planned in rows:
            previous = before[planned.day].get(planned.part.id)
            previous_figures = previous[1] if previous else None
            if earlier_in_file is not None and (previous is None or earlier_in_file.day >= previous[0]):
                previous_figures = earlier_in_file.figures
            previous_of[planned.row] = previous_figures
            earlier_in_file = planned
        # ... and its next figures may be the file's too (a later row replaces that day's report).
        later_in_file: PlannedRow | None = None
        for planned in reversed(rows):
            following = after[planned.day].get(planned.part.id)
            if later_in_file is not None and (following is None or later_in_file.day <= following[0]):
                following = (later_in_file.day, later_in_file.figures)
            following_of[planned.row] = following
            later_in_file = planned

    for done, planned in enumerate(candidates, start=1):  # in file order, so errors come by row
        previous_figures = previous_of[planned.row]
        following = following_of[planned.row]
        rule_errors = validate_figures(
            planned.figures, planned.part.electors, previous_figures, planned.reason, following
        )
        for name, message in rule_errors.items():
            errors.add(planned.row, message, headers[name], planned.label)
        corrected = lowered_figures(planned.figures, previous_figures) or raised_above_later(
            planned.figures, following[1] if following else None
        )
        planned.correction_reason = planned.reason if corrected else None
        existing = on_day[planned.day].get(planned.part.id)
        if existing is None:
            planned.action = "create"
        else:
            planned.report_id, old, meta = existing
            planned.old_digitized = old["digitized"]
            planned.action = "unchanged" if old == planned.figures else "update"
            planned.replaced = [[old[name] for name in FIGURES], meta]
        if done % PROGRESS_EVERY == 0:
            report("checking", done, total)


# -- apply ----------------------------------------------------------------------------------


def write_changes(result: CheckResult, actor: User, now: datetime | None = None) -> dict[str, int]:
    """Bulk upsert of the planned reports (stamped `now`), then the roll-ups once. The caller commits."""
    now = now or utcnow()
    creates = [r for r in result.rows if r.action == "create"]
    updates = [r for r in result.rows if r.action == "update"]
    common = {"entered_by_id": actor.id, "on_behalf": True, "source": "import", "updated_at": now}
    for start in range(0, len(updates), WRITE_CHUNK):
        db.session.execute(
            update(DailyReport),
            [
                {"id": r.report_id, **r.figures, "correction_reason": r.correction_reason, **common}
                for r in updates[start : start + WRITE_CHUNK]
            ],
        )
    for start in range(0, len(creates), WRITE_CHUNK):
        db.session.execute(
            insert(DailyReport),
            [
                {
                    "part_id": r.part.id,
                    "constituency_id": r.part.constituency_id,
                    "district_id": r.part.district_id,
                    "report_date": r.day,
                    **r.figures,
                    "correction_reason": r.correction_reason,
                    "created_at": now,
                    **common,
                }
                for r in creates[start : start + WRITE_CHUNK]
            ],
        )
    changed = creates + updates
    reports_saved.send(
        "import", rows=[(r.part.id, r.day, r.figures, r.report_id) for r in changed], actor_id=actor.id
    )
    if changed:
        recompute_constituency_days({r.part.constituency_id for r in changed}, min(r.day for r in changed))
    return {"created": len(creates), "updated": len(updates), "unchanged": result.count("unchanged")}


def replaced_rows(result: CheckResult) -> list[list]:
    """What applying overwrites, compactly, per part and day: [part id, day, [the 10 figures in
    FIGURES order], [REPLACED_FIELDS]] for an updated report, [part id, day, None, None] for a new one."""
    return [
        [r.part.id, r.day.isoformat(), *(r.replaced if r.action == "update" else (None, None))]
        for r in result.rows
        if r.action != "unchanged"
    ]


class RevertError(ValueError):
    """The import cannot be reverted; the message says why. Nothing was changed."""


def revert_import(job: ImportJob, actor: User) -> dict[str, int]:
    """Undo an applied import, all or nothing, on the campaign day it was applied: restore the
    reports it replaced, delete the ones it created, recompute the touched ACs' roll-ups, audit.

    Refused when a touched part's report was written after the import. The caller commits.
    """
    if job.status != "applied":
        raise RevertError(_("Only an applied import can be reverted."))
    entry = applied_entry(job)
    if entry is None or "replaced" not in (entry.before or {}):
        raise RevertError(_("This import was applied before reverting was possible; it cannot be reverted."))
    applied_at = datetime.fromisoformat(entry.after["applied_at"])
    if campaign_day_of(applied_at) != campaign_today():
        raise RevertError(_("An import can be reverted only on the day it was applied."))
    replaced = entry.before["replaced"]
    part_ids = sorted({row[0] for row in replaced})
    changed_later = _changed_after(part_ids, applied_at)
    if changed_later:
        shown = ", ".join(changed_later[:10])
        raise RevertError(
            ngettext(
                "Part %(parts)s has a report saved after this import. Nothing was reverted.",
                "Parts %(parts)s have reports saved after this import. Nothing was reverted.",
                len(changed_later),
                parts=shown + (" …" if len(changed_later) > 10 else ""),
            )
        )
    ids = {
        (part_id, as_date(day)): report_id
        for report_id, part_id, day in db.session.execute(
            select(DailyReport.id, DailyReport.part_id, DailyReport.report_date).where(
                DailyReport.part_id.in_(part_ids),
                DailyReport.report_date.in_(sorted({date.fromisoformat(row[1]) for row in replaced})),
                DailyReport.source == "import",
            )
        )
    }
    restores, deletes = [], []
    for part_id, day, figures, meta in replaced:
        report_id = ids.get((part_id, date.fromisoformat(day)))
        if report_id is None:
            raise RevertError(_("A report this import wrote is gone. Nothing was reverted."))
        if figures is None:
            deletes.append(report_id)
        else:
            restores.append(
                {
                    "id": report_id,
                    **dict(zip(FIGURES, figures, strict=True)),
                    **dict(zip(REPLACED_FIELDS, meta, strict=True)),
                    "updated_at": utcnow(),
                }
            )
    for start in range(0, len(restores), WRITE_CHUNK):
        db.session.execute(update(DailyReport), restores[start : start + WRITE_CHUNK])
    for start in range(0, len(deletes), WRITE_CHUNK):
        db.session.execute(
            delete(DailyReport).where(DailyReport.id.in_(deletes[start : start + WRITE_CHUNK]))
        )
    constituencies = set(db.session.scalars(select(Part.constituency_id).where(Part.id.in_(part_ids))))
    if replaced:
        recompute_constituency_days(constituencies, min(date.fromisoformat(row[1]) for row in replaced))
    counts = {"restored": len(restores), "deleted": len(deletes)}
    audit.record(actor, "import.revert", job, {"status": "applied"}, {"job_id": job.id, **counts})
    job.status = "reverted"
    job.summary = {**(job.summary or {}), "reverted": counts}
    return counts


def applied_entry(job: ImportJob) -> AuditEntry | None:
    return db.session.scalar(
        select(AuditEntry)
        .where(
            AuditEntry.action == "import.apply",
            AuditEntry.object_type == "ImportJob",
            AuditEntry.object_id == str(job.id),
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )


def can_revert(job: ImportJob) -> bool:
    """Offer the revert button: applied today (campaign zone), by this version of the import."""
    if job.status != "applied" or job.finished_at is None:
        return False
    return campaign_day_of(job.finished_at) == campaign_today()


def _changed_after(part_ids: list[int], moment: datetime) -> list[str]:
    """AC-part labels of these parts with a report written after `moment`, any day."""
    rows = db.session.execute(
        select(Constituency.number, Part.number)
        .join(Part, Part.constituency_id == Constituency.id)
        .where(
            Part.id.in_(
                select(DailyReport.part_id).where(
                    DailyReport.part_id.in_(part_ids), DailyReport.updated_at > moment
                )
            )
        )
        .order_by(Constituency.number, Part.number)
    )
    return [f"{ac}-{number}" for ac, number in rows]


def start_apply(job: ImportJob) -> bool:
    """Claim a checked job for applying, atomically: a second click (or tab) gets False."""
    claimed = db.session.execute(
        update(ImportJob)
        .where(ImportJob.id == job.id, ImportJob.status == "checked")
        .values(status="applying", processed_rows=0, summary={**(job.summary or {}), "phase": "waiting"})
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1


def refusal(job: ImportJob) -> str:
    """Why this job cannot be applied now."""
    if job.status == "applied":
        return _("This file has already been applied. Upload it again to check it against today's figures.")
    if job.status == "applying":
        return _("This file is being applied now.")
    if job.status in ("uploaded", "checking"):
        return _("This file is still being checked. Wait for the check to finish.")
    return _("This file has errors and cannot be applied. Fix the file and upload it again.")


# -- running a job: on the queue (app/imports/tasks.py) -----------------------------------------


def _progress_writer(job_id: int, keep: dict | None = None) -> Progress:
    """Progress written on its own connection and committed at once, so the status page sees it
    while the job's own transaction is still open. The summary is `keep` (an apply keeps its
    check's, to go back to if it is interrupted) with the phase."""
    state = {"phase": None, "done": -1}

    def write(phase: str, done: int, total: int) -> None:
        if phase == state["phase"] and done - state["done"] < PROGRESS_EVERY and done != total:
            return
        summary = {**(keep or {}), "phase": phase}
        imports = ImportJob.__table__
        with db.engine.begin() as connection:
            connection.execute(
                update(imports)
                .where(imports.c.id == job_id)
                .values(processed_rows=done, total_rows=total, summary=summary)
            )
            connection.execute(  # the queue job's progress and heartbeat
                update(Job.__table__)
                .where(
                    Job.__table__.c.id
                    == select(imports.c.job_id).where(imports.c.id == job_id).scalar_subquery()
                )
                .values(processed=done, total=total, updated_at=utcnow())
            )
        state.update(phase=phase, done=done)

    return write


def _set_status(job_id: int, status: str, phase: str) -> None:
    with db.engine.begin() as connection:
        connection.execute(
            update(ImportJob.__table__)
            .where(ImportJob.__table__.c.id == job_id)
            .values(status=status, processed_rows=0, summary={"phase": phase})
        )


def run_check(job_id: int, locale: str) -> None:
    """The dry run of a job: checked (ready to apply) or rejected (with every error listed)."""
    with force_locale(locale):
        job = db.session.get(ImportJob, job_id)
        try:
            _set_status(job_id, "checking", "reading")
            scope = Scope(job.user)
            try:
                result = check_file(Path(job.stored_path), scope, _progress_writer(job_id))
            except ImportFileError as error:
                db.session.refresh(job)
                _finish(job, "rejected", errors=[], summary={"message": str(error), "error_count": 0})
            else:
                db.session.refresh(job)
                summary = result.summary()
                status = "rejected" if result.errors.count else "checked"
                if result.errors.count:
                    summary["message"] = ngettext(
                        "%(count)s problem found. Nothing was changed: fix the file and upload it again.",
                        "%(count)s problems found. Nothing was changed: fix the file and upload it again.",
                        result.errors.count,
                        count=number(result.errors.count),
                    )
                _finish(job, status, errors=result.errors.items, summary=summary, total=result.total_rows)
            db.session.commit()
        except Exception:
            _fail(job_id, "check")
            raise


def run_apply(job_id: int, actor_id: int, locale: str) -> None:
    """Re-check the file and write every change in one transaction; on any error nothing is written."""
    with force_locale(locale):
        job = db.session.get(ImportJob, job_id)
        actor = db.session.get(User, actor_id)
        # The check's summary stays while applying: an interrupted apply goes back to it.
        checked = {k: v for k, v in (job.summary or {}).items() if k not in ("phase", "message")}
        try:
            result = check_file(Path(job.stored_path), Scope(actor), _progress_writer(job_id, checked))
        except ImportFileError as error:
            db.session.rollback()
            db.session.refresh(job)
            _finish(job, "failed", errors=[], summary={"message": str(error), "error_count": 0})
            db.session.commit()
            return
        except Exception:
            _fail(job_id, "apply")
            raise
        db.session.refresh(job)
        if result.errors.count:
            summary = result.summary()
            summary["message"] = ngettext(
                "The saved figures changed since the check and %(count)s problem was found. "
                "Nothing was changed: upload the file again.",
                "The saved figures changed since the check and %(count)s problems were found. "
                "Nothing was changed: upload the file again.",
                result.errors.count,
                count=number(result.errors.count),
            )
            _finish(job, "failed", errors=result.errors.items, summary=summary, total=result.total_rows)
            db.session.commit()
            return
        try:
            _set_phase_saving(job_id, result.total_rows, checked)
            applied_at = utcnow()
            counts = write_changes(result, actor, applied_at)
            summary = {**result.summary(), "applied": counts}
            audit.record(
                actor,
                "import.apply",
                job,
                {"status": "checked", "replaced": replaced_rows(result)},
                {
                    "job_id": job.id,
                    "applied_at": applied_at.isoformat(),
                    "filename": job.filename,
                    "rows": result.total_rows,
                    **counts,
                    "first_date": summary["first_date"],
                    "last_date": summary["last_date"],
                },
            )
            _finish(job, "applied", errors=[], summary=summary, total=result.total_rows)
            db.session.flush()
            hold_point("import.apply.before_commit")  # crash tests: every change written, none committed
            db.session.commit()
        except Exception:
            _fail(job_id, "apply")
            raise


def _set_phase_saving(job_id: int, total: int, keep: dict) -> None:
    with db.engine.begin() as connection:
        connection.execute(
            update(ImportJob.__table__)
            .where(ImportJob.__table__.c.id == job_id)
            .values(processed_rows=total, total_rows=total, summary={**keep, "phase": "saving"})
        )


def _finish(job: ImportJob, status: str, *, errors: list, summary: dict, total: int | None = None) -> None:
    job.status = status
    job.errors = errors
    job.summary = {**summary, "phase": None}
    if total is not None:
        job.total_rows = total
        job.processed_rows = total
    job.finished_at = utcnow()


def close_interrupted(run_ids: list[int]) -> None:
    """Imports whose queue job was cut off (its consumer died) stop waiting, with a word in the
    uploader's language. Their writes were one transaction, so nothing was half-saved: an
    interrupted apply goes back to "checked", to be applied again at once; an interrupted check
    fails (upload the file again). Each changes only if still in the state judged."""
    stmt = (
        select(ImportJob.id, ImportJob.status, ImportJob.summary, Job.params)
        .join(Job, ImportJob.job_id == Job.id)
        .where(ImportJob.job_id.in_(run_ids), ImportJob.status.in_(RUNNING))
    )
    for import_id, status, summary, params in db.session.execute(stmt).all():
        # An apply that kept its check's summary (not one begun before it did) can be applied again.
        again = status == "applying" and "rows" in (summary or {})
        with force_locale((params or {}).get("locale") or current_app.config["BABEL_DEFAULT_LOCALE"]):
            if again:
                message = _(
                    "Applying was interrupted: the server stopped before it finished. Nothing was "
                    "changed. Apply the file again."
                )
            else:
                message = _(
                    "The import was interrupted before it finished. Nothing was changed. "
                    "Upload the file again."
                )
        values = {"summary": {**(summary or {}), "phase": None, "message": message}}
        if again:
            values["status"] = "checked"
        else:
            values.update(status="failed", finished_at=utcnow())
        db.session.execute(
            update(ImportJob)
            .where(ImportJob.id == import_id, ImportJob.status == status)
            .values(**values)
            .execution_options(synchronize_session=False)
        )


def _fail(job_id: int, stage: str) -> None:
    """Roll back everything the job wrote and say so on the job."""
    db.session.rollback()
    current_app.logger.exception("import job %s failed during %s", job_id, stage)
    job = db.session.get(ImportJob, job_id)
    if job is None:
        return
    db.session.refresh(job)
    message = _("The import stopped because of an error on the server. Nothing was changed.")
    _finish(job, "failed", errors=job.errors or [], summary={**(job.summary or {}), "message": message})
    db.session.commit()


# -- the sample file -------------------------------------------------------------------------


def sample_rows(scope: Scope, limit: int = 5) -> list[list]:
    """The first parts in scope with their latest figures, dated today: a file that passes as is."""
    parts = db.session.execute(
        select(Part.id, Constituency.number, Part.number)
        .join(Constituency, Part.constituency_id == Constituency.id)
        .where(scope.part_filter())
        .order_by(Constituency.number, Part.number)
        .limit(limit)
    ).all()
    ids = [p[0] for p in parts]
    latest = latest_reports(None, DailyReport.part_id.in_(ids))
    figures = {
        row[0]: list(row[1:])
        for row in db.session.execute(
            latest.with_only_columns(DailyReport.part_id, *(getattr(DailyReport, n) for n in FIGURES))
        )
    }
    today = campaign_today()
    return [[ac, number, today, *figures.get(pid, [0] * len(FIGURES)), ""] for pid, ac, number in parts]


def sample_file(scope: Scope) -> Spreadsheet:
    """The sample as a table for the exports' writer: the file's own column names, then the rows."""
    kinds = {"report_date": DATE, "reason": TEXT}
    names = zip(COLUMNS, SAMPLE_HEADERS, strict=True)
    columns = [Column(header, kinds.get(name, INTEGER)) for name, header in names]
    return Spreadsheet(columns=columns, rows=sample_rows(scope))
