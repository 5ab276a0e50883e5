"""`make bench`: state-scale figures, each printed as `bench <name> <value> <unit>`.

Runs on a fresh SQLite file (or BENCH_DATABASE_URL) so it never touches the demo database.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade


def main() -> None:
    from app import create_app
    from app.extensions import db
    from app.seed import DEMO_PASSWORD, seed_demo

    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False,
                          "WTF_CSRF_ENABLED": False})
        with app.app_context():
            db.drop_all()
            upgrade()
            started = time.perf_counter()
            seed_demo("state", log=lambda *_: None)
            print(f"bench seed_state_seconds {time.perf_counter() - started:.1f} s", flush=True)

        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        client.post("/auth/login", data={"login": "state", "password": DEMO_PASSWORD})
        for name, path in (
            ("places_state_districts_ms", "/places/"),
            ("places_state_parts_search_ms", "/places/parts?q=school+100"),
            ("home_state_ms", "/"),
        ):
            timings = []
            for _ in range(15):
                started = time.perf_counter()
                response = client.get(path)
                timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (path, response.status_code)
            print(f"bench {name} {statistics.median(timings):.1f} ms", flush=True)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
