"""Typed addresses never give a 500: ids, pages, days and `next` links out of range are a 404 or a 400.

Every case also checks that the answer is the usual error page and that nothing was saved.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, Constituency, District, Part, User
from app.reviews.models import BloReview

HUGE = "99999999999999999999"  # beyond SQLite's 64-bit integers
ODD_NUMBERS = [HUGE, "2147483648", "²", "١", "٣٤", "1e3", "-1", "0x10"]
ODD_DAYS = ["0001-01-01", "9999-12-31", "1999-12-31", "2025-13-01", "20251120", "2025-W47-1", "२०२५-११-२०"]


def _ids(app) -> dict[str, int]:
    with app.app_context():
        part = db.session.scalar(
            select(Part)
            .join(Constituency, Part.constituency_id == Constituency.id)
            .where(Constituency.number == 1)
        )
        return {"part": part.id, "constituency": part.constituency_id, "district": part.district_id}


def _saved(app) -> tuple[int, int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count(AuditEntry.id))),
            db.session.scalar(select(func.count(BloReview.id))),
            db.session.scalar(select(func.count(User.id))),
        )


def _is_error_page(response, status: int) -> None:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    html = response.get_data(as_text=True)
    assert "<h1>" in html or "error" in html.lower()


PATHS = [
    "/places/parts/{n}",
    "/places/districts/{n}",
    "/places/constituencies/{n}",
    "/progress/parts/{n}",
    "/progress/districts/{n}",
    "/progress/constituencies/{n}",
    "/maps/districts/{n}",
    "/reports/parts/{n}",
    "/reviews/parts/{n}",
    "/reviews/parts/{n}/history",
    "/imports/{n}",
]


@pytest.mark.parametrize("path", PATHS)
def test_odd_numbers_in_a_path_are_not_found(app, client, auth, path):
    auth.login("collector.bhopal")
    for number in ODD_NUMBERS:
        _is_error_page(client.get(path.format(n=number)), 404)


QUERIES = [
    "/places/parts?page={n}",
    "/places/constituencies/{constituency}?page={n}",
    "/accounts/?page={n}",
    "/progress/missing?page={n}",
    "/progress/missing?district_id={n}",
    "/progress/missing?constituency_id={n}",
    "/progress/calls?district_id={n}",
    "/progress/calls?page={n}&district_id={district}",
    "/reviews/not-contacted?page={n}",
    "/reviews/not-contacted?district_id={n}",
    "/reviews/follow-ups?constituency_id={n}",
    "/maps/data.json?district_id={n}",
    "/maps/data.json?constituency_id={n}",
    "/exports/parts.csv?district_id={n}",
    "/exports/constituencies.xlsx?district_id={n}",
    "/exports/missing.csv?constituency_id={n}",
]


@pytest.mark.parametrize("query", QUERIES)
def test_odd_numbers_in_a_query_are_a_bad_request(app, client, auth, query):
    auth.login("collector.bhopal")
    before, ids = _saved(app), _ids(app)
    for number in ODD_NUMBERS + ["abc"]:
        url = query.format(n=number, **ids)
        response = client.get(url)
        assert response.status_code in (400, 404), url
        _is_error_page(response, response.status_code)
    assert _saved(app) == before


def test_a_page_number_in_range_still_works(app, client, auth):
    auth.login("collector.bhopal")
    assert client.get("/places/parts?page=2147483647").status_code == 200
    assert client.get("/places/parts?page=0").status_code == 200
    assert client.get("/accounts/?page=1").status_code == 200


DAY_URLS = [
    "/exports/districts.csv?date={d}",
    "/exports/parts.xlsx?district_id={district}&date={d}",
    "/exports/bulletin.csv?date={d}",
    "/progress/missing?date={d}",
    "/progress/districts/{district}?date={d}",
    "/progress/parts/{part}?date={d}",
    "/maps/districts/{district}?date={d}",
    "/maps/data.json?district_id={district}&date={d}",
    "/reports/parts/{part}?report_date={d}",
]


@pytest.mark.parametrize("url", DAY_URLS)
def test_odd_days_are_refused_with_a_4xx(app, client, auth, url):
    auth.login("collector.bhopal")
    ids = _ids(app)
    for day in ODD_DAYS:
        response = client.get(url.format(d=day, **ids))
        assert 400 <= response.status_code < 500, (url, day, response.status_code)


CONTROL = ["/\r\nSet-Cookie: x=1", "/\n", "/\r", "/places/\t", "/\x00", "/\x7f", "/\u2028", "/\x85"]


def test_a_language_change_with_control_characters_in_next_is_saved_and_goes_home(app, client, auth):
    auth.login("collector.bhopal", lang=None)
    token = auth.token("/")
    for next_url in CONTROL:
        _change_language(app, client, token, next_url)


def _change_language(app, client, token: str, next_url: str) -> None:
    response = client.post("/auth/language", data={"lang": "en", "next": next_url, "csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    response = client.post(
        "/auth/language",
        data={"lang": "hi", "next": next_url},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    assert response.status_code == 204 and response.headers["HX-Redirect"] == "/"
    with app.app_context():
        assert db.session.scalar(select(User.locale).where(User.login == "collector.bhopal")) == "hi"


def test_sign_in_with_control_characters_in_next_goes_home(client, auth):
    for next_url in CONTROL:
        token = auth.token()
        response = client.post(
            "/auth/login",
            query_string={"next": next_url},
            data={"login": "state", "password": "sir-demo-2025", "csrf_token": token},
        )
        assert response.status_code == 303 and response.headers["Location"] == "/", repr(next_url)
        auth.logout()


def test_a_review_with_control_characters_in_next_is_saved_once_and_answered(app, client, auth):
    auth.login("sup.1.1")
    part = _ids(app)["part"]
    url = f"/reviews/parts/{part}"
    for saved, next_url in enumerate(CONTROL, start=1):
        assert client.get(url, query_string={"next": next_url}).status_code == 200
        response = client.post(
            url,
            query_string={"next": next_url},
            data={"csrf_token": auth.token(url), "kind": "call", "outcome": "Spoke to the BLO."},
        )
        assert response.status_code == 303, repr(next_url)
        assert response.headers["Location"] == f"/reviews/parts/{part}/history"
        with app.app_context():
            assert db.session.scalar(select(func.count(BloReview.id))) == saved


def test_a_place_name_with_odd_characters_in_the_path_is_not_found(app, client, auth):
    auth.login("collector.bhopal")
    with app.app_context():
        district = db.session.scalar(select(District.id))
    assert client.get(f"/places/districts/{district}%0d%0a").status_code == 404
