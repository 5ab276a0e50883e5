"""The write path at the peak: report posts through gunicorn against a bare Flask insert.

Both apps run under gunicorn (2 sync workers, SQLite WAL) in the same run and take the same
bounded load, in turns: 16 connections on loopback. Distinct BLOs sign in first, one part each across
every AC, and each posts its own part's report of today with figures that rise every time.

Each post carries what its form's live check was drawn from (check_shown), as a phone's form does
once the check has answered the figures typed: the checks are asked for before the timed turns
(with_shown_checks), and the save's answer is then the confirmation alone. Those checks' worker CPU
time per check is printed too (report_check_worker_cpu_ms): a BLO's report costs a check or more
and a save.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import and_, func, select, text, update

from bench import load
from bench.harness import report
from bench.servers import create_bare_database

PARTS_PER_AC = 5
POSTS_PER_SIDE = 2400  # the side-by-side run, for each app
TURN = 300  # posts to one app before the other's turn
PACED_RATE, PACED_SECONDS = 150, 60
ROOM = (POSTS_PER_SIDE + PACED_RATE * PACED_SECONDS) // (230 * PARTS_PER_AC) + 8
HEADERS = {"Content-Type": "application/x-www-form-urlencoded", "Accept-Language": "en"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """gunicorn serving `target` on a free loopback port, stopped (by its own pid) on exit."""

    def __init__(self, target: str, env: dict[str, str]):
        self.port = _free_port()
        command = [sys.executable, "-m", "gunicorn", "-w", "2", "-k", "sync", "-b", f"127.0.0.1:{self.port}"]
        self.process = subprocess.Popen(
            [*command, "--log-level", "warning", target],
            env={**os.environ, **env},
            cwd=Path(__file__).resolve().parent.parent,
        )

    def __enter__(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError("gunicorn exited") from None
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def worker_cpu_seconds(self) -> float:
        """CPU time its workers have spent so far (Linux's /proc; nan elsewhere): unlike a rate,
        barely moved by what else the shared machine is doing."""
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            total = 0
            for child in children:
                fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime
        except OSError:
            return float("nan")
        return total / os.sysconf("SC_CLK_TCK")

    def __exit__(self, *_):
        self.process.terminate()
        self.process.wait(timeout=30)


def _write_dir(bench) -> Path:
    """Where both apps' databases live: memory-backed /dev/shm when the machine has it, so that
    neither meets the shared disk's write-back of the 700 MB copy (seen to cut both apps to a
    quarter of their speed, and to flatter the ratio); BENCH_WRITE_DIR chooses another place."""
    chosen = os.environ.get("BENCH_WRITE_DIR") or ("/dev/shm" if os.path.isdir("/dev/shm") else "")
    if not chosen:
        return bench.workdir
    folder = Path(tempfile.mkdtemp(prefix="sir-bench-", dir=chosen))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def _serving_database(bench, folder: Path) -> str:
    """A copy of the state-scale SQLite database for the real app to write to."""
    from app.extensions import db

    url = bench.app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("sqlite:///"):
        return url
    with bench.app.app_context():
        db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        db.session.commit()
    copy = folder / "bench-write-path.sqlite"
    shutil.copyfile(url.removeprefix("sqlite:///"), copy)
    return f"sqlite:///{copy}"


def _reporting_blos(url: str) -> list[tuple[str, int, dict[str, int]]]:
    """(login, part id, latest figures) of the first parts of every AC with room to rise.

    Their password hash is made cheap in the bench copy, so a thousand sign-ins take seconds:
    the sign-in itself is not what is measured.
    """
    from werkzeug.security import generate_password_hash

    from app import create_app
    from app.demo import DEMO_PASSWORD
    from app.extensions import db
    from app.figures.models import FIGURES, DailyReport
    from app.figures.rules import elector_tolerance
    from app.models import Part, User

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        latest = (
            select(DailyReport.part_id, func.max(DailyReport.report_date).label("day"))
            .group_by(DailyReport.part_id)
            .subquery()
        )
        rows = db.session.execute(
            select(User.login, User.id, Part.id, Part.electors, *(getattr(DailyReport, n) for n in FIGURES))
            .join(Part, Part.blo_id == User.id)
            .join(latest, latest.c.part_id == Part.id)
            .join(DailyReport, and_(DailyReport.part_id == Part.id, DailyReport.report_date == latest.c.day))
            .where(Part.number <= PARTS_PER_AC * 2)
            .order_by(Part.number, Part.constituency_id)
        ).all()
        chosen = []
        for login, user_id, part_id, electors, *values in rows:
            figures = dict(zip(FIGURES, values, strict=True))
            if electors + elector_tolerance(electors) - figures["digitized"] >= ROOM:
                chosen.append((login, user_id, part_id, figures))
            if len(chosen) == 230 * PARTS_PER_AC:
                break
        cheap = generate_password_hash(DEMO_PASSWORD, method="pbkdf2:sha256:1000")
        db.session.execute(
            update(User).where(User.id.in_([c[1] for c in chosen])).values(password_hash=cheap)
        )
        db.session.commit()
        db.engine.dispose()
    return [(login, part_id, figures) for login, _, part_id, figures in chosen]


def _sign_in(port: int, blos) -> list[str]:
    """Each BLO's session cookie, from the real sign-in form (CSRF is off in the bench apps)."""
    from app.demo import DEMO_PASSWORD

    requests = [
        load.Request(
            "POST", "/auth/login", urlencode({"login": login, "password": DEMO_PASSWORD}).encode(), HEADERS
        )
        for login, _, _ in blos
    ]
    cookies = [""] * len(requests)

    def remember(index, headers):
        cookies[index] = "; ".join(
            value.split(";", 1)[0] for name, value in headers if name.lower() == "set-cookie"
        )

    result = load.run("127.0.0.1", port, requests, expect=303, on_response=remember)
    assert result.errors == 0, ("bench sign-in failed", result.statuses, result.bodies)
    return cookies


