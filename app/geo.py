"""Distances on the Earth, shared by the volunteers' matching and the inspections' routes. Pure.

Haversine, vectorised over many points at once, to shortlist; geopy's geodesic (its WGS-84
ellipsoid, solved by geographiclib, built once rather than per call) for the kilometres shown.
"""

from __future__ import annotations

import numpy as np
from geographiclib.geodesic import Geodesic
from geopy.distance import ELLIPSOIDS

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Great-circle km from one point to many, in one pass over the arrays."""
    lat1, lon1 = np.radians(lat), np.radians(lon)
    lat2, lon2 = np.radians(lats), np.radians(lons)
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


_MAJOR_KM, _MINOR_KM, _FLATTENING = ELLIPSOIDS["WGS-84"]
# geopy.distance.geodesic's own solver (kilometres), made once: geopy builds one per distance.
_WGS84_KM = Geodesic(_MAJOR_KM, _FLATTENING)


def geodesic_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """geopy's geodesic(a, b).km, the same figure, without its per-call set-up."""
    return _WGS84_KM.Inverse(float(a[0]), float(a[1]), float(b[0]), float(b[1]), Geodesic.DISTANCE)["s12"]
