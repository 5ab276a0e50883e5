"""Which volunteers are nearest a booth, and why the others are left out. Pure (numpy, no Flask).

Great-circle distances (haversine, vectorised over every candidate at once) find the few nearest;
geopy's geodesic (its WGS-84 ellipsoid, solved by geographiclib, built once rather than per call)
then orders those few and gives the kilometres shown to people.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np

from app.geo import EARTH_RADIUS_KM, geodesic_km, haversine_km  # noqa: F401 (the matching's own names)

DEFAULT_RADIUS_KM = 25.0
# The sphere and the ellipsoid differ by up to about 0.5 %.
SPHERE_ERROR = 0.006


class LeftOut(enum.StrEnum):
    NO_LOCATION = "no_location"
    NOT_AVAILABLE = "not_available"  # no availability window covers the day and hours
    BUSY = "busy"  # already holds an offer or assignment then
    AT_CAP = "at_cap"  # at the daily hour cap
    TOO_FAR = "too_far"


# The order reasons are tried in: each one left out is counted under the first that applies.
REASON_ORDER = list(LeftOut)


def _floats(values) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


@dataclass(frozen=True)
class Candidates:
    """Every volunteer who might help, as parallel arrays (one row each)."""

    ids: np.ndarray  # int
    lats: np.ndarray  # float, NaN without a location
    lons: np.ndarray
    available: np.ndarray  # bool: a window covers the day and hours
    busy: np.ndarray  # bool: an offer or assignment overlaps
    at_cap: np.ndarray  # bool: the day's hours would pass the cap

    @classmethod
    def of(cls, rows) -> Candidates:
        """From (id, lat, lon, available, busy, at_cap) tuples."""
        rows = list(rows)
        if not rows:
            empty_f, empty_b = np.empty(0), np.empty(0, dtype=bool)
            return cls(np.empty(0, dtype=np.int64), empty_f, empty_f, empty_b, empty_b, empty_b)
        ids, lats, lons, available, busy, at_cap = zip(*rows, strict=True)
        return cls(
            np.array(ids, dtype=np.int64),
            _floats(lats),
            _floats(lons),
            np.array(available, dtype=bool),
            np.array(busy, dtype=bool),
            np.array(at_cap, dtype=bool),
        )

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class Suggestion:
    volunteer_id: int
    km: float  # geodesic


@dataclass(frozen=True)
class Match:
    suggestions: list[Suggestion]
    left_out: dict[LeftOut, int]  # how many were left out for each reason (the first that applies)


def nearest(
    lat: float, lon: float, candidates: Candidates, k: int = 10, radius_km: float = DEFAULT_RADIUS_KM
) -> Match:
    """The k nearest volunteers within the radius who are free, available and under their cap,
    nearest first by geodesic (ties by id), and how many were left out for each reason."""
    n = len(candidates)
    if n == 0:
        return Match([], {})
    located = ~np.isnan(candidates.lats)
    km = np.full(n, np.inf)
    km[located] = haversine_km(lat, lon, candidates.lats[located], candidates.lons[located])
    hits = {
        LeftOut.NO_LOCATION: ~located,
        LeftOut.NOT_AVAILABLE: ~candidates.available,
        LeftOut.BUSY: candidates.busy,
        LeftOut.AT_CAP: candidates.at_cap,
        LeftOut.TOO_FAR: km > radius_km,
    }
    reasons = np.zeros(n, dtype=np.int8)  # 0: eligible, else 1 + the reason's place in REASON_ORDER
    for code, reason in enumerate(REASON_ORDER, start=1):
        reasons[(reasons == 0) & hits[reason]] = code
    eligible = np.flatnonzero(reasons == 0)
    if len(eligible) > k:
        # Every one within the sphere's error of the k-th nearest could be among the nearest k by
        # geodesic, so all of those are measured.
        kth = np.partition(km[eligible], k - 1)[k - 1]
        eligible = eligible[km[eligible] <= kth * (1 + SPHERE_ERROR)]
    measured = sorted(
        (
            geodesic_km((lat, lon), (float(candidates.lats[i]), float(candidates.lons[i]))),
            int(candidates.ids[i]),
        )
        for i in eligible
    )[:k]
    counts = np.bincount(reasons, minlength=len(REASON_ORDER) + 1)
    left_out = {
        reason: int(counts[code]) for code, reason in enumerate(REASON_ORDER, start=1) if counts[code]
    }
    return Match([Suggestion(volunteer_id, distance) for distance, volunteer_id in measured], left_out)
