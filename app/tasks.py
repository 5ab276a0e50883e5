"""The job queue: one huey instance whose storage QUEUE_URL chooses, and the Job row each task reports on.

- no QUEUE_URL: an SQLite file under instance/ (nothing more to install);
- `sqlite:///path`, `redis://…` or `postgresql://…`: the same queue shared by consumers on
  several machines.

A web request creates a Job row, commits, and enqueues only its id; a consumer
(`huey_consumer app.worker.huey`) runs the task inside an app context and keeps the row's status,
progress and heartbeat. Tests set QUEUE_IMMEDIATE, so a task runs at once in the request.

A consumer that dies mid-job (killed, out of memory, the machine lost) loses its task: huey took
the message off the queue and does not run it again, and the job's work, one transaction, was
rolled back by the database. What is left is the Job row saying "running". It is closed as failed
(and the feature's own record, through `on_failure`, told "interrupted, nothing was changed"):

- at once by a consumer on the same host, at its start-up or in the closer run every minute: the
  claim recorded the process (host, pid, start time), and that process is gone;
- by the closer on any host when the heartbeat is older than STALE_AFTER (2 minutes): a thread
  beside every running job writes it every 20 seconds, whatever the job is doing.

The two rules never take a live job for a dead one. On the same host the process is asked, not the
heartbeat: on SQLite (one machine by nature) the job's own transaction may hold the write lock for
minutes, and a heartbeat that cannot get it is skipped, which says nothing about the job. Another
host can only be judged by its heartbeat, which on PostgreSQL contends with nothing: it updates
only the job's row, on its own connection, a row the job's transaction does not lock.
"""

from __future__ import annotations

import functools
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_app_context
from huey import Huey, MemoryHuey, crontab
from huey.storage import PostgresStorage, RedisStorage, SqliteStorage
from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError

from app.config import Config
from app.extensions import db
from app.models import Job, JobStatus, User
from app.timeutil import utcnow

# A running job whose heartbeat is older than this was cut off (its consumer died).
STALE_AFTER = timedelta(minutes=2)
# How often a running job's heartbeat is written, by a thread of its own.
HEARTBEAT_EVERY = 20.0
INTERRUPTED = "interrupted"
# Crash tests only: a folder where a job announces a hold point and waits there (hold_point()).
HOLD_DIR_VARIABLE = "SIR_JOB_HOLD_DIR"

log = logging.getLogger(__name__)

huey: Huey = MemoryHuey("sir-field-desk", results=False, utc=True)

