"""Photo uploads at the limit against a real gunicorn: /healthz keeps answering, workers stay small.

gunicorn serves the app as deployed (2 sync workers, CSRF on) on a temporary SQLite file with the
tiny demo seeded. Four BLOs sign in through the real form and open the difficulty form; then each
sends a difficulty with a photo at a pixel limit, all four at once: two PNGs of 12 megapixels (a PNG
is decoded whole) and two JPEGs of 24 megapixels (decoded reduced; a smooth gradient of 0.6 MB: a
camera's 8 MB file takes longer, in reading its bytes, not its pixels). A thread asks for /healthz every
20 ms from before the first upload until after the last answer. Then the same with the pixel bombs
that used to pass: four one-colour PNGs of 7999 × 7999 (60 KB each), refused from their header.

- upload_healthz_worst_ms: the slowest /healthz while the four photos at the limit go in (< 500 ms);
- upload_worker_peak_mb: the highest resident memory any worker reached (VmHWM in /proc; < 400 MB);
- upload_seconds: from the four sends to the last answer;
- upload_worker_cpu_ms_per_photo: the workers' CPU time during the four uploads (the /healthz answers
  meanwhile included) over four (/proc): the other work of a shared machine barely moves it, unlike
  the times above;
- upload_bomb_healthz_worst_ms, upload_bomb_worker_peak_mb, upload_bomb_worker_cpu_ms_per_photo:
  the same with the four pixel bombs, on a fresh gunicorn.

With 2 sync workers a /healthz asked just after four uploads waits behind two of them: its worst
case is about twice one upload's time.

`python -m bench.bench_uploads` runs only this (no state-scale seed); `make bench` runs it with
the others.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from bench import load
from bench.bench_write_path import Gunicorn
from bench.harness import report

HEALTHZ_BUDGET_MS = 500
WORKER_BUDGET_MB = 400
POLL_SECONDS = 0.02


def served_app():
    """The app as deployed (CSRF on, rate limits off for four sign-ins), on BENCH_SERVE_DATABASE_URL;
    gunicorn imports it by name."""
    from app import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": os.environ["BENCH_SERVE_DATABASE_URL"],
            "SECRET_KEY": "bench-uploads",
            "RATELIMIT_ENABLED": False,
        }
    )


def _seeded_database(folder: Path) -> tuple[str, list[str]]:
    """A fresh SQLite file with the tiny demo, and four BLOs' logins of distinct ACs' first parts."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from app import create_app
    from app.demo import seed_demo
    from app.extensions import db
    from app.models import Role, User

    url = f"sqlite:///{folder / 'bench-uploads.sqlite'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        seed_demo("tiny", log=lambda *_: None)
        db.session.commit()
        logins = list(
            db.session.scalars(
                select(User.login)
                .where(User.role == Role.BLO, User.login.like("blo.%.1"))
                .order_by(User.login)
            )
        )[:4]
        db.engine.dispose()
    assert len(logins) == 4, logins
    return url, logins


def _image(kind: str) -> tuple[bytes, str]:
    """A photo at a limit: (its bytes, its file name)."""
    from PIL import Image

    buffer = io.BytesIO()
    if kind == "png":  # 4000 × 3000 = 12 megapixels, one colour: the bomb's shape at the new limit
        Image.new("RGB", (4000, 3000), (200, 30, 30)).save(buffer, "PNG")
        return buffer.getvalue(), "forms.png"
    if kind == "jpeg":  # 6000 × 4000 = 24 megapixels, a smooth picture
        gradient = Image.linear_gradient("L").resize((6000, 4000))
        picture = Image.merge(
            "RGB", (gradient, gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT), gradient)
        )
        picture.save(buffer, "JPEG", quality=90)
        return buffer.getvalue(), "forms.jpg"
    Image.new("RGB", (7999, 7999), (200, 30, 30)).save(buffer, "PNG")  # the bomb that used to pass
    return buffer.getvalue(), "bomb.png"


