"""Property tests of the consistency rules (DOMAIN.md) in app/figures/rules.py."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.figures.models import ASD_FIGURES, FIGURES, MAPPING_FIGURES
from app.figures.rules import elector_tolerance, lowered_figures, validate_figures

electors_counts = st.integers(min_value=0, max_value=1500)


@st.composite
def consistent(draw, electors=None):
    """(figures, electors) that keep every rule: digitized ≤ collected + ASD ≤ distributed ≤ electors
    (with the tolerance), mapping ≤ digitized."""
    electors = draw(electors_counts) if electors is None else electors
    distributed = draw(st.integers(0, electors + elector_tolerance(electors)))
    uncollectable = draw(st.integers(0, distributed))
    asd = _split(draw, uncollectable, len(ASD_FIGURES))
    collected = draw(st.integers(0, distributed - uncollectable))
    digitized = draw(st.integers(0, collected + uncollectable))
    mapping = _split(draw, draw(st.integers(0, digitized)), len(MAPPING_FIGURES))
    figures = {"distributed": distributed, "collected": collected, "digitized": digitized}
    figures.update(zip(ASD_FIGURES, asd, strict=True))
    figures.update(zip(MAPPING_FIGURES, mapping, strict=True))
    return figures, electors


def _split(draw, total: int, parts: int) -> list[int]:
    cuts = sorted(draw(st.lists(st.integers(0, total), min_size=parts - 1, max_size=parts - 1)))
    bounds = [0, *cuts, total]
    return [bounds[k + 1] - bounds[k] for k in range(parts)]


@st.composite
def day_after(draw):
    """(previous, today, electors): two consistent days where no figure falls."""
    previous, electors = draw(consistent())
    today = dict(previous)
    ceiling = electors + elector_tolerance(electors)
    asd = sum(previous[name] for name in ASD_FIGURES)
    today["distributed"] += draw(st.integers(0, ceiling - previous["distributed"]))
    for name in ASD_FIGURES:
        room = today["distributed"] - previous["collected"] - asd
        grow = draw(st.integers(0, room))
        today[name] += grow
        asd += grow
    today["collected"] += draw(st.integers(0, today["distributed"] - previous["collected"] - asd))
    today["digitized"] += draw(st.integers(0, today["collected"] + asd - previous["digitized"]))
    mapped = sum(previous[name] for name in MAPPING_FIGURES)
    for name in MAPPING_FIGURES:
        grow = draw(st.integers(0, today["digitized"] - mapped))
        today[name] += grow
        mapped += grow
    return previous, today, electors


@given(consistent())
def test_consistent_figures_are_accepted(case):
    figures, electors = case
    assert validate_figures(figures, electors) == {}


@given(day_after())
def test_figures_that_never_fall_are_accepted_after_the_previous_day(case):
    previous, today, electors = case
    assert validate_figures(today, electors, previous) == {}
    assert lowered_figures(today, previous) == []


@given(consistent(), st.sampled_from(FIGURES), st.integers(min_value=-(10**6), max_value=-1))
def test_any_negative_figure_is_refused(case, name, negative):
    figures, electors = case
    figures[name] = negative
    assert validate_figures(figures, electors).get(name) == "Cannot be negative."


@given(consistent(), st.sampled_from(FIGURES))
def test_a_missing_figure_is_refused(case, name):
    figures, electors = case
    figures[name] = None
    assert name in validate_figures(figures, electors)


@given(consistent(), st.integers(min_value=1, max_value=10**4), st.sampled_from(MAPPING_FIGURES))
def test_mapping_beyond_digitized_is_always_refused(case, excess, name):
    figures, electors = case
    figures[name] += figures["digitized"] - sum(figures[m] for m in MAPPING_FIGURES) + excess
    assert "unmapped" in validate_figures(figures, electors)


@given(consistent(), st.integers(min_value=1, max_value=10**4))
def test_digitized_beyond_collected_and_asd_is_always_refused(case, excess):
    figures, electors = case
    figures["digitized"] = figures["collected"] + sum(figures[n] for n in ASD_FIGURES) + excess
    assert "digitized" in validate_figures(figures, electors)


@given(consistent(), st.integers(min_value=1, max_value=10**4))
def test_collected_and_asd_beyond_distributed_is_always_refused(case, excess):
    figures, electors = case
    figures["collected"] = figures["distributed"] - sum(figures[n] for n in ASD_FIGURES) + excess
    assert "collected" in validate_figures(figures, electors)


@given(consistent(), st.integers(min_value=1, max_value=10**5))
def test_distributed_beyond_the_electors_is_always_refused(case, excess):
    figures, electors = case
    figures["distributed"] = electors + elector_tolerance(electors) + excess
    assert "distributed" in validate_figures(figures, electors)


@settings(max_examples=200)
@given(day_after(), st.sampled_from(FIGURES), st.data())
def test_a_lower_figure_needs_a_reason(case, name, data):
    previous, today, electors = case
    if today[name] == 0:
        return  # nothing to lower
    lower = data.draw(st.integers(0, today[name] - 1))
    lowered_day = {**today, name: lower}
    # compared with `today` as the previous report; lowering may break a chain rule elsewhere,
    # never on the lowered figure itself
    errors = validate_figures(lowered_day, electors, today)
    assert errors[name].startswith("Lower than the last report")
    assert lowered_figures(lowered_day, today) == [name]
    with_reason = validate_figures(lowered_day, electors, today, "Recount at the booth")
    assert name not in with_reason
    assert all("Lower than the last report" not in message for message in with_reason.values())
    blank_reason = validate_figures(lowered_day, electors, today, "   ")
    assert name in blank_reason  # a reason of spaces is no reason
