"""The route's quality: exact against brute force, the local search against the exact optimum on the
issue's 200 cases of 9 to 12 stops, its gain over the nearest neighbour, and 25 stops ordered by the
local search."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from app.inspections import routing

HQ = (23.2599, 77.4126)  # Bhopal


def case(k: int, n: int | None = None) -> tuple[np.ndarray, bool]:
    """Case k: 9 to 12 stops (or n) scattered some 40 km around the headquarters; every other one
    returns to the start. bench/bench_inspections.py draws the same cases."""
    rng = np.random.default_rng(1000 + k)
    n = n or 9 + k % 4
    points = [HQ] + [(HQ[0] + rng.uniform(-0.35, 0.35), HQ[1] + rng.uniform(-0.35, 0.35)) for _ in range(n)]
    return routing.distance_matrix(points), k % 2 == 0


def brute_force(d: np.ndarray, closed: bool) -> float:
    n = d.shape[0] - 1
    return min(routing.length(order, d, closed) for order in itertools.permutations(range(1, n + 1)))


def test_the_distance_matrix_is_geodesic_and_symmetric():
    d = routing.distance_matrix([HQ, (23.2599, 78.4126), (24.2599, 77.4126)])
    assert d[0, 1] == pytest.approx(102.2, abs=0.3)  # a degree of longitude at 23.26° N
    assert d[0, 2] == pytest.approx(110.8, abs=0.3)  # a degree of latitude
    assert np.allclose(d, d.T) and not d.diagonal().any()


@pytest.mark.parametrize("closed", [True, False])
@pytest.mark.parametrize("n", [1, 2, 3, 5, 7])
def test_exact_equals_brute_force(n, closed):
    for k in range(6):
        d, _ = case(100 * n + k, n)
        order = routing.exact(d, closed)
        assert sorted(order) == list(range(1, n + 1))
        assert routing.length(order, d, closed) == pytest.approx(brute_force(d, closed))


def test_an_open_route_is_no_longer_than_the_closed_one_less_its_last_leg():
    d, _ = case(7, 7)
    open_km = routing.length(routing.exact(d, False), d, False)
    closed_order = routing.exact(d, True)
    assert open_km <= routing.length(closed_order, d, True) - d[closed_order[-1], 0] + 1e-9


def test_the_local_search_is_within_one_percent_of_the_optimum_on_200_cases():
    gaps = []
    for k in range(200):
        d, closed = case(k)
        best = routing.length(routing.exact(d, closed), d, closed)
        found = routing.local_search(d, closed)
        assert sorted(found) == list(range(1, d.shape[0]))
        gaps.append(100 * (routing.length(found, d, closed) - best) / best)
    assert max(gaps) <= 1.0, max(gaps)


def test_the_local_search_improves_on_the_nearest_neighbour():
    gains = []
    for k in range(40):
        d, closed = case(k, 25)
        start = routing.length(routing._nearest_neighbour(d), d, closed)
        improved = routing.length(routing.local_search(d, closed), d, closed)
        assert improved <= start + 1e-9
        gains.append(start - improved)
    assert sum(g > 1e-6 for g in gains) >= 30  # it shortens most nearest-neighbour routes
    assert np.mean(gains) > 0


def test_improve_leaves_an_optimal_route_alone():
    d, closed = case(3, 8)
    best = routing.exact(d, closed)
    assert routing.length(routing.improve(best, d, closed), d, closed) == pytest.approx(
        routing.length(best, d, closed)
    )


def test_solve_is_exact_up_to_ten_stops_and_searches_beyond():
    d10, _ = case(1, 10)
    d11, _ = case(1, 11)
    assert routing.solve(d10, True).exact and not routing.solve(d11, True).exact
    route = routing.solve(d11, False)
    assert len(route.legs_km) == 11 and route.total_km == pytest.approx(sum(route.legs_km))


def test_25_stops_are_ordered_by_the_local_search():
    """25 stops, beyond the exact solver: every stop once, from the start, no longer than the
    nearest-neighbour order it improves on (its time is `make bench`'s route_25_stops_ms)."""
    rng = np.random.default_rng(7)
    points = [HQ] + [(HQ[0] + rng.uniform(-0.35, 0.35), HQ[1] + rng.uniform(-0.35, 0.35)) for _ in range(25)]
    d = routing.distance_matrix(points)
    route = routing.solve(d, True)
    assert not route.exact and sorted(route.order) == list(range(1, 26))
    assert route.total_km <= routing.length(routing._nearest_neighbour(d), d, True) + 1e-9
