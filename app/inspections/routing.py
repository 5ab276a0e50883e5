"""The order of an inspection's stops: from the start point through every stop, back to the start
if asked, as short as we can make it. Pure (numpy and geopy; no Flask, no database).

Distances are geodesic (geopy's WGS-84 ellipsoid, app.geo) between the points; the planner turns
them into road km with
the district's road factor. Up to EXACT_LIMIT stops the order is the exact optimum (Held-Karp
dynamic programming over subsets, vectorised per subset). Beyond that, a local search: several
starts (nearest neighbour, then seeded shuffles), each improved by 2-opt and Or-opt moves (a run of
1 to 3 stops moved elsewhere, either way round) until no move shortens the route; the best wins.
Every move's gain is computed from the edges it changes, in numpy over all moves at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.geo import geodesic_km

EXACT_LIMIT = 10
STARTS = 12  # local-search starts: nearest neighbour and eleven seeded shuffles
SEED = 20251104  # a fixed seed: the same stops always give the same route
_EPS = 1e-9


@dataclass(frozen=True)
class Route:
    order: tuple[int, ...]  # the stops' indices (1..n into the points; 0 is the start), in route order
    legs_km: tuple[float, ...]  # geodesic km of each leg: start → first, …, last → start when closed
    total_km: float
    exact: bool  # the optimum (dynamic programming) rather than the local search's best


def distance_matrix(points: Sequence[tuple[float, float]]) -> np.ndarray:
    """Geodesic km between every two points (lat, lon), symmetric, zero on the diagonal."""
    n = len(points)
    d = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            d[i, j] = d[j, i] = geodesic_km(points[i], points[j])
    return d


def length(order: Sequence[int], d: np.ndarray, closed: bool) -> float:
    """The route's km: from the start (0) through `order`, and back to 0 when closed."""
    path = [0, *order, *([0] if closed else [])]
    return float(sum(d[a, b] for a, b in zip(path, path[1:], strict=False)))


def _legs(order: Sequence[int], d: np.ndarray, closed: bool) -> tuple[float, ...]:
    path = [0, *order, *([0] if closed else [])]
    return tuple(float(d[a, b]) for a, b in zip(path, path[1:], strict=False))


def exact(d: np.ndarray, closed: bool) -> list[int]:
    """The shortest order of the stops 1..n (Held-Karp: O(2^n · n²), n ≤ about 13)."""
    n = d.shape[0] - 1
    if n <= 1:
        return list(range(1, n + 1))
    full = 1 << n
    stops = d[1:, 1:]  # stop i to stop j, indices 0..n-1
    best = np.full((full, n), np.inf)
    parent = np.full((full, n), -1, dtype=np.int64)
    for j in range(n):
        best[1 << j, j] = d[0, j + 1]
    bits = np.array([1 << j for j in range(n)])
    for mask in range(1, full):
        members = np.nonzero(mask & bits)[0]
        if members.size < 2:
            continue
        before = mask ^ bits[members]  # for each last stop j, the set visited before it
        # cost[k, i]: reach stop i having visited before[k], then go on to members[k]
        cost = best[before] + stops[:, members].T
        chosen = np.argmin(cost, axis=1)
        best[mask, members] = cost[np.arange(members.size), chosen]
        parent[mask, members] = chosen
    final = best[full - 1] + (d[1:, 0] if closed else 0.0)
    last = int(np.argmin(final))
    order, mask = [], full - 1
    while last >= 0:
        order.append(last + 1)
        previous = int(parent[mask, last])
        mask ^= 1 << last
        last = previous
    return order[::-1]


def _nearest_neighbour(d: np.ndarray) -> list[int]:
    n = d.shape[0] - 1
    left, at, order = set(range(1, n + 1)), 0, []
    while left:
        at = min(left, key=lambda j: (d[at, j], j))
        order.append(at)
        left.remove(at)
    return order


