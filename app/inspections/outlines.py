"""The plain base of a map, drawn from what the app holds, so that a map carries meaning on a closed
network with no tile server: each AC's outline (the convex hull of its parts' locations, a margin
around them), the AC's number and name at the outline's centroid, and the district headquarters.

Sent as a GeoJSON FeatureCollection (coordinates [lon, lat]) inside a map's data: the inspection maps'
(the planner, a plan's route, the coverage) and the district and AC maps' (app/maps, which imports it:
the inspections reach no module of app/maps). static/js/map-base.js draws it under the parts, and tiles,
when configured, under it. One query, whatever the number of parts."""

from __future__ import annotations

import math
from itertools import groupby

import numpy as np
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.sql.elements import ColumnElement

from app.extensions import db
from app.models import Constituency, District, Part

MARGIN_KM = 1.0  # around the outermost parts, so that their markers sit inside the outline
KM_PER_DEGREE = 111.32
_DIRECTIONS = np.linspace(0, 2 * np.pi, 16, endpoint=False)  # the margin's circle, as a 16-gon
DIGITS = 5  # about a metre


def convex_hull(points: np.ndarray) -> np.ndarray:
    """The corners of the smallest convex polygon holding the (x, y) points, counter-clockwise from
    the lowest x, none repeated (Andrew's monotone chain, on plain floats: numpy's scalars would make
    it ten times slower). One or two distinct points come back as they are."""
    unique = np.unique(_candidates(np.asarray(points, dtype=float).reshape(-1, 2)), axis=0)  # by x, then y
    if len(unique) <= 2:
        return unique
    ordered = [(float(x), float(y)) for x, y in unique.tolist()]

    def chain(sequence: list[tuple[float, float]]) -> list[tuple[float, float]]:
        kept: list[tuple[float, float]] = []
        for x, y in sequence:
            while len(kept) >= 2:
                (ox, oy), (ax, ay) = kept[-2], kept[-1]
                if (ax - ox) * (y - oy) - (ay - oy) * (x - ox) > 0:  # a left turn: keep it
                    break
                kept.pop()
            kept.append((x, y))
        return kept

    lower, upper = chain(ordered), chain(ordered[::-1])
    return np.array(lower[:-1] + upper[:-1])


def _candidates(points: np.ndarray) -> np.ndarray:
    """The points that may be corners of the hull: those strictly inside the quadrilateral of the
    westernmost, southernmost, easternmost and northernmost ones cannot (Akl and Toussaint), and most
    of a cloud of parts is inside it. Vectorised, before the hull's loop."""
    if len(points) < 16:
        return points
    x, y = points[:, 0], points[:, 1]
    quad = points[[np.argmin(x), np.argmin(y), np.argmax(x), np.argmax(y)]]  # counter-clockwise
    inside = np.ones(len(points), dtype=bool)
    for (ax, ay), (bx, by) in zip(quad, np.roll(quad, -1, axis=0), strict=True):
        inside &= (bx - ax) * (y - ay) - (by - ay) * (x - ax) > 0
    return points[~inside]


def outline(lons: np.ndarray, lats: np.ndarray, margin_km: float = MARGIN_KM) -> list[list[float]]:
    """The closed ring ([lon, lat], first corner repeated last) around the points: the hull of each
    hull corner's circle of `margin_km`, so that one part or parts in a line still have an area."""
    corners = convex_hull(np.column_stack([lons, lats]))
    dlat = margin_km / KM_PER_DEGREE
    dlon = dlat / max(math.cos(math.radians(float(np.mean(lats)))), 0.1)
    circle = np.column_stack([dlon * np.cos(_DIRECTIONS), dlat * np.sin(_DIRECTIONS)])
    ring = convex_hull((corners[:, None, :] + circle[None, :, :]).reshape(-1, 2))
    ring = np.round(ring, DIGITS).tolist()
    return ring + ring[:1]


def centroid(ring: list[list[float]]) -> list[float]:
    """The centre of area of a closed ring ([lon, lat]); the corners' mean when it has no area."""
    x, y = np.array(ring, dtype=float).T
    cross = x[:-1] * y[1:] - x[1:] * y[:-1]
    area = cross.sum() / 2
    if abs(area) < 1e-12:
        return [round(float(x[:-1].mean()), DIGITS), round(float(y[:-1].mean()), DIGITS)]
    cx = ((x[:-1] + x[1:]) * cross).sum() / (6 * area)
    cy = ((y[:-1] + y[1:]) * cross).sum() / (6 * area)
    return [round(float(cx), DIGITS), round(float(cy), DIGITS)]


def map_base(district: District, constituency_condition: ColumnElement[bool], language: str) -> dict:
    """The base of a map of the district: the outline and label of each of its ACs within
    `constituency_condition` that has a located part, and the headquarters. One query."""
    rows = db.session.execute(
        select(Constituency.number, Constituency.name_en, Constituency.name_hi, Part.lon, Part.lat)
        .join(Part, Part.constituency_id == Constituency.id)
        .where(
            Constituency.district_id == district.id,
            constituency_condition,
            Part.lat.is_not(None),
            Part.lon.is_not(None),
        )
        .order_by(Constituency.number)
    ).all()
    features = [
        _ac_feature(number, name_hi if language == "hi" else name_en, [(r.lon, r.lat) for r in parts])
        for (number, name_en, name_hi), parts in groupby(rows, key=lambda r: (r[0], r[1], r[2]))
    ]
    features.append(
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [district.hq_lon, district.hq_lat]},
            "properties": {
                "kind": "hq",
                "label": _("%(district)s district headquarters", district=district.name(language)),
                "short": _("District HQ"),  # the caption on the map, under its mark
            },
        }
    )
    return {"type": "FeatureCollection", "features": features}


def _ac_feature(number: int, name: str, points: list[tuple[float, float]]) -> dict:
    """An AC's outline around its located parts ([lon, lat]), its label at the outline's centroid."""
    lons, lats = np.array(points, dtype=float).T
    ring = outline(lons, lats)
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": {"kind": "ac", "number": number, "label": f"{number} {name}", "centre": centroid(ring)},
    }
