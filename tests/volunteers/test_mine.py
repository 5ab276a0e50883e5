"""The volunteer's offers and assignments: answering, finding the booth, and seeing only their own."""

from __future__ import annotations

from datetime import time, timedelta

from app.extensions import db
from app.models import User
from app.volunteers.models import OfferStatus
from tests.volunteers.matrix_mine import part_of
from tests.volunteers.mine_support import (
    START,
    assignment_of,
    audit_count,
    freeze,
    make_offer,
    post,
    signed_in,
)


def _blo_of(app, ac_number=1, part_number=1) -> User:
    with app.app_context():
        blo = db.session.get(User, part_of(ac_number, part_number).blo_id)
        db.session.expunge(blo)
        return blo


def test_my_assignments_lists_offers_with_the_time_left_and_accepted_ones_today_first(app):
    freeze(app, START)
    later = make_offer(app, starts_in=3, hours=(time(9), time(11)), accept=True)
    today = make_offer(app, part_number=2, hours=(time(14), time(16)), accept=True)
    freeze(app, START + timedelta(hours=1))
    waiting = make_offer(app, starts_in=1, hours=(time(16, 30), time(18)))
    freeze(app, START + timedelta(hours=3))  # 22 h left of the 24
    client = signed_in(app, "vol.bhopal.1")
    response = client.get("/volunteers/mine")
    html = response.get_data(as_text=True).replace("\u202f", " ")
    assert response.status_code == 200 and "<html" in html
    assert "Offers waiting for your answer" in html
    assert "Answer within 22 h 0 min" in html
    assert html.index(f"/volunteers/assignments/{today}") < html.index(f"/volunteers/assignments/{later}")
    assert f"/volunteers/assignments/{waiting}" in html
    assert "Not checked in yet" in html and "/volunteers/history" in html

    fragment = (
        client.get("/volunteers/mine", headers={"HX-Request": "true"})
        .get_data(as_text=True)
        .replace("\u202f", " ")
    )
    assert "<html" not in fragment and 'id="assignments"' in fragment
    assert f"/volunteers/assignments/{waiting}" in fragment


def test_an_expired_offer_is_not_listed_as_waiting(app):
    freeze(app, START)
    offer = make_offer(app)
    freeze(app, START + timedelta(hours=25))
    html = (
        signed_in(app, "vol.bhopal.1").get("/volunteers/mine").get_data(as_text=True).replace("\u202f", " ")
    )
    assert f"/volunteers/assignments/{offer}" not in html
    assert "No offer is waiting for you." in html


def test_the_volunteers_home_opens_with_today_and_the_offers_and_keeps_the_profile(app):
    freeze(app, START)
    today = make_offer(app, accept=True)
    waiting = make_offer(app, starts_in=1)
    html = signed_in(app, "vol.bhopal.1").get("/").get_data(as_text=True).replace("\u202f", " ")
    assert "Today's assignment" in html
    assert f"/volunteers/assignments/{today}" in html and f"/volunteers/assignments/{waiting}" in html
    assert html.index("assignments/") < html.index("Your profile")
    assert "You may not act as the BLO" in html  # the rules stay


def test_the_offer_page_hides_the_blos_name_and_phone_until_accepted(app):
    freeze(app, START)
    offer = make_offer(app, starts_in=2)
    blo = _blo_of(app)
    client = signed_in(app, "vol.bhopal.1")
    html = client.get(f"/volunteers/assignments/{offer}").get_data(as_text=True).replace("\u202f", " ")
    assert "Will you go?" in html and "Answer within 24 h 0 min" in html
    assert blo.mobile and blo.mobile not in html and blo.name not in html
    assert "The BLO's name and phone appear here once you accept." in html

    response = post(client, f"/volunteers/assignments/{offer}/answer", accept="1", version="1")
    html = response.get_data(as_text=True).replace("\u202f", " ")
    assert response.status_code == 200 and "<html" not in html
    assert "Accepted." in html and blo.mobile in html and blo.name in html
    assert f'href="tel:{blo.mobile}"' in html
    assert assignment_of(app, offer).status == OfferStatus.ACCEPTED
    assert audit_count(app, "volunteer.accept") == 1


