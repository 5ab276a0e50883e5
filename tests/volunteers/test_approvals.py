"""The approval queue: the district's pending registrations for its collector and EROs, decided
once (a second decision made on an old page is a conflict), audited, the row answered for htmx."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, User
from app.timeutil import utcnow
from app.volunteers.models import Volunteer, VolunteerStatus
from tests.volunteers.registration_support import make_volunteer

pytestmark = pytest.mark.usefixtures("without_seeded_volunteers")

HTMX = {"HX-Request": "true"}


def _volunteers(app):
    with app.app_context():
        bhopal = make_volunteer("Ravi Kumar", "9111111111", "Bhopal")
        raisen = make_volunteer("Sunita Bai", "9222222222", "Raisen")
        return bhopal.id, raisen.id


def _decide(client, auth, volunteer_id, verb="approve", version=1, htmx=True):
    data = {"csrf_token": auth.token("/volunteers/approvals"), "version": str(version)}
    return client.post(f"/volunteers/{volunteer_id}/{verb}", data=data, headers=HTMX if htmx else {})


def test_a_collector_sees_the_pending_of_their_district_only(app, client, auth):
    _volunteers(app)
    auth.login("collector.bhopal")
    html = client.get("/volunteers/approvals").get_data(as_text=True)
    assert "Ravi Kumar" in html and "9111111111" in html
    assert "Sunita Bai" not in html


def test_an_ero_sees_the_pending_of_their_acs_district(app, client, auth):
    _volunteers(app)
    auth.login("ero.1")
    html = client.get("/volunteers/approvals").get_data(as_text=True)
    assert "Ravi Kumar" in html and "Sunita Bai" not in html
    auth.logout()
    auth.login("ero.5")
    html = client.get("/volunteers/approvals").get_data(as_text=True)
    assert "Sunita Bai" in html and "Ravi Kumar" not in html


def test_an_ero_of_another_district_is_refused(app, client, auth):
    bhopal, _ = _volunteers(app)
    auth.login("ero.5")
    assert _decide(client, auth, bhopal).status_code == 403
    with app.app_context():
        assert db.session.get(Volunteer, bhopal).status == VolunteerStatus.PENDING


def test_approving_lets_the_volunteer_sign_in_and_is_audited(app, client, auth):
    bhopal, _ = _volunteers(app)
    auth.login("ero.1")
    response = _decide(client, auth, bhopal)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith("<article") and "is approved" in html and "<html" not in html
    with app.app_context():
        volunteer = db.session.get(Volunteer, bhopal)
        assert volunteer.status == VolunteerStatus.APPROVED and volunteer.user.active
        assert volunteer.approved_by_id == db.session.scalar(select(User.id).where(User.login == "ero.1"))
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "volunteer.approve"))
        assert entry.object_id == str(bhopal)
    assert "Ravi Kumar" not in client.get("/volunteers/approvals").get_data(as_text=True)


def test_rejecting_keeps_the_account_closed(app, client, auth):
    bhopal, _ = _volunteers(app)
    auth.login("collector.bhopal")
    response = _decide(client, auth, bhopal, "reject", htmx=False)
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "registration is rejected" in page
    with app.app_context():
        volunteer = db.session.get(Volunteer, bhopal)
        assert volunteer.status == VolunteerStatus.REJECTED and not volunteer.user.active


def test_a_decision_on_an_old_page_is_a_conflict(app, client, auth):
    bhopal, _ = _volunteers(app)
    auth.login("collector.bhopal")
    assert _decide(client, auth, bhopal, "approve", version=1).status_code == 200
    response = _decide(client, auth, bhopal, "reject", version=1)
    assert response.status_code == 409
    assert "Someone else decided" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Volunteer, bhopal).status == VolunteerStatus.APPROVED


def test_a_decision_without_the_version_decides_nothing(app, client, auth):
    bhopal, _ = _volunteers(app)
    auth.login("collector.bhopal")
    response = client.post(
        f"/volunteers/{bhopal}/approve",
        data={"csrf_token": auth.token("/volunteers/approvals")},
        headers=HTMX,
    )
    assert response.status_code == 422
    with app.app_context():
        assert db.session.get(Volunteer, bhopal).status == VolunteerStatus.PENDING


def test_a_volunteer_back_after_two_no_shows_is_marked(app, client, auth):
    bhopal, _ = _volunteers(app)
    with app.app_context():
        volunteer = db.session.get(Volunteer, bhopal)
        volunteer.approved_at = utcnow()  # approved once, then sent back by two no-shows
        db.session.commit()
    with app.app_context():
        make_volunteer("New Person", "9333333333", "Bhopal")
    auth.login("collector.bhopal")
    html = client.get("/volunteers/approvals").get_data(as_text=True)
    cards = dict(re.findall(r'<article class="approval" id="volunteer-(\d+)">(.*?)</article>', html, re.S))
    assert "Back after two no-shows" in cards[str(bhopal)]
    assert all("Back after two no-shows" not in card for key, card in cards.items() if key != str(bhopal))


def test_the_list_is_searched_and_paged(app, client, auth):
    app.config["PAGE_SIZE"] = 2
    with app.app_context():
        for n in range(3):
            make_volunteer(f"Student {n}", f"94444444{n:02d}", "Bhopal")
    auth.login("collector.bhopal")
    first = client.get("/volunteers/approvals").get_data(as_text=True)
    assert first.count('class="approval"') == 2 and "page=2" in first
    second = client.get("/volunteers/approvals?page=2").get_data(as_text=True)
    assert second.count('class="approval"') == 1
    found = client.get("/volunteers/approvals?q=Student 1", headers=HTMX)
    html = found.get_data(as_text=True)
    assert found.status_code == 200 and html.lstrip().startswith('<section id="approval-rows"')
    assert "Student 1" in html and "Student 2" not in html
    assert client.get("/volunteers/approvals?page=x").status_code == 400


def test_the_page_in_hindi(app, client, auth):
    _volunteers(app)
    auth.login("collector.bhopal", lang="hi")
    html = client.get("/volunteers/approvals").get_data(as_text=True)
    assert "स्वीकृति के लिए स्वयंसेवक" in html and "Volunteers to approve" not in html


def test_the_queue_costs_a_handful_of_queries(app, client, auth):
    from sqlalchemy import event

    with app.app_context():
        for n in range(8):
            make_volunteer(f"Cadet {n}", f"95555555{n:02d}", "Bhopal")
    auth.login("collector.bhopal")
    statements = []

    def count(conn, cursor, statement, *rest):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get("/volunteers/approvals").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) <= 8, selects
