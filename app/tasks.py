"""The job queue: one huey instance whose storage QUEUE_URL chooses, and the Job row each task reports on.

- no QUEUE_URL: an SQLite file under instance/ (nothing more to install);
- `sqlite:///path`, `redis://…` or `postgresql://…`: the same queue shared by consumers on
  several machines.

A web request creates a Job row, commits, and enqueues only its id; a consumer
(`huey_consumer app.worker.huey`) runs the task inside an app context and keeps the row's status,
progress and heartbeat. Tests set QUEUE_IMMEDIATE, so a task runs at once in the request.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_app_context
from huey import Huey, MemoryHuey
from huey.storage import PostgresStorage, RedisStorage, SqliteStorage
from sqlalchemy import select, update

from app.config import Config
from app.extensions import db
from app.models import Job, JobStatus, User
from app.timeutil import utcnow

# A running job whose heartbeat is older than this was cut off (its consumer died).
STALE_AFTER = timedelta(minutes=30)

huey: Huey = MemoryHuey("sir-field-desk", results=False, utc=True)

# kind → what to do to the job's own records when it fails or is found cut off
_ON_FAILURE: dict[str, Callable[[list[int]], None]] = {}
_consumer_app: Flask | None = None


def storage_for(url: str, instance_path: str):
    """The queue's storage for a QUEUE_URL (empty: an SQLite file in the instance folder)."""
    name = huey.name
    if not url:
        return SqliteStorage(name, filename=str(Path(instance_path) / "queue.sqlite"))
    if url.startswith("sqlite:///"):
        return SqliteStorage(name, filename=url.removeprefix("sqlite:///"))
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisStorage(name, url=url)
    if url.startswith(("postgresql://", "postgresql+psycopg://", "postgres://")):
        return PostgresStorage(name, dsn="postgresql://" + url.split("://", 1)[1])
    raise ValueError(f"QUEUE_URL must start with sqlite:///, redis:// or postgresql://, not {url[:20]!r}")


def init_app(app: Flask) -> None:
    """Point the queue at the configured storage, or run tasks at once (QUEUE_IMMEDIATE).

    The app is also the one a consumer runs its tasks in (app/worker.py builds it once).
    """
    global _consumer_app
    _consumer_app = app
    huey.immediate = app.config["QUEUE_IMMEDIATE"]
    if not huey.immediate:
        huey.storage = storage_for(app.config["QUEUE_URL"], app.instance_path)


def _app() -> Flask:
    """The request's app in immediate mode; the consumer's app otherwise."""
    if has_app_context():
        return current_app._get_current_object()
    if _consumer_app is None:
        raise RuntimeError("create_app() was not called: start the consumer on app.worker.huey")
    return _consumer_app


# -- jobs ------------------------------------------------------------------------------------


def create_job(user: User, kind: str, params: dict) -> Job:
    """A queued job in the user's name; the caller commits, then enqueues its id."""
    job = Job(kind=kind, user_id=user.id, district_id=user.district_id, params=params)
    db.session.add(job)
    db.session.flush()
    return job


def job_task(kind: str, on_failure: Callable[[list[int]], None] | None = None, **options):
    """A huey task that receives a Job's id and runs `func(job)` in an app context of its own.

    The job is marked running (only if still queued, so a message delivered twice runs once), then
    done with the function's return value as its result, or failed with the error; `on_failure`
    also closes the feature's own record. The function commits its own work.
    """
    if on_failure is not None:
        _ON_FAILURE[kind] = on_failure

    def decorator(func: Callable[[Job], dict | None]):
        @huey.task(**options)
        @functools.wraps(func)
        def run(job_id: int) -> None:
            with _app().app_context():
                if not _claim(job_id):
                    return
                job = db.session.get(Job, job_id)
                try:
                    result = func(job)
                except Exception as error:
                    db.session.rollback()
                    current_app.logger.exception("job %s (%s) failed", job_id, kind)
                    _close([job_id], kind, str(error)[:500] or type(error).__name__)
                    return
                job = db.session.get(Job, job_id)
                job.status, job.result = JobStatus.DONE, result
                job.finished_at = job.updated_at = utcnow()
                db.session.commit()

        return run

    return decorator


def _claim(job_id: int) -> bool:
    now = utcnow()
    claimed = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.QUEUED)
        .values(status=JobStatus.RUNNING, started_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return claimed.rowcount == 1


def report_progress(job_id: int, processed: int, total: int) -> None:
    """Progress and heartbeat on their own connection, so a page sees them while the job's
    own transaction is still open."""
    with db.engine.begin() as connection:
        connection.execute(
            update(Job.__table__)
            .where(Job.__table__.c.id == job_id)
            .values(processed=processed, total=total, updated_at=utcnow())
        )


def _close(job_ids: list[int], kind: str, error: str) -> None:
    if not job_ids:
        return
    db.session.execute(
        update(Job)
        .where(Job.id.in_(job_ids))
        .values(status=JobStatus.FAILED, error=error, finished_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if kind in _ON_FAILURE:
        _ON_FAILURE[kind](job_ids)
    db.session.commit()


def close_stale_jobs(now: datetime | None = None) -> int:
    """Mark running jobs whose heartbeat stopped as failed: their consumer died mid-way.

    Each job wrote its work in one transaction, so nothing of it was saved.
    """
    cutoff = (now or utcnow()) - STALE_AFTER
    stale = db.session.execute(
        select(Job.id, Job.kind).where(Job.status == JobStatus.RUNNING, Job.updated_at < cutoff)
    ).all()
    by_kind: dict[str, list[int]] = {}
    for job_id, kind in stale:
        by_kind.setdefault(kind, []).append(job_id)
    for kind, ids in by_kind.items():
        _close(ids, kind, "interrupted")
    return len(stale)


# -- periodic work ---------------------------------------------------------------------------


def every_five_minutes_from_midnight(timestamp: datetime) -> bool:
    """00:01 in the campaign's zone, then every five minutes: a new day is set up at once,
    and a missed run is made good soon after."""
    local = timestamp.replace(tzinfo=UTC).astimezone(ZoneInfo(Config.CAMPAIGN_TIMEZONE))
    return local.minute % 5 == 1


def periodic_task(validate: Callable[[datetime], bool], **options):
    """A huey periodic task run inside an app context."""

    def decorator(func: Callable[[], object]):
        @huey.periodic_task(validate, **options)
        @functools.wraps(func)
        def run() -> None:
            with _app().app_context():
                func()

        return run

    return decorator


def app_task(**options):
    """A huey task run inside an app context, for small work that needs no Job row."""

    def decorator(func: Callable[..., object]):
        @huey.task(**options)
        @functools.wraps(func)
        def run(*args, **kwargs) -> None:
            with _app().app_context():
                func(*args, **kwargs)

        return run

    return decorator


@periodic_task(every_five_minutes_from_midnight)
def close_cut_off_jobs() -> None:
    close_stale_jobs()


@huey.on_startup()
def close_cut_off_jobs_at_start() -> None:
    """A consumer that starts after a crash closes what the crash cut off."""
    with _app().app_context():
        close_stale_jobs()