def test_a_plain_accept_redirects_to_the_page_with_the_message(app):
    freeze(app, START)
    offer = make_offer(app)
    client = signed_in(app, "vol.bhopal.1")
    response = post(client, f"/volunteers/assignments/{offer}/answer", htmx=False, accept="1", version="1")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/volunteers/assignments/{offer}")
    html = client.get(response.headers["Location"]).get_data(as_text=True).replace("\u202f", " ")
    assert "Accepted." in html and "<html" in html


def test_a_decline_needs_a_reason(app):
    freeze(app, START)
    offer = make_offer(app)
    client = signed_in(app, "vol.bhopal.1")
    response = post(client, f"/volunteers/assignments/{offer}/answer", accept="0", version="1", reason=" ")
    html = response.get_data(as_text=True).replace("\u202f", " ")
    assert response.status_code == 422 and "Say why you cannot go." in html and "<html" not in html
    assert assignment_of(app, offer).status == OfferStatus.OFFERED

    response = post(client, f"/volunteers/assignments/{offer}/answer", htmx=False, accept="0", version="1")
    assert response.status_code == 303
    assert "Say why you cannot go." in client.get(response.headers["Location"]).get_data(
        as_text=True
    ).replace("\u202f", " ")

    response = post(
        client, f"/volunteers/assignments/{offer}/answer", accept="0", version="1", reason="Exams that week"
    )
    assert response.status_code == 200 and "Declined." in response.get_data(as_text=True).replace(
        "\u202f", " "
    )
    declined = assignment_of(app, offer)
    assert declined.status == OfferStatus.DECLINED and declined.decline_reason == "Exams that week"


def test_an_answer_without_a_choice_or_version_is_refused(app):
    freeze(app, START)
    offer = make_offer(app)
    client = signed_in(app, "vol.bhopal.1")
    response = post(client, f"/volunteers/assignments/{offer}/answer", version="1")
    assert response.status_code == 422 and "Choose to accept or to decline." in response.get_data(
        as_text=True
    ).replace("\u202f", " ")
    response = post(client, f"/volunteers/assignments/{offer}/answer", accept="1")
    assert response.status_code == 422 and "lost track of the offer" in response.get_data(
        as_text=True
    ).replace("\u202f", " ")
    assert assignment_of(app, offer).status == OfferStatus.OFFERED


def test_an_answer_to_an_old_version_is_a_conflict(app):
    freeze(app, START)
    offer = make_offer(app)
    client = signed_in(app, "vol.bhopal.1")
    response = post(client, f"/volunteers/assignments/{offer}/answer", accept="1", version="7")
    assert response.status_code == 409 and "changed a moment ago" in response.get_data(as_text=True).replace(
        "\u202f", " "
    )
    assert assignment_of(app, offer).status == OfferStatus.OFFERED


def test_an_expired_offer_cannot_be_accepted(app):
    freeze(app, START)
    offer = make_offer(app)
    freeze(app, START + timedelta(hours=24, minutes=1))
    client = signed_in(app, "vol.bhopal.1")
    assert "This offer expired without an answer" in client.get(f"/volunteers/assignments/{offer}").get_data(
        as_text=True
    ).replace("\u202f", " ")
    response = post(client, f"/volunteers/assignments/{offer}/answer", accept="1", version="1")
    html = response.get_data(as_text=True).replace("\u202f", " ")
    assert response.status_code == 409 and "This offer expired on" in html
    assert "can no longer be accepted" in html
    assert assignment_of(app, offer).status == OfferStatus.OFFERED
    assert audit_count(app, "volunteer.accept") == 0


