"""The consistency rules of DOMAIN.md for one part's cumulative figures on one day.

Pure functions, no database: the form, the import and the property tests all use them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date

from flask_babel import lazy_gettext as _l

from app.figures.models import ASD_FIGURES, FIGURES, MAPPING_FIGURES
from app.formatting import day as format_day

FIGURE_LABELS = {
    "distributed": _l("Distributed"),
    "collected": _l("Collected"),
    "digitized": _l("Digitized"),
    "mapped_self": _l("Mapped: self"),
    "mapped_progeny": _l("Mapped: progeny"),
    "unmapped": _l("Unmapped"),
    "asd_absent": _l("ASD: absent"),
    "asd_shifted": _l("ASD: shifted"),
    "asd_dead": _l("ASD: dead"),
    "asd_duplicate": _l("ASD: duplicate"),
}


def elector_tolerance(electors: int) -> int:
    """Electors added after the roll was frozen: allow 2 % (at least 10) above the frozen count."""
    return max(10, math.ceil(electors * 0.02))


def validate_figures(
    figures: Mapping[str, int | None],
    electors: int,
    previous: Mapping[str, int] | None = None,
    correction_reason: str | None = None,
    following: tuple[date, Mapping[str, int]] | None = None,
) -> dict[str, str]:
    """Return {figure: message} for every rule broken; empty when the figures are consistent.

    `previous` is the part's latest report before the day, `following` (day, figures) its next
    report after it: cumulative figures fall in neither direction unless a reason is given.
    """
    errors: dict[str, str] = {}
    for name in FIGURES:
        value = figures.get(name)
        if value is None:
            errors[name] = str(_l("Enter a number (0 if none)."))
        elif value < 0:
            errors[name] = str(_l("Cannot be negative."))
    if errors:
        return errors

    values = {name: int(figures[name]) for name in FIGURES}
    asd = sum(values[name] for name in ASD_FIGURES)
    ceiling = electors + elector_tolerance(electors)
    if values["distributed"] > ceiling:
        errors["distributed"] = str(
            _l("More than the %(electors)s electors of this part.", electors=electors)
        )
    if values["collected"] + asd > values["distributed"]:
        errors["collected"] = str(
            _l(
                "Collected plus ASD (%(total)s) cannot exceed distributed (%(distributed)s).",
                total=values["collected"] + asd,
                distributed=values["distributed"],
            )
        )
    if values["digitized"] > values["collected"] + asd:
        errors["digitized"] = str(
            _l("Digitized cannot exceed collected plus ASD (%(total)s).", total=values["collected"] + asd)
        )
    mapping = sum(values[name] for name in MAPPING_FIGURES)
    if mapping > values["digitized"]:
        errors["unmapped"] = str(
            _l(
                "Self + progeny + unmapped (%(total)s) cannot exceed digitized (%(digitized)s).",
                total=mapping,
                digitized=values["digitized"],
            )
        )
    if previous and not (correction_reason or "").strip():
        for name in FIGURES:
            if values[name] < previous.get(name, 0) and name not in errors:
                errors[name] = str(
                    _l(
                        "Lower than the last report (%(previous)s). Give a reason to correct it.",
                        previous=previous[name],
                    )
                )
    if following and not (correction_reason or "").strip():
        later_day, later = following
        for name in raised_above_later(values, later):
            if name not in errors:
                errors[name] = str(
                    _l(
                        "Higher than the later report of %(day)s (%(later)s): that report would fall. "
                        "Give a reason to correct it.",
                        day=format_day(later_day, "d MMM"),
                        later=later[name],
                    )
                )
    return errors


def raised_above_later(figures: Mapping[str, int], later: Mapping[str, int] | None) -> list[str]:
    """Figures above the part's next report: that later report would then be a fall."""
    if not later:
        return []
    return [name for name in FIGURES if figures[name] > later.get(name, figures[name])]


def lowered_figures(figures: Mapping[str, int], previous: Mapping[str, int] | None) -> list[str]:
    if not previous:
        return []
    return [name for name in FIGURES if figures[name] < previous.get(name, 0)]
