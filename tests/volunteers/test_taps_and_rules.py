"""The rules a person meets are the rules the code keeps (issue 20), and a tap means one thing:

- check-out is asked twice and sits away from check-in; a stray second tap never ends the day;
- a volunteer who checked in that day cannot be marked "did not come";
- an offer for hours already over is refused, and an offer never stays open past its last hours;
- a check-in outside the offered hours is kept, marked, and the officers see the mark."""

from __future__ import annotations

from datetime import time, timedelta
from urllib.parse import unquote

import pytest
from sqlalchemy import select

from app.campaign.clock import campaign_today
from app.extensions import db
from app.volunteers import services
from app.volunteers.models import Assignment, Attendance, VolunteerStatus
from tests.volunteers.matrix_mine import part_of, profile_of
from tests.volunteers.mine_support import (
    START,
    audit_count,
    days_of,
    freeze,
    fresh,
    make_offer,
    post,
    signed_in,
)

pytestmark = pytest.mark.usefixtures("without_seeded_volunteers")


def _text(response) -> str:
    return response.get_data(as_text=True).replace("\u202f", " ")


def test_a_second_tap_on_check_in_never_checks_the_volunteer_out(app):
    freeze(app, START)
    assignment = make_offer(app, accept=True)
    client = signed_in(app, "vol.bhopal.1")
    first = post(client, f"/volunteers/assignments/{assignment}/check-in")
    html = _text(first)
    assert first.status_code == 200 and "Checked in at 10:00 AM." in html
    # Where the check-in button was, there is no button now; check-out waits behind a question.
    assert html.count('name="confirm"') == 1
    assert html.index("Leaving? Check out") > html.index("Save the work")
    # The thumb lands again 0.9 s later, on whatever took the button's place: a check-out post
    # without the confirmation, or even with it, a moment after checking in.
    freeze(app, START + timedelta(seconds=0.9))
    bare = post(client, f"/volunteers/assignments/{assignment}/check-out")
    assert bare.status_code == 422 and bare.headers["X-Refusal"]
    confirmed_too_soon = post(client, f"/volunteers/assignments/{assignment}/check-out", confirm="1")
    assert confirmed_too_soon.status_code == 409
    assert "this tap did not check you out" in _text(confirmed_too_soon)
    (visit,) = days_of(app, assignment)
    assert visit.check_in_at == START and visit.check_out_at is None and visit.minutes is None
    assert audit_count(app, "volunteer.check_out") == 0

    # Asked and confirmed later, it checks out.
    freeze(app, START + timedelta(hours=2))
    out = post(client, f"/volunteers/assignments/{assignment}/check-out", confirm="1")
    assert out.status_code == 200 and "2 h 0 min counted today" in _text(out)
    assert days_of(app, assignment)[0].minutes == 120


def test_the_check_out_question_is_in_hindi_too(app):
    freeze(app, START)
    assignment = make_offer(app, accept=True)
    client = signed_in(app, "vol.bhopal.1", lang="hi")
    post(client, f"/volunteers/assignments/{assignment}/check-in")
    html = _text(client.get(f"/volunteers/assignments/{assignment}"))
    assert "जा रहे हैं? चेक-आउट करें" in html and "हाँ, अभी चेक-आउट करें" in html
    bare = post(client, f"/volunteers/assignments/{assignment}/check-out")
    assert bare.status_code == 422 and "%E0%A4" in bare.headers["X-Refusal"]  # Devanagari, URL-encoded


def test_a_volunteer_who_checked_in_cannot_be_marked_as_not_come(app):
    freeze(app, START)
    assignment = make_offer(app, accept=True)
    post(signed_in(app, "vol.bhopal.1"), f"/volunteers/assignments/{assignment}/check-in")
    blo = signed_in(app, "blo.1.1")
    page = _text(blo.get("/volunteers/today"))
    assert "Checked in at 10:00 AM" in page and "Did not come" not in page and ">Came<" in page
    refused = post(blo, f"/volunteers/assignments/{assignment}/attendance", came="0")
    assert refused.status_code == 409
    assert "cannot be marked as not come" in unquote(refused.headers["X-Refusal"])
    assert "cannot be marked as not come" in _text(refused)
    (visit,) = days_of(app, assignment)
    assert visit.attendance is None and audit_count(app, "volunteer.attendance") == 0
    with app.app_context():
        assert profile_of("vol.bhopal.1").status == VolunteerStatus.APPROVED
    came = post(blo, f"/volunteers/assignments/{assignment}/attendance", came="1")
    assert came.status_code == 200 and days_of(app, assignment)[0].attendance == Attendance.CONFIRMED


