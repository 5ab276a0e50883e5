"""Two tabs (or two workers) sending the same key at the same moment: one saves, the other waits its turn.

A live threaded werkzeug server answers both at once, each request on its own thread and its own
database connection, as two gunicorn workers would.
"""

from __future__ import annotations

import http.client
import threading
from urllib.parse import urlencode

import pytest
from werkzeug.serving import make_server

import app.reports.routes as routes
from tests.idempotency.support import (
    advance,
    audit_count,
    clear_today,
    key_count,
    new_key,
    part_id,
    report_count,
)


@pytest.fixture
def server(app):
    live = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=live.serve_forever, daemon=True)
    thread.start()
    yield live.server_port
    live.shutdown()
    thread.join(timeout=5)


def _send_together(port, path, body, headers, how_many, answered=None):
    """Post the same request from `how_many` threads released at once; their statuses and replay
    marks. `answered`, an Event, is set as soon as the first answer is in."""
    start = threading.Barrier(how_many)
    answers = []

    def send():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        start.wait()
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        answers.append((response.status, response.getheader("Idempotent-Replay")))
        if answered is not None:
            answered.set()
        connection.close()

    threads = [threading.Thread(target=send) for _ in range(how_many)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(answers, key=lambda a: (a[0], a[1] or ""))


def _request(app, client, auth, pid, figures):
    auth.login("blo.1.1")
    token = auth.token(f"/reports/parts/{pid}")
    body = urlencode({**{n: str(v) for n, v in figures.items()}, "csrf_token": token})
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"session={client.get_cookie('session').value}",
        "HX-Request": "true",
        "Accept-Language": "en",
        "Idempotency-Key": new_key(),
    }
    return body, headers


def test_two_posts_of_one_key_at_once_save_once_and_the_other_is_told_to_wait(
    app, client, auth, server, monkeypatch
):
    pid = part_id(app, 1, 1)
    previous, electors = clear_today(app, pid)
    body, headers = _request(app, client, auth, pid, advance(previous, electors))
    audits = audit_count(app, "report.")
    original = routes.submit_report
    other_answered = threading.Event()

    def held(*args, **kwargs):
        # The first one is still at work until the second has its answer.
        assert other_answered.wait(timeout=30), "the second post was never answered"
        return original(*args, **kwargs)

    monkeypatch.setattr(routes, "submit_report", held)
    answers = _send_together(server, f"/reports/parts/{pid}", body, headers, 2, answered=other_answered)
    assert answers == [(200, None), (409, None)]
    assert report_count(app, pid) == 1
    assert audit_count(app, "report.") == audits + 1
    # Once done, the same key is the original answer.
    monkeypatch.setattr(routes, "submit_report", original)
    assert _send_together(server, f"/reports/parts/{pid}", body, headers, 1) == [(200, "true")]
    assert key_count(app) == 1


def test_many_posts_of_one_key_at_once_save_exactly_once(app, client, auth, server):
    pid = part_id(app, 1, 1)
    previous, electors = clear_today(app, pid)
    body, headers = _request(app, client, auth, pid, advance(previous, electors))
    audits = audit_count(app, "report.")
    answers = _send_together(server, f"/reports/parts/{pid}", body, headers, 6)
    fresh = [a for a in answers if a == (200, None)]
    assert len(fresh) == 1, answers
    assert all(a in {(200, "true"), (409, None)} for a in answers if a != (200, None)), answers
    assert report_count(app, pid) == 1
    assert audit_count(app, "report.") == audits + 1
