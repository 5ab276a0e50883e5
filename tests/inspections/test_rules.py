"""The discrepancy rules at their boundaries, the reasons a part is suggested, and conflicts."""

from __future__ import annotations

from datetime import date

import pytest

from app.inspections import rules
from app.inspections.rules import Finding, PartState, Reason


@pytest.mark.parametrize(
    ("verified", "reported", "disagrees"),
    [
        (105, 100, False),  # exactly 5 % over agrees
        (95, 100, False),  # exactly 5 % under agrees
        (106, 100, True),  # just over flags
        (94, 100, True),
        (2101, 2000, True),  # 5.05 %
        (2100, 2000, False),
        (0, 0, False),  # nothing reported, nothing counted
        (1, 0, True),  # a reported 0 against anything counted disagrees
        (0, 1, True),
    ],
)
def test_a_figure_disagrees_past_the_threshold_only(verified, reported, disagrees):
    assert rules.figure_disagrees(verified, reported, 5) is disagrees


@pytest.mark.parametrize(
    ("sampled", "confirmed", "disagrees"),
    [
        (10, 8, False),  # exactly 80 % confirmed agrees
        (10, 7, True),  # below the threshold flags
        (5, 4, False),
        (5, 3, True),
        (0, 0, False),  # an empty sample says nothing
        (1, 0, True),
    ],
)
def test_a_sample_disagrees_below_the_threshold(sampled, confirmed, disagrees):
    assert rules.sample_disagrees(sampled, confirmed, 80) is disagrees


def test_findings_name_each_disagreement_with_its_numbers():
    found = rules.findings(
        {"distributed": 500, "collected": 300, "digitized": 200},
        {"distributed": 500, "collected": 316, "digitized": 250},
        {"households": (10, 7), "asd": (4, 4)},
        5,
        80,
    )
    assert found == [
        Finding("collected", 300, 316, 5),
        Finding("digitized", 200, 250, 5),
        Finding("households", 7, 10, 80),
    ]
    assert [Finding.from_json(f.as_json()) for f in found] == found


def test_findings_skip_what_was_not_counted_or_not_reported():
    assert (
        rules.findings(
            {"distributed": None, "collected": 999, "digitized": 10},
            {"distributed": 100, "collected": None, "digitized": 10},
            {"households": (None, None)},
            5,
            80,
        )
        == []
    )


def test_a_district_threshold_moves_the_boundary():
    assert rules.findings({"digitized": 108}, {"digitized": 100}, {}, 10, 80) == []
    assert rules.findings({"digitized": 111}, {"digitized": 100}, {}, 10, 80) == [
        Finding("digitized", 111, 100, 10)
    ]


@pytest.mark.parametrize(
    ("sampled", "confirmed", "problem"),
    [(None, None, None), (10, None, "both"), (None, 3, "both"), (3, 4, "more_than_sampled"), (4, 4, None)],
)
def test_sample_problems(sampled, confirmed, problem):
    assert rules.sample_problem(sampled, confirmed) == problem


def test_a_report_agrees_when_every_verified_figure_is_within_the_threshold():
    verified = {"distributed": 400, "collected": None, "digitized": 200}
    assert rules.report_agrees(verified, {"distributed": 420, "collected": 1, "digitized": 195}, 5)
    assert not rules.report_agrees(verified, {"distributed": 422, "collected": 1, "digitized": 200}, 5)
    assert rules.report_agrees(
        verified, {"distributed": 421, "collected": 1, "digitized": 200}, 5
    )  # 5 % of 421
    assert not rules.report_agrees({"digitized": 0}, {"distributed": 0, "collected": 0, "digitized": 1}, 5)
    # a visit that verified nothing cannot be agreed with
    assert not rules.report_agrees({}, {"distributed": 1, "collected": 1, "digitized": 1}, 5)


TODAY = date(2025, 11, 28)


def state(**changes) -> PartState:
    base = dict(
        behind=False,
        days_without_report=0,
        open_difficulties=0,
        overdue_difficulties=0,
        last_visit=date(2025, 11, 27),
        flagged=False,
    )
    return PartState(**{**base, **changes})


def test_a_part_in_order_and_lately_visited_is_not_suggested():
    assert rules.reasons(state(), TODAY, 14) == []


def test_reasons_come_weightiest_first():
    found = rules.reasons(
        state(
            flagged=True,
            overdue_difficulties=1,
            open_difficulties=2,
            behind=True,
            days_without_report=3,
            last_visit=None,
        ),
        TODAY,
        14,
    )
    assert found == [Reason.FLAGGED, Reason.OVERDUE, Reason.BEHIND, Reason.SILENT, Reason.NOT_INSPECTED]
    assert rules.score(found) == 40 + 30 + 20 + 20 + 5


@pytest.mark.parametrize(
    ("last_visit", "stale"),
    [(date(2025, 11, 14), True), (date(2025, 11, 15), False), (None, True)],
)
def test_not_inspected_after_the_districts_days(last_visit, stale):
    assert (Reason.NOT_INSPECTED in rules.reasons(state(last_visit=last_visit), TODAY, 14)) is stale


def test_silent_from_two_days_and_open_difficulties_unless_overdue():
    assert rules.reasons(state(days_without_report=1), TODAY, 14) == []
    assert rules.reasons(state(days_without_report=2), TODAY, 14) == [Reason.SILENT]
    assert rules.reasons(state(open_difficulties=1), TODAY, 14) == [Reason.DIFFICULTIES]
    assert rules.reasons(state(open_difficulties=1, overdue_difficulties=1), TODAY, 14) == [Reason.OVERDUE]


def test_conflicts_are_the_inspectors_other_inspections_that_day():
    day = date(2025, 11, 28)
    booked = [(1, 7, day), (2, 7, day), (3, 8, day), (4, 7, date(2025, 11, 29))]
    assert rules.conflicts(booked, 7, day) == [1, 2]
    assert rules.conflicts(booked, 7, day, own_id=2) == [1]
    assert rules.conflicts(booked, 8, day, own_id=3) == []
    assert rules.conflicts(booked, 9, day) == []
