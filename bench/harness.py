"""Shared by the benchmark modules: the Bench helper and the report line format."""

from __future__ import annotations

import os
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from flask_migrate import upgrade
from werkzeug.serving import make_server


class Bench:
    """What a benchmark module needs: the state-scale app, a tiny-scale app, timing helpers."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        cached = os.environ.get("BENCH_STATE_SQLITE")
        if cached and Path(cached).exists():
            self.app = self._reuse_app(Path(cached))
        else:
            url = f"sqlite:///{Path(cached).resolve()}" if cached else os.environ.get("BENCH_DATABASE_URL")
            self.app = self._make_app("state", url)
        self._tiny = None

    @staticmethod
    def _reuse_app(path: Path):
        """The app on a state seed an earlier run made (BENCH_STATE_SQLITE): not seeded again."""
        from app import create_app

        return create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path.resolve()}",
                "RATELIMIT_ENABLED": False,
                "WTF_CSRF_ENABLED": False,
            }
        )

    def _make_app(self, scale: str, url: str | None = None):
        from app import create_app
        from app.demo import seed_demo
        from app.extensions import db

        url = url or f"sqlite:///{self.workdir / f'bench-{scale}.sqlite'}"
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False}
        )
        with app.app_context():
            db.drop_all()
            upgrade()
            started = time.perf_counter()
            seed_demo(scale, log=lambda *_: None)
            if scale == "state":
                report("seed_state_seconds", time.perf_counter() - started, "s")
        return app

    @property
    def tiny_app(self):
        if self._tiny is None:
            self._tiny = self._make_app("tiny")
        return self._tiny

    def client(self, login: str, app=None):
        """A test client signed in as `login` (CSRF is off in the bench apps)."""
        from app.demo import DEMO_PASSWORD

        client = (app or self.app).test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        response = client.post("/auth/login", data={"login": login, "password": DEMO_PASSWORD})
        assert response.status_code == 303, f"bench sign-in failed for {login}"
        return client

    @staticmethod
    def median_ms(action: Callable[[], object], repeat: int = 15, warmup: int = 2) -> float:
        for _ in range(warmup):
            action()
        timings = []
        for _ in range(repeat):
            started = time.perf_counter()
            action()
            timings.append((time.perf_counter() - started) * 1000)
        return statistics.median(timings)


@contextmanager
def serving(app) -> Iterator[str]:
    """The app on a threaded server at a free loopback port, for a browser: its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def report(name: str, value: float, unit: str, budget: float | None = None) -> None:
    """`bench <name> <value> <unit>`, and where the figure has a budget, `(budget < B unit: met)`
    or `(budget < B unit: OVER)` beside it: time budgets live here, not in the tests."""
    digits = 2 if unit == "ratio" else 1
    line = f"bench {name} {value:.{digits}f} {unit}"
    if budget is not None:
        line += f" (budget < {budget:g} {unit}: {'met' if value < budget else 'OVER'})"
    print(line, flush=True)