def _offer_form(day, start, end) -> dict:
    return {
        "starts_on": day.isoformat(),
        "ends_on": day.isoformat(),
        "start_time": start,
        "end_time": end,
        "tasks": ["form_filling"],
    }


def test_an_offer_for_hours_already_over_is_refused(app):
    freeze(app, START + timedelta(hours=11, minutes=17))  # 21:17 in Bhopal
    with app.app_context():
        volunteer_id, part_id = profile_of("vol.bhopal.1").id, part_of(1, 1).id
        db.session.commit()
    collector = signed_in(app, "collector.bhopal")
    url = f"/volunteers/offer?part_id={part_id}&volunteer_id={volunteer_id}"
    today = START.date()
    response = post(collector, url, page=url, **_offer_form(today, "09:00", "17:00"))
    assert response.status_code == 422 and "already over" in _text(response)
    assert response.headers["X-Refusal"]
    with app.app_context():
        assert db.session.scalar(select(Assignment.id).where(Assignment.volunteer_id == volunteer_id)) is None
    # Hours still to come today are fine, and the offer expires when they end, not a day later.
    later = post(collector, url, page=url, **_offer_form(today, "21:00", "23:00"))
    assert later.status_code == 204
    with app.app_context():
        made = db.session.scalar(select(Assignment).where(Assignment.volunteer_id == volunteer_id))
        assert made.expires_at == services.to_utc(today, time(23))


def test_a_check_in_outside_the_offered_hours_is_kept_and_marked_for_the_officers(app):
    freeze(app, START)
    early = make_offer(app, accept=True, hours=(time(14), time(18)))  # it is 10:00
    client = signed_in(app, "vol.bhopal.1")
    response = post(client, f"/volunteers/assignments/{early}/check-in")
    assert response.status_code == 200 and "outside the offered hours" in _text(response)
    (visit,) = days_of(app, early)
    assert visit.check_in_at == START and visit.check_in_outside_hours
    blo_page = _text(signed_in(app, "blo.1.1").get("/volunteers/today"))
    assert "outside the offered hours" in blo_page
    with app.app_context():
        assert services.outside_hours(fresh(app, Assignment, early), START.date(), START) is True

    on_time = make_offer(app, login="vol.bhopal.2", part_number=1, hours=(time(9, 45), time(13)), accept=True)
    post(signed_in(app, "vol.bhopal.2"), f"/volunteers/assignments/{on_time}/check-in")
    assert days_of(app, on_time)[0].check_in_outside_hours is False


def test_a_check_in_after_the_blo_said_did_not_come_withdraws_the_no_show(app):
    freeze(app, START)
    assignment = make_offer(app, accept=True)
    blo = signed_in(app, "blo.1.1")
    assert post(blo, f"/volunteers/assignments/{assignment}/attendance", came="0").status_code == 200
    assert days_of(app, assignment)[0].attendance == Attendance.NO_SHOW
    freeze(app, START + timedelta(minutes=40))  # late, but there
    response = post(signed_in(app, "vol.bhopal.1"), f"/volunteers/assignments/{assignment}/check-in")
    assert response.status_code == 200
    (visit,) = days_of(app, assignment)
    assert visit.check_in_at is not None and visit.attendance is None
    assert audit_count(app, "volunteer.attendance") == 2  # the BLO's word, and its withdrawal
    page = _text(blo.get("/volunteers/today"))
    assert "Checked in at 10:40 AM" in page and "Did not come" not in page


def test_a_lost_offer_race_says_why_in_x_refusal(app):
    with app.app_context():
        first, part_id = profile_of("vol.bhopal.1").id, part_of(1, 1).id
        day = campaign_today() + timedelta(days=1)
        db.session.commit()
    collector, ero = signed_in(app, "collector.bhopal"), signed_in(app, "ero.1")
    url = f"/volunteers/offer?part_id={part_id}&volunteer_id={first}"
    form = _offer_form(day, "09:00", "13:00")
    assert post(collector, url, page=url, **form).status_code == 204
    second = post(ero, url, page=url, **form)
    assert second.status_code == 409
    assert "Someone else offered" in unquote(second.headers["X-Refusal"])
    assert "Someone else offered" in _text(second)
