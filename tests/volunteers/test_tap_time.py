"""The tap's time is the time (issue 21, point 2): a check-in, check-out or work log kept on the phone
offline carries when the person tapped, and the server keeps it when it is plausible (not ahead of
the arrival by more than two minutes, not older than a day, on one of the assignment's days), with
the arrival beside it. The day, the minutes worked, the collector's hours and the "outside the
offered hours" mark all follow the tap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.volunteers import services
from app.volunteers.models import VisitDay
from tests.volunteers.matrix_mine import profile_of
from tests.volunteers.mine_support import START, TODAY, days_of, freeze, fresh, make_offer, post, signed_in

pytestmark = pytest.mark.usefixtures("without_seeded_volunteers")


def _ms(moment: datetime) -> str:
    """A stored (naive UTC) moment as the phone sends it: epoch milliseconds."""
    return str(int(moment.replace(tzinfo=UTC).timestamp() * 1000))


def _text(response) -> str:
    return response.get_data(as_text=True).replace("\u202f", " ")


def _checked_in(app, tapped_at: str, arrival: datetime):
    """An accepted offer for today 10:00 to 14:00 (made at 10:00), checked in at `arrival` with the
    phone's `tapped_at`: the answer and the day."""
    freeze(app, START)
    assignment = make_offer(app, accept=True)
    client = signed_in(app, "vol.bhopal.1")
    freeze(app, arrival)
    answer = post(client, f"/volunteers/assignments/{assignment}/check-in", tapped_at=tapped_at)
    return assignment, client, answer


def test_the_check_in_keeps_the_time_of_the_tap_and_the_arrival_beside_it(app):
    tapped = START + timedelta(hours=2)  # 12:00 in Bhopal
    arrival = tapped + timedelta(seconds=75)
    assignment, _client, answer = _checked_in(app, _ms(tapped), arrival)
    assert answer.status_code == 200 and "Checked in at 12:00 PM." in _text(answer)
    (visit,) = days_of(app, assignment)
    assert visit.day == TODAY
    assert visit.check_in_at == tapped and visit.check_in_received_at == arrival


def test_an_iso_instant_with_its_offset_is_read_as_the_same_moment(app):
    tapped = START + timedelta(hours=1)
    assignment, _client, answer = _checked_in(app, "2025-11-20T11:00:00+05:30", tapped + timedelta(hours=3))
    assert answer.status_code == 200
    assert days_of(app, assignment)[0].check_in_at == tapped


def test_a_check_in_tapped_in_the_hours_is_not_marked_outside_them_when_it_arrives_after(app):
    tapped = START + timedelta(hours=2)  # 12:00, inside 10:00 to 14:00
    arrival = START + timedelta(hours=5)  # 15:00, after the hours ended
    assignment, client, _answer = _checked_in(app, _ms(tapped), arrival)
    (visit,) = days_of(app, assignment)
    assert visit.check_in_at == tapped and not visit.check_in_outside_hours
    page = _text(client.get(f"/volunteers/assignments/{assignment}"))
    assert "outside the offered hours" not in page


@pytest.mark.parametrize(
    "tapped_at",
    [
        pytest.param(lambda arrival: _ms(arrival + timedelta(minutes=3)), id="ahead-beyond-the-skew"),
        pytest.param(lambda arrival: _ms(arrival - timedelta(hours=25)), id="older-than-a-day"),
        # 23:00 in Bhopal the evening before: within a day, but not one of the assignment's days.
        pytest.param(lambda arrival: _ms(datetime(2025, 11, 19, 17, 30)), id="before-the-assignment"),
        pytest.param(lambda arrival: "2025-11-20T11:00:00", id="no-offset"),
        pytest.param(lambda arrival: "half past ten", id="unreadable"),
        pytest.param(lambda arrival: "", id="absent"),
    ],
)
def test_an_implausible_tap_time_gives_way_to_the_arrival(app, tapped_at):
    arrival = START + timedelta(hours=2)
    assignment, _client, answer = _checked_in(app, tapped_at(arrival), arrival)
    assert answer.status_code == 200 and "Checked in at 12:00 PM." in _text(answer)
    (visit,) = days_of(app, assignment)
    assert visit.check_in_at == arrival and visit.check_in_received_at == arrival


