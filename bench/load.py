"""A bounded HTTP load generator: threads, one http.client connection per request, loopback only.

gunicorn's sync workers close every connection after its response, so each request opens its
own, as a phone's would. `run` sends a fixed list of requests; with `rate` it starts request i
at i/rate seconds (an open model: latency counts from the planned start, so a slow server
cannot hide its queue by slowing the sender down).
"""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Request:
    method: str
    path: str
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Result:
    seconds: float
    latencies_ms: list[float]
    statuses: dict[int, int]
    errors: int  # refused connections, timeouts, or an unexpected status
    bodies: list[bytes]  # the responses with an unexpected status (the first few)

    @property
    def rps(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0

    def percentile_ms(self, share: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def send(host: str, port: int, request: Request, timeout: float = 30.0) -> tuple[int, list, bytes]:
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request(request.method, request.path, body=request.body, headers=request.headers)
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def run(
    host: str,
    port: int,
    requests: list[Request],
    *,
    connections: int = 16,
    rate: float | None = None,
    expect: int = 200,
    on_response: Callable[[int, list[tuple[str, str]]], None] | None = None,
    on_body: Callable[[int, bytes], None] | None = None,
    late_after: float = 10.0,
) -> Result:
    """Send every request once over `connections` threads and wait for all the answers.

    At a `rate`, a request that could not be sent within `late_after` seconds of its planned
    start is not sent and counts as an error, so an overloaded server cannot stretch the run.
    """
    lock = threading.Lock()
    position = iter(range(len(requests)))
    latencies, statuses, bodies = [], {}, []
    errors = 0
    started = time.perf_counter()

    def worker():
        nonlocal errors
        while True:
            with lock:
                index = next(position, None)
            if index is None:
                return
            planned = started + index / rate if rate else time.perf_counter()
            wait = planned - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            elif rate and -wait > late_after:
                with lock:
                    statuses[0] = statuses.get(0, 0) + 1
                    errors += 1
                continue
            try:
                status, headers, body = send(host, port, requests[index])
            except OSError:
                status, headers, body = 0, [], b""
            if on_response is not None:
                on_response(index, headers)
            if on_body is not None:
                on_body(index, body)
            elapsed = (time.perf_counter() - planned) * 1000
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1
                if status != expect:
                    errors += 1
                    if len(bodies) < 3:
                        bodies.append(body[:500])

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Result(time.perf_counter() - started, latencies, statuses, errors, bodies)