class Posts:
    """The next posts of the signed-in BLOs, round robin, each one a little above the last."""

    def __init__(self, blos, cookies):
        self.blos = list(zip(blos, cookies, strict=True))
        self.sent = [0] * len(self.blos)
        self.turn = 0

    def take(self, count: int) -> list[load.Request]:
        batch = []
        for _ in range(count):
            index = self.turn % len(self.blos)
            self.turn += 1
            self.sent[index] += 1
            (_, part_id, figures), cookie = self.blos[index]
            batch.append(self._post(part_id, _rising(figures, self.sent[index]), cookie))
        return batch

    @staticmethod
    def _post(part_id: int, figures: dict[str, int], cookie: str) -> load.Request:
        body = urlencode({name: str(value) for name, value in figures.items()}).encode()
        return load.Request(
            "POST", f"/reports/parts/{part_id}", body, {**HEADERS, "Cookie": cookie, "HX-Request": "true"}
        )


_SHOWN = re.compile(rb'name="check_shown" value="([0-9a-f]+)"')


def with_shown_checks(port: int, posts: list[load.Request]) -> list[load.Request]:
    """The posts, each with the check_shown its form would carry after the live check of its
    figures (asked of the server, untimed): what a phone sends when it saves what its check shows."""
    checks = [load.Request("POST", f"{post.path}/check", post.body, post.headers) for post in posts]
    shown: list[bytes | None] = [None] * len(posts)

    def keep(index: int, body: bytes) -> None:
        found = _SHOWN.search(body)
        shown[index] = found[1] if found else None

    result = load.run("127.0.0.1", port, checks, on_body=keep)
    assert result.errors == 0 and all(shown), ("bench live checks failed", result.statuses, result.bodies)
    return [_carrying(post, digest) for post, digest in zip(posts, shown, strict=True)]


def _carrying(post: load.Request, digest: bytes) -> load.Request:
    return load.Request(post.method, post.path, post.body + b"&check_shown=" + digest, post.headers)


