"""The places browser: scoped lists, active search as fragment and page, the part page."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Constituency, Part


def _part_id(app, ac: int, number: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(Part.id)
            .join(Constituency, Part.constituency_id == Constituency.id)
            .where(Constituency.number == ac, Part.number == number)
        )


def test_state_sees_every_district_collector_only_theirs(client, auth):
    auth.login("state")
    page = client.get("/places/").get_data(as_text=True)
    assert "Bhopal" in page and "Raisen" in page
    auth.logout()
    auth.login("collector.bhopal")
    page = client.get("/places/").get_data(as_text=True)
    assert "Bhopal" in page and "Raisen" not in page


def test_district_totals_add_up(app, client, auth):
    auth.login("state")
    with app.app_context():
        electors = db.session.scalar(select(db.func.sum(Part.electors)))
    page = client.get("/places/").get_data(as_text=True)
    from babel.numbers import format_decimal

    assert format_decimal(electors, locale="en_IN") in page  # the footer total, Indian grouping


def test_search_returns_a_fragment_for_htmx_and_a_page_otherwise(client, auth):
    auth.login("state")
    fragment = client.get("/places/?q=rais", headers={"HX-Request": "true"})
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "HX-Request" in fragment.headers["Vary"]
    assert html.lstrip().startswith('<div id="rows">') and "<html" not in html
    assert ">Raisen</a>" in html and ">Bhopal</a>" not in html  # Raisen's division is Bhopal
    page = client.get("/places/?q=rais").get_data(as_text=True)
    assert "<html" in page and "Raisen" in page
    # a boosted navigation wants the whole page
    boosted = client.get("/places/?q=rais", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in boosted.get_data(as_text=True)


def test_search_by_ac_and_part_number(app, client, auth):
    auth.login("state")
    html = client.get("/places/parts?q=1-3", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert ">1-3<" in html and ">1-4<" not in html
    html = client.get("/places/parts?q=%25", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "No part matches." in html  # a literal percent sign is not a wildcard


def test_parts_list_is_scoped_for_a_blo(app, client, auth):
    auth.login("blo.1.1")
    html = client.get("/places/parts").get_data(as_text=True)
    assert ">1-1<" in html and ">1-2<" not in html


def test_part_page_shows_its_blo_and_electors(app, client, auth):
    auth.login("sup.1.1")
    part_id = _part_id(app, 1, 2)
    html = client.get(f"/places/parts/{part_id}").get_data(as_text=True)
    assert "1-2" in html and "tel:+91" in html
    assert client.get(f"/places/parts/{_part_id(app, 5, 1)}").status_code == 403
    assert client.get("/places/parts/999999").status_code == 404


def test_constituency_page_paginates(app, client, auth):
    app.config["PAGE_SIZE"] = 4
    auth.login("ero.1")
    with app.app_context():
        ac_id = db.session.scalar(select(Constituency.id).where(Constituency.number == 1))
    first = client.get(f"/places/constituencies/{ac_id}").get_data(as_text=True)
    assert ">1-4<" in first and ">1-5<" not in first and "Page 1 of 2" in first
    second = client.get(f"/places/constituencies/{ac_id}?page=2").get_data(as_text=True)
    assert ">1-5<" in second and ">1-1<" not in second


def test_home_page_differs_by_role(client, auth):
    expectations = {
        "state": "progress, ranked against the target",
        "collector.bhopal": "Review every AC and BLO of your district",
        "ero.1": "Review every part of your AC",
        "sup.1.1": "Call each of your BLOs",
        "blo.1.1": "Distribute, collect and digitize",
        "vol.bhopal.1": "You may not act as the BLO",
        "admin": "Manage accounts",
    }
    for login, text in expectations.items():
        auth.login(login)
        token = auth.token("/")
        client.post("/auth/language", data={"lang": "en", "csrf_token": token})
        assert text in client.get("/").get_data(as_text=True), login
        auth.logout()