def _multipart(fields: dict[str, str], photo: bytes, name: str) -> tuple[bytes, str]:
    boundary = secrets.token_hex(16)
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + photo
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class _Phone:
    """One BLO's cookies, from the real sign-in form (CSRF on), and the difficulty form's tokens."""

    def __init__(self, port: int, login: str):
        from app.demo import DEMO_PASSWORD

        self.port, self.cookies = port, {}
        html = self.get("/auth/login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)[1]
        body = urlencode({"login": login, "password": DEMO_PASSWORD, "csrf_token": token}).encode()
        status, _ = self.send("POST", "/auth/login", body, "application/x-www-form-urlencoded")
        assert status == 303, f"bench sign-in failed for {login}: {status}"
        html = self.get("/difficulties/new")
        self.fields = {
            "csrf_token": re.search(r'"X-CSRFToken": "([^"]+)"', html)[1],
            "form_token": re.search(r'name="form_token" type="hidden" value="([^"]+)"', html)[1],
            "category": "forms_short",
            "severity": "high",
            "description": "Forms short at the booth: photo of the register",
        }

    def send(self, method: str, path: str, body: bytes = b"", content_type: str = "") -> tuple[int, bytes]:
        headers = {"Accept-Language": "en", "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if content_type:
            headers["Content-Type"] = content_type
        status, answer_headers, answer = load.send(
            "127.0.0.1", self.port, load.Request(method, path, body, headers)
        )
        for name, value in answer_headers:
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return status, answer

    def get(self, path: str) -> str:
        status, body = self.send("GET", path)
        assert status == 200, f"GET {path}: {status}"
        return body.decode()

    def upload(self, photo: bytes, name: str) -> tuple[int, bytes]:
        body, content_type = _multipart(self.fields, photo, name)
        return self.send("POST", "/difficulties/new", body, content_type)


def _workers(server: Gunicorn) -> list[int]:
    pid = server.process.pid
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _peak_mb(pids: list[int]) -> float:
    """The highest resident memory any of the processes reached (VmHWM), in MB."""
    peaks = []
    for pid in pids:
        status = Path(f"/proc/{pid}/status").read_text()
        peaks.append(int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)[1]) / 1024)
    return max(peaks)


def _round(server: Gunicorn, logins: list[str], photos: list[tuple[bytes, str]], expect: int):
    """Four uploads at once while /healthz is polled: the slowest /healthz (ms), the seconds from
    the sends to the last answer, and the workers' CPU time per upload (ms)."""
    port = server.port
    phones = [_Phone(port, login) for login in logins]
    latencies, failures, done = [], [], threading.Event()

    def poll():
        while not done.is_set():
            started = time.perf_counter()
            status, _, _ = load.send("127.0.0.1", port, load.Request("GET", "/healthz"))
            latencies.append((time.perf_counter() - started) * 1000)
            if status != 200:
                failures.append(f"/healthz {status}")
            time.sleep(POLL_SECONDS)

    def send(phone, photo):
        status, body = phone.upload(*photo)
        if status != expect:
            failures.append(f"upload {status}: {body[:300]!r}")

    poller = threading.Thread(target=poll)
    poller.start()
    time.sleep(5 * POLL_SECONDS)  # a few answers before, as when nobody uploads
    senders = [threading.Thread(target=send, args=pair) for pair in zip(phones, photos, strict=True)]
    cpu = server.worker_cpu_seconds()
    started = time.perf_counter()
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    seconds = time.perf_counter() - started
    cpu = server.worker_cpu_seconds() - cpu
    time.sleep(5 * POLL_SECONDS)
    done.set()
    poller.join()
    assert not failures, failures
    return max(latencies), seconds, cpu * 1000 / len(photos)


def run(bench=None) -> None:
    with tempfile.TemporaryDirectory(prefix="sir-bench-uploads-") as tmp:
        url, logins = _seeded_database(Path(tmp))
        env = {"BENCH_SERVE_DATABASE_URL": url}
        at_limit = [_image("png"), _image("jpeg"), _image("png"), _image("jpeg")]
        with Gunicorn("bench.bench_uploads:served_app()", env) as server:
            worst, seconds, cpu_ms = _round(server, logins, at_limit, expect=303)
            peak = _peak_mb(_workers(server))
        report("upload_healthz_worst_ms", worst, "ms", HEALTHZ_BUDGET_MS)
        report("upload_worker_peak_mb", peak, "MB", WORKER_BUDGET_MB)
        report("upload_seconds", seconds, "s")
        report("upload_worker_cpu_ms_per_photo", cpu_ms, "ms")
        bombs = [_image("bomb")] * 4
        with Gunicorn("bench.bench_uploads:served_app()", env) as server:
            worst, _seconds, cpu_ms = _round(server, logins, bombs, expect=422)
            peak = _peak_mb(_workers(server))
        report("upload_bomb_healthz_worst_ms", worst, "ms", HEALTHZ_BUDGET_MS)
        report("upload_bomb_worker_peak_mb", peak, "MB", WORKER_BUDGET_MB)
        report("upload_bomb_worker_cpu_ms_per_photo", cpu_ms, "ms")


if __name__ == "__main__":
    run()
