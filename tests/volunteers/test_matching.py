"""The nearest volunteers, checked against geopy's geodesic on random points, and why others are left out."""

import random

import numpy as np
import pytest

from app.volunteers.matching import Candidates, LeftOut, geodesic_km, haversine_km, nearest


def _random_candidates(rng, n, centre, spread=0.4):
    rows = []
    for i in range(n):
        rows.append(
            (
                i + 1,
                centre[0] + rng.uniform(-spread, spread),
                centre[1] + rng.uniform(-spread, spread),
                True,
                False,
                False,
            )
        )
    return rows


@pytest.mark.parametrize("seed", range(8))
def test_the_nearest_ten_are_the_geodesic_nearest_ten(seed):
    rng = random.Random(seed)
    centre = (rng.uniform(21.5, 26.5), rng.uniform(74.5, 82.5))  # Madhya Pradesh
    rows = _random_candidates(rng, 400, centre)
    match = nearest(*centre, Candidates.of(rows), k=10, radius_km=1000)
    by_geodesic = sorted(rows, key=lambda r: (geodesic_km(centre, (r[1], r[2])), r[0]))[:10]
    assert [s.volunteer_id for s in match.suggestions] == [r[0] for r in by_geodesic]
    for suggestion in match.suggestions:
        row = rows[suggestion.volunteer_id - 1]
        assert suggestion.km == pytest.approx(geodesic_km(centre, (row[1], row[2])), rel=0.005)


def test_haversine_agrees_with_geodesic_within_half_a_percent():
    rng = random.Random(42)
    lats = np.array([rng.uniform(21, 27) for _ in range(200)])
    lons = np.array([rng.uniform(74, 83) for _ in range(200)])
    km = haversine_km(23.25, 77.41, lats, lons)
    for i in range(200):
        assert km[i] == pytest.approx(geodesic_km((23.25, 77.41), (lats[i], lons[i])), rel=0.005)


def test_each_one_left_out_is_counted_under_its_first_reason():
    centre = (23.25, 77.41)
    rows = [
        (1, 23.26, 77.41, True, False, False),  # eligible
        (2, None, None, True, False, False),  # no location
        (3, 23.26, 77.42, False, True, False),  # not available (and busy: counted once)
        (4, 23.27, 77.41, True, True, False),  # busy
        (5, 23.27, 77.42, True, False, True),  # at the cap
        (6, 24.50, 78.50, True, False, False),  # far
        (7, 23.25, 77.40, True, False, False),  # eligible, nearer
    ]
    match = nearest(*centre, Candidates.of(rows), k=10, radius_km=25)
    assert [s.volunteer_id for s in match.suggestions] == [7, 1]
    assert match.left_out == {
        LeftOut.NO_LOCATION: 1,
        LeftOut.NOT_AVAILABLE: 1,
        LeftOut.BUSY: 1,
        LeftOut.AT_CAP: 1,
        LeftOut.TOO_FAR: 1,
    }


def test_no_candidates_no_suggestions():
    assert nearest(23.0, 77.0, Candidates.of([])).suggestions == []


def test_fewer_than_k_are_all_given_nearest_first():
    rows = [(1, 23.30, 77.41, True, False, False), (2, 23.26, 77.41, True, False, False)]
    assert [s.volunteer_id for s in nearest(23.25, 77.41, Candidates.of(rows), k=10).suggestions] == [2, 1]