def _two_opt(tour: np.ndarray, d: np.ndarray, closed: bool) -> bool:
    """Apply the best 2-opt move (reverse tour[i..k]) if it shortens the route."""
    n = len(tour) - 1  # tour[0] is the start
    if n < 2:
        return False
    nodes = tour
    after = np.append(nodes[1:], 0)  # the node after each position (the start, when closed)
    i = np.arange(1, n + 1)[:, None]
    k = np.arange(1, n + 1)[None, :]
    a, b = nodes[i - 1], nodes[i]
    c, e = nodes[k], after[k]
    ends_open = (k == n) & (not closed)
    gain = d[a, b] + np.where(ends_open, 0.0, d[c, e]) - d[a, c] - np.where(ends_open, 0.0, d[b, e])
    gain = np.where(k > i, gain, -np.inf)
    flat = int(np.argmax(gain))
    if gain.flat[flat] <= _EPS:
        return False
    bi, bk = divmod(flat, n)
    bi, bk = bi + 1, bk + 1
    tour[bi : bk + 1] = tour[bi : bk + 1][::-1].copy()
    return True


def _or_opt(tour: np.ndarray, d: np.ndarray, closed: bool) -> bool:
    """Apply the first improving Or-opt move: a run of 1–3 stops moved elsewhere, either way round."""
    n = len(tour) - 1
    for size in (1, 2, 3):
        if size >= n:
            break
        for start in range(1, n - size + 2):
            run = tour[start : start + size]
            first, last = run[0], run[-1]
            prev = tour[start - 1]
            nxt = tour[start + size] if start + size <= n else (0 if closed else -1)
            removed = d[prev, first] + (d[last, nxt] - d[prev, nxt] if nxt >= 0 else 0.0)
            rest = np.concatenate([tour[:start], tour[start + size :]])
            heads = rest
            tails = np.append(rest[1:], 0 if closed else -1)
            open_end = tails < 0
            safe = np.where(open_end, 0, tails)
            base = np.where(open_end, 0.0, d[heads, safe])
            forward = d[heads, first] + np.where(open_end, 0.0, d[last, safe]) - base
            backward = d[heads, last] + np.where(open_end, 0.0, d[first, safe]) - base
            added = np.minimum(forward, backward)
            spot = int(np.argmin(added))
            if removed - added[spot] > _EPS:
                segment = run if forward[spot] <= backward[spot] else run[::-1]
                tour[:] = np.concatenate([rest[: spot + 1], segment, rest[spot + 1 :]])
                return True
    return False


def improve(order: Sequence[int], d: np.ndarray, closed: bool) -> list[int]:
    """2-opt and Or-opt until neither shortens the route."""
    tour = np.array([0, *order], dtype=np.int64)
    while _two_opt(tour, d, closed) or _or_opt(tour, d, closed):
        pass
    return [int(x) for x in tour[1:]]


def local_search(d: np.ndarray, closed: bool, starts: int = STARTS) -> list[int]:
    """The best of several improved starts: nearest neighbour, then seeded shuffles."""
    n = d.shape[0] - 1
    rng = np.random.default_rng(SEED)
    best, best_km = None, np.inf
    for attempt in range(starts):
        first = _nearest_neighbour(d) if attempt == 0 else [int(x) for x in rng.permutation(n) + 1]
        order = improve(first, d, closed)
        km = length(order, d, closed)
        if km < best_km - _EPS:
            best, best_km = order, km
    return best or []


def solve(d: np.ndarray, closed: bool) -> Route:
    """The route over the distance matrix `d` (index 0 the start): exact when small enough."""
    n = d.shape[0] - 1
    is_exact = n <= EXACT_LIMIT
    order = exact(d, closed) if is_exact else local_search(d, closed)
    legs = _legs(order, d, closed)
    return Route(tuple(order), legs, float(sum(legs)), is_exact)


def in_order(order: Sequence[int], d: np.ndarray, closed: bool) -> Route:
    """A route in the order the inspector chose (a manual reordering): its legs and total."""
    legs = _legs(order, d, closed)
    return Route(tuple(order), legs, float(sum(legs)), False)
