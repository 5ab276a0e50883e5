"""The concurrency suite: races sent with real threads to real gunicorn servers (`make test-concurrency`).

- SQLite (the default): one gunicorn, 2 sync workers, on the run's SQLite file.
- PostgreSQL (TEST_DATABASE_URL is a postgresql URL): two gunicorn servers of 2 workers each, on two
  ports, against the run's schema, with the job queue and the rate limits in Redis
  (CONCURRENCY_REDIS_URL, database 13 and the next one by default); the sessions alternate
  between the servers.

The servers run the production configuration (`wsgi:app`, scrypt, CSRF, rate limits, the queue not
immediate), read from the environment only; tests/concurrency/timed.py notes when each race request
was inside the app. The database is the run's own (tests/conftest.py `database_url`), seeded once
with the tiny demo (its accounts' passwords hashed with the test configuration's cheap method, so
signing in costs little whatever the server's method) and without its offers and days: each race
builds the state it needs through the app's services, in its own volunteers and parts, then reads
what got saved straight from the database.

Each race records whether it really collided (two or more of its requests inside the app at the same
moment, by the servers' own notes) and what it found, as a JSON line in RACE_RECORD when that is
set: `python -m bench.race_loop` runs the suite many times and counts them.

These tests are left out of `make test` and `make test-pg` (deselected here) unless the run asks for
them: `-m concurrency`, or only paths under tests/concurrency.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import delete, make_url

from app.demo import seed_demo
from app.extensions import db
from tests.concurrency.racing import Gunicorn, Person, Race, Servers, Verdict, run_race

HERE = Path(__file__).resolve().parent
REDIS_URL = os.environ.get("CONCURRENCY_REDIS_URL", "redis://127.0.0.1:6379/13")


# -- left out unless asked for ------------------------------------------------------------------


def _inside(path: Path) -> bool:
    return path == HERE or HERE in path.parents


def _asked_for(config) -> bool:
    if "concurrency" in (config.option.markexpr or ""):
        return True
    base = Path(config.invocation_params.dir)
    given = [(base / arg.split("::")[0]).resolve() for arg in config.args]
    return bool(given) and all(_inside(path) for path in given)


def pytest_collection_modifyitems(config, items):
    """Marks the suite's tests `concurrency`, and deselects them from runs that did not ask."""
    asked = _asked_for(config)
    kept, left = [], []
    for item in items:
        if _inside(Path(item.path)):
            item.add_marker(pytest.mark.concurrency)
            if not asked:
                left.append(item)
                continue
        kept.append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


# -- the database ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def race_app(database_url, shared_app):
    """The test configuration's app on the run's database (for set-up and reading), seeded once,
    without the demo's offers and days."""
    from app.volunteers.models import Assignment, VisitDay

    with shared_app.app_context():
        db.create_all()
        seed_demo("tiny", log=lambda *_: None)
        db.session.execute(delete(VisitDay))
        db.session.execute(delete(Assignment))
        db.session.commit()
        db.session.remove()
    return shared_app


def _server_database_url(database_url) -> str:
    """The URL a server gets in DATABASE_URL: on PostgreSQL the run's schema rides in psycopg's options."""
    url, engine_options = database_url
    options = engine_options.get("connect_args", {}).get("options")
    if not options:
        return url
    return make_url(url).update_query_dict({"options": options}).render_as_string(hide_password=False)


# -- the servers ----------------------------------------------------------------------------------


def _redis_urls() -> tuple[str, str]:
    """The queue's Redis database and the rate limits' (the next number)."""
    base, _slash, number = REDIS_URL.rpartition("/")
    if not REDIS_URL.startswith("redis://") or not number.isdigit():
        raise RuntimeError(f"CONCURRENCY_REDIS_URL must end with a database number, not {REDIS_URL!r}")
    return f"{base}/{number}", f"{base}/{int(number) + 1}"


def _flush_redis(*urls: str) -> None:
    import redis

    for url in urls:
        client = redis.Redis.from_url(url)
        try:
            client.flushdb()
        finally:
            client.close()


@pytest.fixture(scope="session")
def servers(race_app, database_url, tmp_path_factory):
    """SQLite: one gunicorn. PostgreSQL: two, with the queue and the rate limits in Redis."""
    folder = tmp_path_factory.mktemp("race-servers")
    timing = folder / "timing"
    timing.mkdir()
    database = make_url(race_app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()
    left_out = {"QUEUE_IMMEDIATE", "QUEUE_URL", "RATELIMIT_STORAGE_URI", "DATABASE_URL", "SECRET_KEY"}
    env = {name: value for name, value in os.environ.items() if name not in left_out}
    env.update(
        {
            "DATABASE_URL": _server_database_url(database_url),
            # One key for all: a session signed in on one server is signed in on the other.
            "SECRET_KEY": f"race-{uuid.uuid4().hex}",
            "RACE_TIMING_DIR": str(timing),
            "PYTHONUNBUFFERED": "1",
        }
    )
    redis_urls: tuple[str, ...] = ()
    if database == "postgresql":
        redis_urls = _redis_urls()
        _flush_redis(*redis_urls)
        env.update({"QUEUE_URL": redis_urls[0], "RATELIMIT_STORAGE_URI": redis_urls[1]})
        count = 2
    else:
        env["QUEUE_URL"] = f"sqlite:///{folder / 'queue.sqlite'}"
        count = 1
    gunicorns: list[Gunicorn] = []
    try:
        for index in range(count):
            gunicorns.append(Gunicorn(env, folder / f"gunicorn-{index}.log"))
        for gunicorn in gunicorns:
            gunicorn.wait_ready()
        yield Servers([g.url for g in gunicorns], timing, database, gunicorns)
    finally:
        for gunicorn in gunicorns:
            gunicorn.stop()
        if redis_urls:
            _flush_redis(*redis_urls)


@pytest.fixture(scope="session")
def sign_in(servers):
    """sign_in(login, ...): one signed-in Person per login, each on the next server in turn."""
    turn = iter(range(1_000_000))

    def people(*logins: str) -> list[Person]:
        return [Person(servers.url(next(turn)), login) for login in logins]

    return people


@pytest.fixture(scope="session")
def demo(race_app):
    from tests.concurrency.support import Demo

    return Demo(race_app)


# -- the race -------------------------------------------------------------------------------------


@pytest.fixture
def race(servers):
    """race(name, [(who, send), ...]) → Race: see racing.run_race."""
    return lambda name, sends: run_race(servers, name, sends)


@pytest.fixture
def verdict(servers):
    """verdict(race) → Verdict: the 5xx and X-Refusal rules checked; the race's own rules next."""
    return lambda race: Verdict(race, servers)


@pytest.fixture
def record(servers, request):
    """record(race, **found): one JSON line in RACE_RECORD (when set), before the test's asserts."""

    def write(race: Race, **found) -> None:
        path = os.environ.get("RACE_RECORD")
        if not path:
            return
        line = {
            "race": race.name,
            "test": request.node.name,
            "database": servers.database,
            "requests": len(race.answers),
            "winners": len(race.winners),
            "losers": len(race.losers),
            "overlap": race.overlap,
            "collided": race.collided,
            "statuses": sorted(a.status for a in race.answers),
            **found,
        }
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps(line, default=str) + "\n")

    return write