# kind → what to do to the job's own records when it fails or is found cut off
_ON_FAILURE: dict[str, Callable[[list[int]], None]] = {}
_consumer_app: Flask | None = None
# The jobs this process is running now (any worker thread): its own claims, alive by definition.
_running_here: set[int] = set()
_running_lock = threading.Lock()


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
            app = _app()
            with app.app_context(), _running_in_this_process(job_id):
                if not _claim(job_id):
                    return
                # In a consumer only: immediate mode (tests) runs the job inside a web request.
                with nullcontext() if huey.immediate else Heartbeat(app, job_id):
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
    """Running, in this process's name (host, pid, start), only if still queued."""
    now = utcnow()
    pid = os.getpid()
    claimed = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.QUEUED)
        .values(
            status=JobStatus.RUNNING,
            started_at=now,
            updated_at=now,
            worker_host=this_host(),
            worker_pid=pid,
            worker_started=_process_stat(pid)[1],
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return claimed.rowcount == 1


@contextmanager
def _running_in_this_process(job_id: int) -> Iterator[None]:
    """Known as this process's own from before its claim until its outcome is written."""
    with _running_lock:
        _running_here.add(job_id)
    try:
        yield
    finally:
        with _running_lock:
            _running_here.discard(job_id)


# -- the consumer's process and the heartbeat ---------------------------------------------------


@functools.cache
def this_host() -> str:
    """Where a pid names the same process: the host name, and on Linux the kernel's boot and the
    pid namespace (two containers may share a host name, or a kernel, but not both with a pid
    namespace)."""
    name = socket.gethostname()[:100]
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        return name
    return f"{name} {boot} {namespace}"[:200]


def _process_stat(pid: int) -> tuple[str | None, int | None]:
    """A process's state letter and start (clock ticks since boot), from Linux's /proc; Nones elsewhere."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        fields = stat.rsplit(")", 1)[1].split()  # after "pid (name)": state is field 3, start field 22
        return fields[0], int(fields[19])
    except (OSError, IndexError, ValueError):
        return None, None


def process_alive(job_id: int, pid: int, started: int | None) -> bool:
    """Is the process on this host that claimed this job still there? Asked of the system, so a
    job whose transaction holds the database for minutes (and writes no heartbeat) stays alive."""
    if pid == os.getpid() and started in (None, _process_stat(pid)[1]):
        with _running_lock:
            return job_id in _running_here  # this very process: is it running the job?
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # there, under another user
    state, now_started = _process_stat(pid)
    if state in ("Z", "X"):  # killed, not yet reaped by its parent
        return False
    # The pid went to another process since (a restarted container numbers from 1 again).
    return started is None or now_started is None or now_started == started


class Heartbeat:
    """While a job runs in a consumer, a thread writes its heartbeat every `every` seconds on a
    connection of its own, whatever the job is doing (one long SQL statement included), and stops
    with the job. The app's only thread, and never in a web worker (tests/test_structure.py)."""

    def __init__(self, app: Flask, job_id: int, every: float | None = None):
        self.app, self.job_id = app, job_id
        self.every = HEARTBEAT_EVERY if every is None else every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{job_id}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        with self.app.app_context():
            while not self._stop.wait(self.every):
                beat(self.job_id)


def beat(job_id: int) -> bool:
    """One heartbeat of a running job. False when the database did not take it: on SQLite the
    job's own transaction may hold the write lock past the busy timeout. It is skipped (the next
    one tries again); on the same host liveness is the process's, not the heartbeat's."""
    jobs = Job.__table__
    try:
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("SET LOCAL lock_timeout = '5s'")
            connection.execute(
                update(jobs)
                .where(jobs.c.id == job_id, jobs.c.status == JobStatus.RUNNING)
                .values(updated_at=utcnow())
            )
    except SQLAlchemyError as error:
        log.info("heartbeat of job %s skipped: %s", job_id, error)
        return False
    return True


def hold_point(name: str) -> None:
    """Crash tests only: with SIR_JOB_HOLD_DIR set in a consumer's environment, a job that reaches
    this point writes a file `name` (holding its pid) in that folder and waits there until a file
    `name.release` appears (10 minutes at most), so that a test kills the consumer at a known
    moment. Without the variable, nothing."""
    folder = os.environ.get(HOLD_DIR_VARIABLE)
    if not folder:
        return
    Path(folder, name).write_text(str(os.getpid()))
    release, deadline = Path(folder, f"{name}.release"), time.monotonic() + 600
    while not release.exists() and time.monotonic() < deadline:
        time.sleep(0.05)


def report_progress(job_id: int, processed: int, total: int) -> None:
    """Progress and heartbeat on their own connection, so a page sees them while the job's
    own transaction is still open.

    Not while this session writes to SQLite: the other connection would wait on the job's own
    write lock and fail after the busy timeout, failing the job (a volunteer import of 200 rows did).
    The job's process, not its progress, tells it alive there (see close_stale_jobs).
    """
    from app.locks import holds_sqlite_write_lock

    if holds_sqlite_write_lock():
        return
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
    """Mark failed the running jobs whose consumer died mid-way; the number closed.

    A job claimed on this host is dead as soon as its process is gone; one claimed elsewhere (or
    before claims named their process) when its heartbeat is older than STALE_AFTER. Each is
    closed only if it still is what was judged (running, same process, heartbeat still old), so a
    job that finishes meanwhile keeps its outcome. Each job wrote its work in one transaction, so
    nothing of it was saved.
    """
    cutoff = (now or utcnow()) - STALE_AFTER
    here = this_host()
    running = db.session.execute(
        select(Job.id, Job.kind, Job.updated_at, Job.worker_host, Job.worker_pid, Job.worker_started).where(
            Job.status == JobStatus.RUNNING
        )
    ).all()
    closed: dict[str, list[int]] = {}
    for job_id, kind, heartbeat, host, pid, started in running:
        if host == here and pid is not None:
            if process_alive(job_id, pid, started):
                continue
            still = (Job.worker_host == here, Job.worker_pid == pid)
        elif heartbeat < cutoff:
            still = (Job.updated_at < cutoff,)
        else:
            continue
        marked = db.session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == JobStatus.RUNNING, *still)
            .values(status=JobStatus.FAILED, error=INTERRUPTED, finished_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if marked.rowcount == 1:
            log.warning("job %s (%s) was cut off: its consumer died; marked failed", job_id, kind)
            closed.setdefault(kind, []).append(job_id)
    for kind, ids in closed.items():
        if kind in _ON_FAILURE:
            _ON_FAILURE[kind](ids)
    db.session.commit()
    return sum(len(ids) for ids in closed.values())


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


@periodic_task(crontab())  # every minute: a dead job is closed within STALE_AFTER + 1 minute
def close_cut_off_jobs() -> None:
    close_stale_jobs()


@huey.on_startup()
def close_cut_off_jobs_at_start() -> None:
    """A consumer that starts after a crash closes what the crash cut off: on its own host at
    once (the process is gone), elsewhere by the heartbeat."""
    with _app().app_context():
        close_stale_jobs()
