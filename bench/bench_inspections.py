"""Inspections: the route's speed and quality, and a district's calendar and coverage pages.

`route_25_stops_ms` is the median time to order 25 random located parts of one district from its
headquarters, the geodesic distance matrix included (target < 200 ms). `route_gap_percent_max` is
the worst gap, over 200 seeded cases of 9 to 12 stops (every other one returning to the start),
between the local search's route and the exact optimum (Held-Karp), in % (target ≤ 1).
`inspection_calendar_district_ms` (GET /inspections/, measured where the planner's route exists) and
`inspection_coverage_district_ms` (GET /inspections/coverage) are the district's pages at state scale
as its collector, for the district nearest 1,200 parts (target < 150 ms each), each with the ratio
against the same page at tiny scale; `inspection_coverage_map_district_ms` is the map's points.
"""

from __future__ import annotations

import random
import statistics
import sys
import time

import numpy as np

from bench.harness import report

DISTRICT_PARTS = 1_200
HQ = (23.2599, 77.4126)
CALENDAR = "/inspections/"
COVERAGE = "/inspections/coverage"
COVERAGE_MAP = "/inspections/coverage/data.json"


def _district_near(parts: int) -> tuple[int, str, int]:
    """The district whose part count is nearest `parts`: (id, its collector's login, parts)."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Part, Role, User

    counts = db.session.execute(
        select(Part.district_id, func.count(Part.id)).group_by(Part.district_id)
    ).all()
    district_id, count = min(counts, key=lambda row: abs(row[1] - parts))
    login = db.session.scalar(
        select(User.login).where(User.role == Role.COLLECTOR, User.district_id == district_id)
    )
    return district_id, login, count


def _route_25(bench) -> None:
    from sqlalchemy import select

    from app.extensions import db
    from app.inspections import routing
    from app.models import District, Part

    with bench.app.app_context():
        district_id, _login, _count = _district_near(DISTRICT_PARTS)
        district = db.session.get(District, district_id)
        start = (district.hq_lat, district.hq_lon)
        located = db.session.execute(
            select(Part.lat, Part.lon).where(Part.district_id == district_id, Part.lat.is_not(None))
        ).all()
    rng = random.Random(25)
    timings = []
    for _ in range(21):
        stops = rng.sample(located, 25)
        started = time.perf_counter()
        route = routing.solve(routing.distance_matrix([start, *stops]), True)
        timings.append((time.perf_counter() - started) * 1000)
        assert len(route.order) == 25 and not route.exact
    report("route_25_stops_ms", statistics.median(timings), "ms", budget=200)


def case(k: int, n: int | None = None):
    """The same cases as tests/inspections/test_routing.py."""
    from app.inspections import routing

    rng = np.random.default_rng(1000 + k)
    n = n or 9 + k % 4
    points = [HQ] + [(HQ[0] + rng.uniform(-0.35, 0.35), HQ[1] + rng.uniform(-0.35, 0.35)) for _ in range(n)]
    return routing.distance_matrix(points), k % 2 == 0


def _gap() -> None:
    from app.inspections import routing

    gaps = []
    for k in range(200):
        d, closed = case(k)
        best = routing.length(routing.exact(d, closed), d, closed)
        found = routing.length(routing.local_search(d, closed), d, closed)
        gaps.append(100 * (found - best) / best)
    report("route_gap_percent_max", max(gaps), "%")
    print(
        f"route gap: mean {statistics.mean(gaps):.4f} %, {sum(g > 1e-9 for g in gaps)} of 200 above 0",
        file=sys.stderr,
    )


def _route_exists(app, url: str) -> bool:
    from werkzeug.exceptions import NotFound

    try:
        app.url_map.bind("localhost").match(url, method="GET")
    except NotFound:
        return False
    return True


def _pages(bench) -> None:
    app = bench.app
    with app.app_context():
        district_id, login, parts = _district_near(DISTRICT_PARTS)
        from sqlalchemy import func, select

        from app.extensions import db
        from app.inspections.models import Inspection, PartFlag, Stop

        inspections = db.session.scalar(
            select(func.count(Inspection.id)).where(Inspection.district_id == district_id)
        )
        stops = db.session.scalar(select(func.count(Stop.id)).where(Stop.district_id == district_id))
        flags = db.session.scalar(select(func.count(PartFlag.id)).where(PartFlag.district_id == district_id))
    print(
        f"inspections: district {district_id}, {parts} parts, {inspections} inspections, "
        f"{stops} stops, {flags} flags",
        file=sys.stderr,
    )

    def page(client, url):
        def get():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return get

    at_scale, tiny = bench.client(login), bench.client("collector.bhopal", app=bench.tiny_app)
    pages = [("inspection_coverage_district", COVERAGE), ("inspection_coverage_map_district", COVERAGE_MAP)]
    if _route_exists(app, CALENDAR):
        pages.insert(0, ("inspection_calendar_district", CALENDAR))
    else:
        print(
            f"inspection_calendar_district_ms not measured: this build has no {CALENDAR} route",
            file=sys.stderr,
        )
    for name, url in pages:
        big = bench.median_ms(page(at_scale, url), repeat=9)
        small = bench.median_ms(page(tiny, url), repeat=9)
        report(f"{name}_ms", big, "ms")
        report(f"{name}_over_tiny", big / small, "ratio")


def run(bench) -> None:
    _route_25(bench)
    _gap()
    _pages(bench)