def _same_size(posts: list[load.Request]) -> list[load.Request]:
    """The bare app's posts, as long as the real app's (a digest of the same length)."""
    return [_carrying(post, b"0" * 24) for post in posts]


def _rising(figures: dict[str, int], step: int) -> dict[str, int]:
    """`step` more forms digitized, collected and distributed as far as the rules need."""
    from app.figures.models import ASD_FIGURES

    raised = dict(figures)
    asd = sum(figures[name] for name in ASD_FIGURES)
    raised["digitized"] = figures["digitized"] + step
    raised["collected"] = max(figures["collected"], raised["digitized"] - asd)
    raised["distributed"] = max(figures["distributed"], raised["collected"] + asd)
    return raised


def run(bench) -> None:
    folder = _write_dir(bench)
    url = _serving_database(bench, folder)
    blos = _reporting_blos(url)
    assert len(blos) == 230 * PARTS_PER_AC, len(blos)
    bare_path = str(folder / "bench-bare.sqlite")
    create_bare_database(bare_path)
    with (
        Gunicorn("bench.servers:real_app()", {"BENCH_SERVE_DATABASE_URL": url}) as real,
        Gunicorn("bench.servers:bare_app()", {"BENCH_BARE_SQLITE": bare_path}) as bare,
    ):
        posts = Posts(blos, _sign_in(real.port, blos))
        answers = []
        warm = load.run(
            "127.0.0.1",
            real.port,
            with_shown_checks(real.port, posts.take(64)),
            on_body=lambda _index, body: answers.append(body),
        )
        assert warm.errors == 0, (warm.statuses, warm.bodies)
        assert not any(b'id="check-' in answer for answer in answers), "the saves sent the check again"
        warm = load.run("127.0.0.1", bare.port, _same_size(posts.take(64)))
        assert warm.errors == 0, (warm.statuses, warm.bodies)
        # In turns of TURN posts, so that both apps meet the same moments of a shared machine; the
        # checks of every turn are asked for first, outside the timed turns and the CPU counted.
        checks_cpu = real.worker_cpu_seconds()
        turns = [
            {"real": with_shown_checks(real.port, posts.take(TURN)), "bare": _same_size(posts.take(TURN))}
            for _ in range(POSTS_PER_SIDE // TURN)
        ]
        checks_cpu = real.worker_cpu_seconds() - checks_cpu
        report("report_check_worker_cpu_ms", checks_cpu / POSTS_PER_SIDE * 1000, "ms")
        paced_posts = with_shown_checks(real.port, posts.take(PACED_RATE * PACED_SECONDS))
        sent, spent = {"real": 0, "bare": 0}, {"real": 0.0, "bare": 0.0}
        cpu_before = {"real": real.worker_cpu_seconds(), "bare": bare.worker_cpu_seconds()}
        for turn in turns:
            for name, server in (("real", real), ("bare", bare)):
                result = load.run("127.0.0.1", server.port, turn[name])
                assert result.errors == 0, (name, result.statuses, result.bodies)
                sent[name] += len(result.latencies_ms)
                spent[name] += result.seconds
        side_by_side = {name: sent[name] / spent[name] for name in sent}
        report("report_submit_rps", side_by_side["real"], "rps")
        report("bare_insert_rps", side_by_side["bare"], "rps")
        report("report_submit_rps_over_bare_insert", side_by_side["real"] / side_by_side["bare"], "ratio")
        for name, key, server in (("report_submit", "real", real), ("bare_insert", "bare", bare)):
            cpu = server.worker_cpu_seconds() - cpu_before[key]
            report(f"{name}_worker_cpu_ms", cpu / sent[key] * 1000, "ms")

        paced = load.run("127.0.0.1", real.port, paced_posts, rate=PACED_RATE)
        report("report_submit_p99_ms", paced.percentile_ms(0.99), "ms")
        report("report_submit_paced_errors", paced.errors, "errors")
        report("report_submit_paced_rps", paced.rps, "rps")
