"""Import of a state-wide file: 65,014 rows checked and applied through the services, end to end.

The import writes today's figures of every part, so on SQLite it runs on a copy of the bench
database and leaves the other benchmarks' data as it was.
"""

from __future__ import annotations

import csv
import shutil
import time

from sqlalchemy import and_, func, select, text

from app.figures.models import FIGURES, DailyReport
from app.imports.models import ImportJob
from app.models import Constituency, Part, User
from bench.harness import report


def _app_for_import(bench):
    """A copy of the state-scale SQLite database, or the bench database itself on PostgreSQL."""
    from app import create_app
    from app.extensions import db

    url = bench.app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("sqlite:///"):
        return bench.app
    with bench.app.app_context():
        db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        db.session.commit()
    copy = bench.workdir / "bench-imports.sqlite"
    shutil.copyfile(url.removeprefix("sqlite:///"), copy)
    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{copy}", "IMPORTS_DIR": str(bench.workdir)})


def _write_state_file(path, today) -> int:
    """Every part's latest figures plus a small increase that keeps the rules: a file that passes."""
    from app.extensions import db

    latest = (
        select(DailyReport.part_id, func.max(DailyReport.report_date).label("latest"))
        .group_by(DailyReport.part_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Constituency.number, Part.number, *(getattr(DailyReport, n) for n in FIGURES))
        .join(
            latest, and_(DailyReport.part_id == latest.c.part_id, DailyReport.report_date == latest.c.latest)
        )
        .join(Part, Part.id == DailyReport.part_id)
        .join(Constituency, Constituency.id == Part.constituency_id)
        .order_by(Constituency.number, Part.number)
    ).all()
    raised = {FIGURES.index(n) for n in ("distributed", "collected", "digitized", "mapped_self")}
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["AC number", "Part number", "Date", *FIGURES])
        for ac, number, *figures in rows:
            writer.writerow(
                [ac, number, today.isoformat(), *(v + 2 if i in raised else v for i, v in enumerate(figures))]
            )
    return len(rows)


def run(bench) -> None:
    from app.campaign.clock import campaign_today
    from app.extensions import db
    from app.imports.services import run_apply, run_check, start_apply

    app = _app_for_import(bench)
    with app.app_context():
        state = db.session.scalar(select(User).where(User.login == "state"))
        path = bench.workdir / "import-state.csv"
        rows = _write_state_file(path, campaign_today())
        job = ImportJob(user_id=state.id, district_id=None, filename=path.name, stored_path=str(path))
        db.session.add(job)
        db.session.commit()
        job_id, state_id = job.id, state.id

        started = time.perf_counter()
        run_check(job_id, "en_IN")
        checked = time.perf_counter() - started
        job = db.session.get(ImportJob, job_id)
        assert job.status == "checked", (job.status, (job.errors or [])[:3], job.summary.get("message"))
        assert start_apply(job)
        db.session.commit()
        run_apply(job_id, state_id, "en_IN")
        elapsed = time.perf_counter() - started
        db.session.expire_all()
        job = db.session.get(ImportJob, job_id)
        assert job.status == "applied", job.summary
        applied = job.summary["applied"]
        assert applied["created"] + applied["updated"] == rows, applied

    report("import_check_65014_rows_seconds", checked, "s")
    report("import_65014_rows_seconds", elapsed, "s")
