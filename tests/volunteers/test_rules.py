"""The pure rules: overlaps, worked time under the cap, expiry, no-shows, and the need ranking."""

from datetime import date, datetime, time, timedelta

from app.volunteers import rules

D1, D3, D4 = date(2026, 12, 1), date(2026, 12, 3), date(2026, 12, 4)


def test_overlap_needs_a_shared_day_and_crossing_hours():
    morning, afternoon = (time(9), time(13)), (time(13), time(17))
    assert rules.overlaps((D1, D3), morning, (D3, D4), (time(10), time(11)))
    assert not rules.overlaps((D1, D3), morning, (D3, D4), afternoon)  # back to back
    assert not rules.overlaps((D1, D1), morning, (D3, D4), morning)


def test_worked_minutes_are_capped_and_never_negative():
    start = datetime(2026, 12, 1, 9, 0)
    assert rules.worked_minutes(start, start + timedelta(hours=3, minutes=20)) == 200
    assert rules.worked_minutes(start, start + timedelta(hours=11)) == 8 * 60
    assert rules.worked_minutes(start, start - timedelta(minutes=5)) == 0


def test_an_offer_expires_after_its_hours():
    assert rules.expires_at(datetime(2026, 12, 1, 9), 24) == datetime(2026, 12, 2, 9)


def test_two_no_shows_need_approval_again():
    assert not rules.needs_reapproval(1)
    assert rules.needs_reapproval(2)


def test_need_ranks_the_part_behind_and_silent_above_the_one_on_pace():
    on_pace = rules.need(rules.NeedInput(1000, 600, 100, 4, 0, 0, 0))
    behind = rules.need(rules.NeedInput(1000, 600, 20, 4, 2, 1, 0))
    assert behind.score > on_pace.score
    assert set(behind.reasons) == {"forms_left", "behind_pace", "silent", "difficulties"}
    assert on_pace.reasons == ("forms_left",)
    assert on_pace.forms_left == 400 and on_pace.needed_pace == 100


def test_each_volunteer_already_there_lowers_the_need():
    alone = rules.need(rules.NeedInput(1000, 0, 0, 5, 0, 0, 0))
    helped = rules.need(rules.NeedInput(1000, 0, 0, 5, 0, 0, 2))
    assert helped.score == alone.score / 3


def test_a_finished_part_has_no_need():
    done = rules.need(rules.NeedInput(900, 900, 0, 3, 0, 0, 0))
    assert done.score == 0 and done.pace_ratio is None and done.reasons == ()


def test_the_work_a_volunteer_can_log_in_a_day_is_bounded_by_the_hours_and_the_part():
    """Issue 23: one form a minute of the daily hour cap, never more than the part's electors; a
    part of unknown size is taken at the Commission's ceiling for a polling station."""
    big = rules.work_bounds(900, 8)
    assert (big.forms, big.electors, big.forms_by_hours) == (480, 900, True)
    small = rules.work_bounds(300, 8)
    assert (small.forms, small.electors, small.forms_by_hours) == (300, 300, False)
    unknown = rules.work_bounds(0, 6)
    assert (unknown.forms, unknown.electors, unknown.part_electors) == (360, rules.ELECTORS_CEILING, 0)
