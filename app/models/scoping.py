"""How a model declares its place in the scope layer (app/scope.py), when its columns don't say it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scoped:
    """Which columns place a model's rows in a user's scope.

    Undeclared, it is read from the model's columns (`part_id`, `constituency_id`, `district_id`);
    a model declares `__scope__ = Scoped(...)` when its names differ or it needs more:
    `owner` names the column of the user whose own rows they are (visible to them whatever their
    place), `volunteers=True` lets volunteers see the rows of their district, and
    `district_wide_for_eros=True` lets an ERO see the rows of their AC's whole district (a
    district's volunteers, whom the collector and every ERO of the district approve and place).
    """

    part: str | None = None
    constituency: str | None = None
    district: str | None = None
    owner: str | None = None
    volunteers: bool = False
    district_wide_for_eros: bool = False