def test_an_answered_offer_cannot_be_answered_again(app):
    freeze(app, START)
    offer = make_offer(app, accept=True)
    client = signed_in(app, "vol.bhopal.1")
    response = post(client, f"/volunteers/assignments/{offer}/answer", accept="0", version="2", reason="x")
    assert response.status_code == 409 and "already answered" in response.get_data(as_text=True).replace(
        "\u202f", " "
    )
    assert assignment_of(app, offer).status == OfferStatus.ACCEPTED


def test_the_page_shows_the_part_the_days_hours_tasks_and_what_volunteers_may_not_do(app):
    freeze(app, START)
    offer = make_offer(app, days=3, tasks=("help_desk", "data_entry"))
    with app.app_context():
        part = part_of(1, 1)
        name, building, lat, lon = part.name_en, part.building, part.lat, part.lon
    html = (
        signed_in(app, "vol.bhopal.1")
        .get(f"/volunteers/assignments/{offer}")
        .get_data(as_text=True)
        .replace("\u202f", " ")
    )
    assert "1-1" in html and name in html and building in html
    assert "20 Nov 2025 to 22 Nov 2025" in html and "10:00 AM–2:00 PM" in html
    assert "Staffing the help desk" in html and "Data entry when the BLO asks" in html
    assert "Awareness work" not in html
    assert "Never act as the BLO." in html and "Never take electors' documents." in html
    assert f'href="geo:{lat:.6f},{lon:.6f}?q={lat:.6f},{lon:.6f}"' in html
    assert "https://" not in html.split('id="where-title"')[1].split("</section>")[0]


def test_the_directions_link_follows_the_configured_template(app):
    freeze(app, START)
    app.config["DIRECTIONS_URL"] = "https://maps.example/dir/?destination={lat},{lon}"
    offer = make_offer(app)
    with app.app_context():
        part = part_of(1, 1)
        lat, lon = part.lat, part.lon
    html = (
        signed_in(app, "vol.bhopal.1")
        .get(f"/volunteers/assignments/{offer}")
        .get_data(as_text=True)
        .replace("\u202f", " ")
    )
    assert f'href="https://maps.example/dir/?destination={lat:.6f},{lon:.6f}"' in html
    assert f'href="geo:{lat:.6f},{lon:.6f}' in html


def test_the_page_in_hindi_translates_the_tasks_and_the_rules(app):
    freeze(app, START)
    offer = make_offer(app, tasks=("awareness",))
    client = signed_in(app, "vol.bhopal.1", lang="hi")
    html = client.get(f"/volunteers/assignments/{offer}").get_data(as_text=True).replace("\u202f", " ")
    assert "जागरूकता" in html and "बीएलओ" in html
    assert "Awareness work" not in html and "Never act as the BLO." not in html


def test_a_volunteer_cannot_reach_another_volunteers_assignment(app):
    freeze(app, START)
    theirs = make_offer(app, login="vol.bhopal.2")
    client = signed_in(app, "vol.bhopal.1")
    assert client.get(f"/volunteers/assignments/{theirs}").status_code == 403
    assert client.get(f"/volunteers/assignments/{theirs + 999}").status_code == 404
    response = post(client, f"/volunteers/assignments/{theirs}/answer", accept="1", version="1")
    assert response.status_code == 403
    assert assignment_of(app, theirs).status == OfferStatus.OFFERED
    html = client.get("/volunteers/mine").get_data(as_text=True).replace("\u202f", " ")
    assert f"/volunteers/assignments/{theirs}" not in html
    html = client.get("/").get_data(as_text=True).replace("\u202f", " ")
    assert f"/volunteers/assignments/{theirs}" not in html


def test_officers_and_blos_do_not_open_the_volunteers_pages(app):
    freeze(app, START)
    offer = make_offer(app)
    for login in ("blo.1.1", "collector.bhopal"):
        client = signed_in(app, login)
        assert client.get("/volunteers/mine").status_code == 403
        assert client.get(f"/volunteers/assignments/{offer}").status_code == 403
