"""The BLO's side: the volunteers coming today to their parts, their phone only once they accepted,
and the BLO's word on whether each came (two no-shows: approval again)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from app.extensions import db
from app.volunteers.models import Attendance, Volunteer, VolunteerStatus
from tests.volunteers.matrix_mine import profile_of
from tests.volunteers.mine_support import (
    START,
    audit_count,
    days_of,
    freeze,
    make_offer,
    post,
    signed_in,
)

pytestmark = pytest.mark.usefixtures("without_seeded_volunteers")


def _volunteer(app, login="vol.bhopal.1") -> SimpleNamespace:
    with app.app_context():
        volunteer = profile_of(login)
        db.session.commit()
        return SimpleNamespace(id=volunteer.id, name=volunteer.name, mobile=volunteer.mobile)


def _status(app, volunteer_id: int) -> VolunteerStatus:
    with app.app_context():
        return db.session.get(Volunteer, volunteer_id).status


def test_the_blo_sees_todays_volunteers_with_their_phone_and_check_in(app):
    freeze(app, START)
    volunteer = _volunteer(app)
    coming = make_offer(app, accept=True, tasks=("help_desk",))
    volunteer_client = signed_in(app, "vol.bhopal.1")
    post(volunteer_client, f"/volunteers/assignments/{coming}/check-in")
    client = signed_in(app, "blo.1.1")
    response = client.get("/volunteers/today")
    html = response.get_data(as_text=True).replace("\u202f", " ")
    assert response.status_code == 200 and "<html" in html
    assert volunteer.name in html and "NSS" in html and "Government College" in html
    assert f'href="tel:{volunteer.mobile}"' in html
    assert "10:00 AM–2:00 PM" in html and "Staffing the help desk" in html
    assert "Checked in at 10:00 AM" in html
    assert f"/volunteers/assignments/{coming}/attendance" in html
    fragment = client.get("/volunteers/today", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and 'id="volunteers"' in fragment and volunteer.name in fragment


def test_an_offer_not_yet_accepted_shows_neither_the_volunteer_nor_their_phone(app):
    freeze(app, START)
    volunteer = _volunteer(app)
    make_offer(app)
    make_offer(app, login="vol.bhopal.2", starts_in=1, accept=True)  # tomorrow: not today
    html = signed_in(app, "blo.1.1").get("/volunteers/today").get_data(as_text=True)
    assert volunteer.mobile not in html and volunteer.name not in html
    assert "No volunteer is coming to your parts today." in html


def test_another_parts_blo_does_not_see_them(app):
    freeze(app, START)
    volunteer = _volunteer(app)
    coming = make_offer(app, accept=True)
    client = signed_in(app, "blo.1.2")
    html = client.get("/volunteers/today").get_data(as_text=True)
    assert volunteer.mobile not in html and volunteer.name not in html
    response = post(client, f"/volunteers/assignments/{coming}/attendance", came="1")
    assert response.status_code == 403
    assert days_of(app, coming) == []


def test_the_blos_home_says_how_many_volunteers_come_today(app):
    freeze(app, START)
    make_offer(app, accept=True)
    make_offer(app, login="vol.bhopal.2", accept=True)
    make_offer(app, login="vol.bhopal.3")  # an offer only
    html = signed_in(app, "blo.1.1").get("/").get_data(as_text=True)
    assert "Volunteers today: 2" in html and 'href="/volunteers/today"' in html
    assert "Volunteers today: 0" in signed_in(app, "blo.1.2").get("/").get_data(as_text=True)


def test_the_blo_confirms_a_volunteer_came(app):
    freeze(app, START)
    volunteer = _volunteer(app)
    coming = make_offer(app, accept=True)
    client = signed_in(app, "blo.1.1")
    response = post(client, f"/volunteers/assignments/{coming}/attendance", came="1")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert f"{volunteer.name} came today: thank you." in html and "You said: came" in html
    (visit,) = days_of(app, coming)
    assert visit.attendance == Attendance.CONFIRMED and visit.attendance_at == START
    assert audit_count(app, "volunteer.attendance") == 1

    response = post(client, f"/volunteers/assignments/{coming}/attendance", htmx=False, came="0")
    assert response.status_code == 303 and response.headers["Location"].endswith("/volunteers/today")
    html = client.get("/volunteers/today").get_data(as_text=True)
    assert "is recorded as not coming today" in html and "You said: did not come" in html
    assert days_of(app, coming)[0].attendance == Attendance.NO_SHOW


def test_an_attendance_without_an_answer_is_refused(app):
    freeze(app, START)
    coming = make_offer(app, accept=True)
    client = signed_in(app, "blo.1.1")
    response = post(client, f"/volunteers/assignments/{coming}/attendance", came="maybe")
    assert response.status_code == 422 and "Say whether the volunteer came." in response.get_data(
        as_text=True
    )
    assert days_of(app, coming) == []


def test_two_no_shows_send_the_volunteer_back_for_approval(app):
    freeze(app, START)
    volunteer = _volunteer(app)
    first = make_offer(app, accept=True, days=2)
    client = signed_in(app, "blo.1.1")
    response = post(client, f"/volunteers/assignments/{first}/attendance", came="0")
    assert "second no-show" not in response.get_data(as_text=True)
    assert _status(app, volunteer.id) == VolunteerStatus.APPROVED
    freeze(app, START + timedelta(days=1))
    response = post(client, f"/volunteers/assignments/{first}/attendance", came="0")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "That is their second no-show" in html and "Waiting for the officers' approval again" in html
    assert _status(app, volunteer.id) == VolunteerStatus.PENDING
    assert audit_count(app, "volunteer.needs_approval") == 1


def test_volunteers_and_officers_do_not_open_the_blos_page(app):
    freeze(app, START)
    coming = make_offer(app, accept=True)
    for login in ("vol.bhopal.1", "sup.1.1", "collector.bhopal"):
        client = signed_in(app, login)
        assert client.get("/volunteers/today").status_code == 403
        assert post(client, f"/volunteers/assignments/{coming}/attendance", came="1").status_code == 403
    assert days_of(app, coming) == []
