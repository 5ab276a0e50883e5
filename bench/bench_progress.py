"""Dashboards at state scale, and how the state view's throughput compares with a tiny demo's."""

import time

from bench.harness import report


def _get(client, path):
    def fetch():
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)

    return fetch


def _throughput_ratio(first, second, seconds: float = 6.0, rounds: int = 30) -> float:
    """Requests per second of `first` over those of `second`, one client each, timed in `rounds`
    turns (a tenth of a second each by default) so that both meet the same moments of a shared,
    noisy machine."""
    counts, spent = [0, 0], [0.0, 0.0]
    for _ in range(rounds):
        for side, fetch in enumerate((first, second)):
            started = time.perf_counter()
            while time.perf_counter() - started < seconds / rounds / 2:
                fetch()
                counts[side] += 1
            spent[side] += time.perf_counter() - started
    return (counts[0] / spent[0]) / (counts[1] / spent[1])


def _rollup_queries(app):
    """The state view's figures for today, yesterday and 3 days ago, and its chart series."""
    from decimal import Decimal

    from sqlalchemy import true

    from app.campaign.clock import campaign_today
    from app.campaign.services import current_campaign
    from app.figures.queries import digitized_series, district_rows

    def run_queries():
        with app.test_request_context():
            day = campaign_today()
            district_rows(day, Decimal(10), true())
            digitized_series(current_campaign().enumeration_start, day, true())

    return run_queries


def run(bench) -> None:
    state = bench.client("state")
    state_page = _get(state, "/progress/state")
    report("state_dashboard_ms", bench.median_ms(state_page, repeat=25), "ms")

    collector = bench.client("collector.bhopal")
    report(
        "district_dashboard_ms", bench.median_ms(_get(collector, "/progress/districts/1"), repeat=25), "ms"
    )
    report("calls_district_ms", bench.median_ms(_get(collector, "/progress/calls"), repeat=7), "ms")
    report("missing_state_ms", bench.median_ms(_get(state, "/progress/missing"), repeat=7), "ms")

    # The state view's queries read the per-AC roll-ups, never the parts: time them alone at both
    # scales (the page itself also renders 55 district rows at state scale against 2 at tiny).
    for label, app in (("state", bench.app), ("tiny", bench.tiny_app)):
        report(f"state_rollup_queries_ms_{label}", bench.median_ms(_rollup_queries(app), repeat=25), "ms")

    tiny_state = _get(bench.client("state", app=bench.tiny_app), "/progress/state")
    tiny_state()
    report("state_dashboard_rps_state_over_tiny", _throughput_ratio(state_page, tiny_state), "ratio")