def test_a_phone_a_minute_fast_is_believed_but_never_after_the_arrival(app):
    arrival = START + timedelta(hours=2)
    assignment, _client, _answer = _checked_in(app, _ms(arrival + timedelta(minutes=1)), arrival)
    assert days_of(app, assignment)[0].check_in_at == arrival


def test_minutes_worked_and_the_hours_counted_come_from_the_taps(app):
    tapped_in = START + timedelta(minutes=15)  # 10:15
    assignment, client, _answer = _checked_in(app, _ms(tapped_in), START + timedelta(hours=3))
    tapped_out = START + timedelta(hours=3, minutes=45)  # 13:45
    freeze(app, START + timedelta(hours=6))  # the phone found a network at 16:00
    out = post(
        client,
        f"/volunteers/assignments/{assignment}/check-out",
        confirm="1",
        tapped_at="2025-11-20T08:15:00Z",
    )
    assert out.status_code == 200 and "3 h 30 min counted today" in _text(out)
    (visit,) = days_of(app, assignment)
    assert visit.check_out_at == tapped_out and visit.check_out_received_at == START + timedelta(hours=6)
    assert visit.minutes == 210
    with app.app_context():
        assert services.hours_of(profile_of("vol.bhopal.1").id) == 3.5


def test_a_check_out_tapped_a_moment_after_the_check_in_is_refused_however_late_it_arrives(app):
    assignment, client, _answer = _checked_in(app, _ms(START), START)
    freeze(app, START + timedelta(minutes=5))
    out = post(
        client,
        f"/volunteers/assignments/{assignment}/check-out",
        confirm="1",
        tapped_at=_ms(START + timedelta(seconds=30)),
    )
    assert out.status_code == 409 and "this tap did not check you out" in _text(out)
    assert days_of(app, assignment)[0].check_out_at is None


def test_taps_before_midnight_land_on_their_day_when_they_arrive_after_it(app):
    freeze(app, START)
    assignment = make_offer(app, accept=True, days=2)
    client = signed_in(app, "vol.bhopal.1")
    tapped_in = datetime(2025, 11, 20, 16, 30)  # 22:00 in Bhopal on the 20th
    tapped_out = datetime(2025, 11, 20, 18, 20)  # 23:50
    freeze(app, datetime(2025, 11, 20, 18, 50))  # 00:20 on the 21st: both posts arrive now
    check_in = post(client, f"/volunteers/assignments/{assignment}/check-in", tapped_at=_ms(tapped_in))
    assert check_in.status_code == 200
    out = post(
        client, f"/volunteers/assignments/{assignment}/check-out", confirm="1", tapped_at=_ms(tapped_out)
    )
    assert out.status_code == 200
    (visit,) = days_of(app, assignment)
    assert visit.day == TODAY
    assert (visit.check_in_at, visit.check_out_at, visit.minutes) == (tapped_in, tapped_out, 110)


def test_the_work_log_keeps_its_tap_time_and_arrival(app):
    assignment, client, _answer = _checked_in(app, _ms(START), START)
    (visit,) = days_of(app, assignment)
    tapped = START + timedelta(hours=3)
    arrival = START + timedelta(hours=7)
    freeze(app, arrival)
    saved = post(
        client,
        f"/volunteers/days/{visit.id}/work",
        tapped_at=_ms(tapped),
        forms_helped="4",
        electors_helped="9",
        notes="",
    )
    assert saved.status_code == 200
    visit = fresh(app, VisitDay, visit.id)
    assert (visit.forms_helped, visit.work_logged_at, visit.work_received_at) == (4, tapped, arrival)


def test_the_page_before_check_in_holds_the_waiting_check_in_and_its_check_out_hidden(app):
    freeze(app, START)
    assignment = make_offer(app, accept=True)
    client = signed_in(app, "vol.bhopal.1", lang="hi")
    html = _text(client.get(f"/volunteers/assignments/{assignment}"))
    pending = html[html.index("data-pending-check-in") :]
    assert "चेक-इन हो गया (भेजना बाकी है)" in pending
    assert f"/volunteers/assignments/{assignment}/check-out" in pending and 'name="confirm"' in pending
    assert html.count('name="tapped_at"') == 2
