"""Accounts: created by an admin or a collector for their district; passwords reset; all audited."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, Constituency, Part, Role, User


def _create(client, auth, **fields):
    token = auth.token("/accounts/new")
    data = {
        "role": "blo",
        "name": "Meena Devi",
        "login": "blo.new",
        "mobile": "9876543210",
        "locale": "hi",
        "password": "firstpass1",
        "district_id": "0",
        "csrf_token": token,
    }
    data.update(fields)
    return client.post("/accounts/new", data=data, headers={"HX-Request": "true", "X-CSRFToken": token})


def test_collector_creates_a_blo_for_a_part_of_their_district(app, client, auth):
    auth.login("collector.bhopal")
    response = _create(client, auth, parts="2-3")
    assert response.status_code == 204 and "/accounts/" in response.headers["HX-Redirect"]
    with app.app_context():
        user = db.session.scalar(select(User).where(User.login == "blo.new"))
        part = db.session.scalar(
            select(Part)
            .join(Constituency, Part.constituency_id == Constituency.id)
            .where(Constituency.number == 2, Part.number == 3)
        )
        assert user.role == Role.BLO and part.blo_id == user.id
        actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"user.create", "part.assign"} <= actions
    auth.logout()
    assert auth.login("blo.new", "firstpass1").status_code == 303


def test_collector_cannot_reach_outside_their_district_and_nothing_is_half_saved(app, client, auth):
    auth.login("collector.bhopal")
    with app.app_context():
        users_before = db.session.scalar(select(func.count(User.id)))
        audit_before = db.session.scalar(select(func.count(AuditEntry.id)))
    response = _create(client, auth, parts="1-1, 5-1")  # 5-1 is in Raisen
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "5-1" in html and 'id="account-form"' in html and "<html" not in html
    response = _create(client, auth, role="state")
    assert response.status_code == 422
    response = _create(client, auth, role="ero", constituency_number="5")
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == users_before
        assert db.session.scalar(select(func.count(AuditEntry.id))) == audit_before
        part = db.session.scalar(
            select(Part)
            .join(Constituency, Part.constituency_id == Constituency.id)
            .where(Constituency.number == 1, Part.number == 1)
        )
        assert part.blo.login == "blo.1.1"


def test_form_errors_are_clear_and_in_place(client, auth):
    auth.login("collector.bhopal")
    response = _create(client, auth, login="blo.1.1", parts="1-1", mobile="12345")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "10-digit mobile" in html
    response = _create(client, auth, login="blo.1.1", parts="1-1")
    assert "already taken" in response.get_data(as_text=True)
    response = _create(client, auth, parts="one-two")
    assert "is not of the form AC-part" in response.get_data(as_text=True)


def test_admin_creates_a_collector(app, client, auth):
    auth.login("admin")
    with app.app_context():
        raisen = db.session.scalar(select(Constituency.district_id).where(Constituency.number == 5))
    response = _create(client, auth, role="collector", login="collector.two", district_id=str(raisen))
    assert response.status_code == 204
    with app.app_context():
        assert db.session.scalar(select(User.district_id).where(User.login == "collector.two")) == raisen


def test_collector_resets_a_blo_password(app, client, auth):
    auth.login("collector.bhopal")
    with app.app_context():
        blo = db.session.scalar(select(User.id).where(User.login == "blo.1.2"))
        outsider = db.session.scalar(select(User.id).where(User.login == "blo.5.1"))
    token = auth.token("/accounts/")
    response = client.post(
        f"/accounts/{blo}/reset-password", headers={"HX-Request": "true", "X-CSRFToken": token}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    temporary = html.split("blo.1.2: ")[1].split(".")[0].strip()
    assert client.post(f"/accounts/{outsider}/reset-password", data={"csrf_token": token}).status_code == 403
    auth.logout()
    assert auth.login("blo.1.2", temporary).status_code == 303
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count(AuditEntry.id)).where(AuditEntry.action == "user.password_reset")
            )
            == 1
        )


def test_deactivate_as_fragment_and_as_page(app, client, auth):
    auth.login("collector.bhopal")
    with app.app_context():
        blo = db.session.scalar(select(User.id).where(User.login == "blo.1.3"))
    token = auth.token("/accounts/")
    response = client.post(
        f"/accounts/{blo}/active", data={"active": "0"}, headers={"HX-Request": "true", "X-CSRFToken": token}
    )
    html = response.get_data(as_text=True)
    assert (
        response.status_code == 200
        and html.lstrip().startswith(f'<tr id="user-{blo}"')
        and "inactive" in html
    )
    response = client.post(f"/accounts/{blo}/active", data={"active": "1", "csrf_token": token})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(User, blo).active is True


def test_accounts_list_is_scoped_and_searchable(client, auth):
    auth.login("collector.bhopal")
    html = client.get("/accounts/?role=blo", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "blo.1.1" in html and "blo.5.1" not in html and "collector.raisen" not in html
    html = client.get("/accounts/?q=ero.2").get_data(as_text=True)
    assert "<html" in html and "ero.2" in html


def test_assigning_a_blo_to_a_part_without_one_updates_the_ac_totals(app, client, auth):
    with app.app_context():
        part = db.session.scalar(
            select(Part)
            .join(Constituency, Part.constituency_id == Constituency.id)
            .where(Constituency.number == 2, Part.number == 4)
        )
        part.blo_id = None
        db.session.commit()
        from app.figures.rollups import refresh_constituency_totals

        refresh_constituency_totals([part.constituency_id])
        db.session.commit()
        before = db.session.get(Constituency, part.constituency_id).blos_count
    auth.login("collector.bhopal")
    assert _create(client, auth, parts="2-4").status_code == 204
    with app.app_context():
        assert db.session.get(Constituency, part.constituency_id).blos_count == before + 1


def test_a_new_account_sent_twice_gets_login_taken_the_second_time(app, client, auth):
    auth.login("collector.bhopal")
    with app.app_context():
        users_before = db.session.scalar(select(func.count(User.id)))
    assert _create(client, auth, parts="2-3").status_code == 204
    with app.app_context():
        audit_after_first = db.session.scalar(select(func.count(AuditEntry.id)))
    response = _create(client, auth, parts="2-3")
    assert response.status_code == 422
    assert "This login is already taken." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == users_before + 1
        assert db.session.scalar(select(func.count(AuditEntry.id))) == audit_after_first


def test_the_second_of_two_simultaneous_new_accounts_gets_login_taken(app, client, auth, monkeypatch):
    """Both requests passed the login check before either saved: the database's unique login decides."""
    import app.accounts.services as services

    auth.login("collector.bhopal")
    assert _create(client, auth, parts="2-3").status_code == 204
    with app.app_context():
        users_before = db.session.scalar(select(func.count(User.id)))
        audit_before = db.session.scalar(select(func.count(AuditEntry.id)))
    monkeypatch.setattr(services, "login_taken", lambda login: False)
    for headers in ({}, {"HX-Request": "true"}):
        token = auth.token("/accounts/new")
        response = client.post(
            "/accounts/new",
            data={
                "role": "blo",
                "name": "Meena Devi",
                "login": "blo.new",
                "locale": "hi",
                "password": "firstpass1",
                "district_id": "0",
                "parts": "2-4",
                "csrf_token": token,
            },
            headers={**headers, "X-CSRFToken": token},
        )
        assert response.status_code == 422
        assert "This login is already taken." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == users_before
        assert db.session.scalar(select(func.count(AuditEntry.id))) == audit_before
        part = db.session.scalar(
            select(Part)
            .join(Constituency, Part.constituency_id == Constituency.id)
            .where(Constituency.number == 2, Part.number == 4)
        )
        assert part.blo.login != "blo.new"
