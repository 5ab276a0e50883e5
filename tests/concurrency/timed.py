"""What the concurrency suite's gunicorn serves: the app of `wsgi:app`, as deployed (configured by
the environment alone), with the moments each race request spent inside it written down.

A race's requests carry `X-Race: <tag>`. For those, each worker appends one JSON line (tag, worker
pid, start and end on the machine's clock) to its own file in RACE_TIMING_DIR, before the answer
goes out: when a test has its answers, the lines are there. From them a test tells whether its
requests really were inside the app at the same moment (tests/concurrency/conftest.py: `overlap`).
"""

from __future__ import annotations

import json
import os
import time

from wsgi import app as flask_app

_DIR = os.environ.get("RACE_TIMING_DIR", "")


def app(environ, start_response):
    tag = environ.get("HTTP_X_RACE")
    if not tag or not _DIR:
        return flask_app(environ, start_response)
    started = time.time()
    body = flask_app(environ, start_response)
    line = {"tag": tag, "pid": os.getpid(), "start": started, "end": time.time()}
    with open(os.path.join(_DIR, f"{os.getpid()}.jsonl"), "a", encoding="utf-8") as out:
        out.write(json.dumps(line) + "\n")
    return body
