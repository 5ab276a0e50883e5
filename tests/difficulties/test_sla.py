"""The clock, from the timeline alone: pauses, the two limits, thresholds and each level's own time."""

from datetime import datetime, timedelta

import pytest

from app.difficulties import sla
from app.difficulties.models import Category, EventKind, Level, Status

T0 = datetime(2026, 12, 2, 4, 0)
POLICY = sla.Policy(Level.SUPERVISOR, timedelta(hours=4), timedelta(hours=24))


def step(hours, kind, status, level=Level.SUPERVISOR, percent=None):
    return sla.Step(T0 + timedelta(hours=hours), kind, status, level, percent)


def at(hours):
    return T0 + timedelta(hours=hours)


def test_defaults_follow_the_issue():
    assert sla.DEFAULT_POLICIES[Category.HEALTH] == sla.Policy(
        Level.ERO, timedelta(hours=1), timedelta(hours=4)
    )
    assert sla.DEFAULT_POLICIES[Category.SAFETY].first_level == Level.ERO
    assert sla.DEFAULT_POLICIES[Category.APP].acknowledge == timedelta(hours=4)
    assert sla.DEFAULT_POLICIES[Category.FORMS_SHORT].resolve == timedelta(hours=24)
    for category in (Category.NETWORK, Category.MAPPING, Category.OTHER):
        assert sla.DEFAULT_POLICIES[category] == sla.Policy(
            Level.SUPERVISOR, timedelta(hours=8), timedelta(hours=48)
        )
    assert set(sla.DEFAULT_POLICIES) == set(Category)


def test_an_open_difficulty_runs_against_the_time_to_acknowledge():
    clock = sla.clock([step(0, EventKind.CREATED, Status.OPEN)], POLICY, at(1))
    assert clock.acknowledging and clock.running
    assert clock.used == timedelta(hours=1)
    assert clock.limit == timedelta(hours=4)
    assert clock.due_at == at(4)
    assert clock.next_check_at == at(2)  # the 50 % notice
    assert clock.crossed() == []
    assert clock.percent_used == 25


def test_thresholds_crossed_and_not_yet_written():
    steps = [step(0, EventKind.CREATED, Status.OPEN)]
    assert sla.clock(steps, POLICY, at(3.5)).crossed() == [50, 75]
    steps.append(step(3.5, EventKind.NOTICE, Status.OPEN, percent=75))
    clock = sla.clock(steps, POLICY, at(3.6))
    assert clock.crossed() == []
    assert clock.next_check_at == at(4)
    assert sla.clock(steps, POLICY, at(4)).crossed() == [100]
    assert sla.clock(steps, POLICY, at(4)).breached


def test_acknowledging_switches_to_the_time_to_resolve_from_the_same_start():
    steps = [step(0, EventKind.CREATED, Status.OPEN), step(3, EventKind.ACKNOWLEDGED, Status.ACKNOWLEDGED)]
    clock = sla.clock(steps, POLICY, at(5))
    assert not clock.acknowledging
    assert clock.limit == timedelta(hours=24)
    assert clock.used == timedelta(hours=5)
    assert clock.due_at == at(24)
    assert clock.next_check_at == at(12)


def test_a_notice_of_the_acknowledge_clock_does_not_count_for_the_resolve_clock():
    steps = [
        step(0, EventKind.CREATED, Status.OPEN),
        step(3, EventKind.NOTICE, Status.OPEN, percent=75),
        step(3.5, EventKind.ACKNOWLEDGED, Status.ACKNOWLEDGED),
    ]
    assert sla.clock(steps, POLICY, at(13)).crossed() == [50]


def test_waiting_pauses_the_clock_and_resuming_runs_it_again():
    steps = [
        step(0, EventKind.CREATED, Status.OPEN),
        step(1, EventKind.ACKNOWLEDGED, Status.ACKNOWLEDGED),
        step(2, EventKind.WAITING_HELPDESK, Status.WAITING_HELPDESK),
    ]
    paused = sla.clock(steps, POLICY, at(50))
    assert not paused.running
    assert paused.used == timedelta(hours=2)
    assert paused.due_at is None and paused.next_check_at is None
    assert paused.crossed() == []
    steps.append(step(50, EventKind.RESUMED, Status.IN_PROGRESS))
    resumed = sla.clock(steps, POLICY, at(51))
    assert resumed.used == timedelta(hours=3)
    assert resumed.due_at == at(50 + 22)


def test_waiting_on_the_blo_pauses_too():
    steps = [
        step(0, EventKind.CREATED, Status.OPEN),
        step(1, EventKind.ACKNOWLEDGED, Status.ACKNOWLEDGED),
        step(1, EventKind.WAITING_BLO, Status.WAITING_BLO),
    ]
    assert sla.clock(steps, POLICY, at(100)).used == timedelta(hours=1)


def test_each_level_gets_its_own_time_again():
    steps = [
        step(0, EventKind.CREATED, Status.OPEN),
        step(4, EventKind.OVERDUE, Status.OPEN, percent=100),
        step(4, EventKind.ESCALATED, Status.OPEN, Level.ERO),
    ]
    clock = sla.clock(steps, POLICY, at(5))
    assert clock.level == Level.ERO
    assert clock.level_started_at == at(4)
    assert clock.used == timedelta(hours=1)
    assert clock.recorded_percent == 0
    assert clock.crossed() == []


def test_handing_it_to_another_level_restarts_the_clock():
    steps = [
        step(0, EventKind.CREATED, Status.OPEN),
        step(1, EventKind.ASSIGNED, Status.OPEN, Level.ERO),
    ]
    assert sla.clock(steps, POLICY, at(2)).used == timedelta(hours=1)


def test_a_resolved_difficulty_stops_its_clock():
    steps = [
        step(0, EventKind.CREATED, Status.OPEN),
        step(1, EventKind.ACKNOWLEDGED, Status.ACKNOWLEDGED),
        step(2, EventKind.RESOLVED, Status.RESOLVED),
    ]
    clock = sla.clock(steps, POLICY, at(200))
    assert not clock.running and clock.crossed() == [] and clock.next_check_at is None


def test_business_time_leaves_out_the_pauses():
    steps = [
        step(0, EventKind.CREATED, Status.OPEN),
        step(1, EventKind.ACKNOWLEDGED, Status.ACKNOWLEDGED),
        step(2, EventKind.WAITING_BLO, Status.WAITING_BLO),
        step(20, EventKind.RESUMED, Status.IN_PROGRESS),
    ]
    assert sla.business_time(steps, at(21)) == timedelta(hours=3)
    assert sla.business_time(steps, at(1)) == timedelta(hours=1)


def test_a_timeline_starts_with_its_creation():
    with pytest.raises(ValueError):
        sla.clock([], POLICY, T0)
