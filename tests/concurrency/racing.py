"""The machinery of a race: gunicorn servers, signed-in people, requests released together, and what
the servers noted of when each request was inside the app (tests/concurrency/timed.py)."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import requests

from app.demo import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 2
READY_SECONDS = 90
ANSWER_SECONDS = 60

# -- the servers ----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """gunicorn (2 sync workers) serving the app on a free loopback port, its log in a file."""

    def __init__(self, env: dict[str, str], log: Path):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        command = [sys.executable, "-m", "gunicorn", "-w", str(WORKERS), "-k", "sync"]
        command += ["-b", f"127.0.0.1:{self.port}", "--graceful-timeout", "5", "--log-level", "warning"]
        self._log_file = open(log, "wb")  # closed in stop()
        self.process = subprocess.Popen(
            [*command, "tests.concurrency.timed:app"],
            env=env,
            cwd=ROOT,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self) -> None:
        """Poll /healthz until it answers 200; fail at once if gunicorn exits, or after a deadline."""
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/healthz", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            try:
                self.process.wait(timeout=0.1)  # the pause between polls; a gunicorn that exits ends it
            except subprocess.TimeoutExpired:
                continue
            raise RuntimeError(f"gunicorn exited ({self.process.returncode}):\n{self.tail()}")
        raise RuntimeError(f"gunicorn did not answer /healthz within {READY_SECONDS} s:\n{self.tail()}")

    def tail(self, lines: int = 30) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """Stop this gunicorn by its own pid (SIGTERM, then SIGKILL after 30 s)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log_file.close()


@dataclass
class Servers:
    urls: list[str]
    timing: Path
    database: str  # "sqlite" or "postgresql"
    gunicorns: list[Gunicorn] = field(default_factory=list)

    def url(self, index: int) -> str:
        """Sessions alternate between the servers."""
        return self.urls[index % len(self.urls)]

    def logs(self) -> str:
        return "\n".join(f"-- gunicorn at {g.url} --\n{g.tail()}" for g in self.gunicorns)


# -- people ---------------------------------------------------------------------------------------

_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class Person:
    """One signed-in tab: its own requests.Session (its own cookies), its CSRF token, one server."""

    def __init__(self, base: str, login: str):
        self.base, self.login = base, login
        self.http = requests.Session()
        self.http.headers["Accept-Language"] = "en"
        page = self.http.get(f"{base}/auth/login", timeout=ANSWER_SECONDS)
        found = _TOKEN.search(page.text)
        assert found, f"no CSRF token on the sign-in page of {base}"
        self.token = found[1]
        answer = self.http.post(
            f"{base}/auth/login",
            data={"login": login, "password": DEMO_PASSWORD, "csrf_token": self.token},
            allow_redirects=False,
            timeout=ANSWER_SECONDS,
        )
        assert answer.status_code == 303, f"{login} could not sign in: {answer.status_code}"

    def post(self, path: str, data: dict | None = None, headers: dict | None = None) -> requests.Response:
        """An htmx post, as the page sends it: the form's fields and its CSRF token."""
        return self.http.post(
            f"{self.base}{path}",
            data={**(data or {}), "csrf_token": self.token},
            headers={"HX-Request": "true", **(headers or {})},
            allow_redirects=False,
            timeout=ANSWER_SECONDS,
        )


# -- the race -------------------------------------------------------------------------------------


@dataclass
class Answer:
    who: str
    status: int  # 0: no answer (the connection failed)
    refusal: str | None  # X-Refusal, decoded
    body: str

    @property
    def won(self) -> bool:
        return 200 <= self.status < 400

    def __repr__(self) -> str:
        reason = f" X-Refusal={self.refusal!r}" if self.refusal is not None else ""
        return f"<{self.who}: {self.status}{reason}>"


def answer_of(who: str, response: requests.Response | BaseException) -> Answer:
    if isinstance(response, BaseException):
        return Answer(who, 0, None, repr(response))
    refusal = response.headers.get("X-Refusal")
    decoded = unquote(refusal) if refusal is not None else None
    return Answer(who, response.status_code, decoded, response.text[:300])


def timings(servers: Servers, tag: str) -> list[tuple[float, float]]:
    """When each request of the race was inside the app: (start, end), by the machine's clock."""
    found = []
    for path in servers.timing.glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            if entry["tag"] == tag:
                found.append((entry["start"], entry["end"]))
    return found


@dataclass
class Race:
    name: str
    tag: str
    answers: list[Answer]
    intervals: list[tuple[float, float]]

    @property
    def winners(self) -> list[Answer]:
        return [a for a in self.answers if a.won]

    @property
    def losers(self) -> list[Answer]:
        return [a for a in self.answers if not a.won]

    @property
    def overlap(self) -> int:
        """The most of its requests that were inside the app at one moment."""
        events = sorted(
            [(start, 1) for start, _end in self.intervals] + [(end, -1) for _s, end in self.intervals]
        )
        inside = most = 0
        for _moment, step in events:
            inside += step
            most = max(most, inside)
        return most

    @property
    def collided(self) -> bool:
        """Really collided: two or more of its requests were inside the app at the same moment."""
        return self.overlap >= 2


def run_race(
    servers: Servers, name: str, sends: list[tuple[str, Callable[[dict], requests.Response]]]
) -> Race:
    """Each send(headers) on its own thread, all released at once by a Barrier; each carries the
    race's X-Race tag so the servers note when it was inside the app."""
    tag = f"{name}:{uuid.uuid4().hex}"
    start = threading.Barrier(len(sends))
    results: list[requests.Response | BaseException | None] = [None] * len(sends)

    def go(index: int) -> None:
        send = sends[index][1]
        start.wait(timeout=ANSWER_SECONDS)
        try:
            results[index] = send({"X-Race": tag})
        except requests.RequestException as error:
            results[index] = error

    threads = [threading.Thread(target=go, args=(i,), daemon=True) for i in range(len(sends))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=2 * ANSWER_SECONDS)
    answers = [
        answer_of(who, result if result is not None else TimeoutError("no answer in time"))
        for (who, _send), result in zip(sends, results, strict=True)
    ]
    return Race(name, tag, answers, timings(servers, tag))


class Verdict:
    """Every rule a race broke, told at once: no 5xx and no lost connection, every 4xx with
    X-Refusal, then the race's own rules (`expect`); `done()` fails the test on any of them."""

    def __init__(self, race: Race, servers: Servers):
        self.race, self.servers = race, servers
        self.problems: list[str] = []
        broken = [a for a in race.answers if a.status == 0 or a.status >= 500]
        if broken:
            self.problems.append(f"answered 5xx or not at all: {broken} (the servers' logs below)")
        silent = [a for a in race.answers if 400 <= a.status < 500 and not a.refusal]
        if silent:
            self.problems.append(f"a 4xx without X-Refusal: {silent}")

    def expect(self, held: bool, rule: str) -> None:
        if not held:
            self.problems.append(rule)

    def done(self) -> None:
        if not self.problems:
            return
        lines = [f"race {self.race.name}: {self.race.answers}", *(f"- {p}" for p in self.problems)]
        if any(a.status == 0 or a.status >= 500 for a in self.race.answers):
            lines.append(self.servers.logs())
        raise AssertionError("\n".join(lines))
