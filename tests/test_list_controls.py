"""Every list reads its day, place, search, sort, filter and page through one GET form (app/lists.py).

A value out of range is a 400 (or a 404 for a place outside the reader's scope) with the error page in
the reader's language; a good value gives the page it always gave.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from app.campaign.clock import campaign_today
from app.extensions import db
from app.lists import ListForm, ListPagination
from app.models import Constituency, District, Part, User


def _places(app) -> dict[str, int]:
    """Bhopal (collector.bhopal's district), one of its ACs, and an AC of the other district."""
    with app.app_context():
        bhopal = db.session.scalar(select(District).where(District.name_en == "Bhopal"))
        other = db.session.scalar(select(District).where(District.id != bhopal.id))
        ac = db.session.scalar(
            select(Constituency).where(Constituency.district_id == bhopal.id).order_by(Constituency.number)
        )
        other_ac = db.session.scalar(select(Constituency).where(Constituency.district_id == other.id))
        return {"district": bhopal.id, "other": other.id, "ac": ac.id, "other_ac": other_ac.id}


DAY_LISTS = [
    "/progress/state",
    "/progress/districts/{district}",
    "/progress/constituencies/{ac}",
    "/progress/missing",
    "/progress/calls?district_id={district}",
    "/maps/districts/{district}",
    "/exports/parts.csv?district_id={district}",
    "/exports/bulletin.csv",
]
BAD_VALUES = {
    "page": ["10" + "0" * 30, "-1", "1.5", "٣"],
    "date": ["0001-01-01", "9999-12-31", "2025-02-30", "tomorrow"],
    "sort": ["rank;drop", "Rank", "district_id"],
    "order": ["up", "DESC"],
    "filter": ["everything", "Behind"],
}


def _separator(url: str) -> str:
    return "&" if "?" in url else "?"


@pytest.mark.parametrize("url", DAY_LISTS)
def test_a_day_out_of_range_is_a_bad_request_on_every_list_with_a_day(app, client, auth, url):
    auth.login("state")
    url = url.format(**_places(app))
    with app.app_context():
        next_year = campaign_today().replace(day=1, year=campaign_today().year + 1).isoformat()
    for value in BAD_VALUES["date"] + [next_year]:
        response = client.get(f"{url}{_separator(url)}date={value}")
        assert response.status_code == 400, (url, value)
        assert "<h1>" in response.get_data(as_text=True)


@pytest.mark.parametrize("name", ["page", "sort", "order", "filter"])
@pytest.mark.parametrize("url", ["/progress/state", "/progress/districts/{district}", "/progress/parts"])
def test_a_control_out_of_range_is_a_bad_request_on_the_progress_tables(app, client, auth, name, url):
    auth.login("sup.1.1" if url == "/progress/parts" else "state")
    url = url.format(**_places(app))
    for value in BAD_VALUES[name]:
        response = client.get(url, query_string={name: value})
        assert response.status_code == 400, (url, name, value)
        assert f"“{value[:20]}” is not a valid {name}." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "url",
    [
        "/progress/missing?district_id={other}",
        "/progress/calls?constituency_id={other_ac}",
        "/reviews/not-contacted?district_id={other}",
        "/reviews/follow-ups?constituency_id={other_ac}",
        "/exports/missing.csv?district_id={other}",
    ],
)
def test_a_place_of_another_district_is_refused_and_a_place_that_is_not_is_not_found(app, client, auth, url):
    auth.login("collector.bhopal")
    response = client.get(url.format(**_places(app)))
    assert response.status_code == 403  # the scope tells "not yours" from "no such place"
    assert "<h1>" in response.get_data(as_text=True)
    response = client.get(url.format(other=2147483647, other_ac=2147483647))
    assert response.status_code == 404 and "<h1>" in response.get_data(as_text=True)


def test_a_place_of_another_district_is_refused_for_the_map_data(app, client, auth):
    auth.login("collector.bhopal")
    places = _places(app)
    assert client.get(f"/maps/data.json?district_id={places['other']}").status_code == 403
    response = client.get(f"/maps/data.json?district_id={places['district']}&page=0x1")
    assert response.status_code == 400 and "page" in response.get_json()["error"]


def test_an_unknown_role_is_a_bad_request_on_the_accounts_list(client, auth):
    auth.login("collector.bhopal")
    assert client.get("/accounts/?role=king").status_code == 400
    assert client.get("/accounts/?role=blo").status_code == 200
    assert client.get("/accounts/?role=").status_code == 200


def test_the_error_says_what_was_wrong_in_the_readers_language(app, client, auth):
    auth.login("state", lang="hi")
    html = client.get("/progress/state?sort=fastest").get_data(as_text=True)
    assert "“fastest” मान्य sort नहीं है।" in html
    html = client.get("/progress/missing?date=20-11-2025").get_data(as_text=True)
    assert "“20-11-2025” तिथि नहीं है।" in html and "is not a date" not in html
    fragment = client.get("/progress/state?filter=x", headers={"HX-Request": "true"})
    assert fragment.status_code == 400 and "<html" not in fragment.get_data(as_text=True)


def _row_names(html: str) -> list[str]:
    return re.findall(r'<tr id="row-\d+">.*?<a href="[^"]*">([^<]+)</a>', html, re.S)


def test_good_controls_give_the_same_table_as_before(app, client, auth):
    auth.login("state")
    by_name = _row_names(client.get("/progress/state?sort=name").get_data(as_text=True))
    assert len(by_name) > 1 and by_name == sorted(by_name)
    backwards = client.get("/progress/state?sort=name&order=desc", headers={"HX-Request": "true"})
    assert _row_names(backwards.get_data(as_text=True)) == list(reversed(by_name))
    blank = client.get("/progress/state?sort=&filter=&order=&date=&page=").get_data(as_text=True)
    assert _row_names(blank) == _row_names(client.get("/progress/state").get_data(as_text=True))


def test_the_pager_keeps_the_controls_and_stops_at_the_last_page(app, client, auth):
    app.config["PAGE_SIZE"] = 2
    auth.login("ero.1")
    places = _places(app)
    url = f"/progress/constituencies/{places['ac']}?sort=name&filter=all&order=desc"
    first = client.get(url).get_data(as_text=True)
    assert "Page 1 of 3" in first
    assert "page=2&amp;" in first and "sort=name" in first and "order=desc" in first
    last = client.get(url + "&page=3").get_data(as_text=True)
    assert "Page 3 of 3" in last and "Next" not in last
    assert client.get(url + "&page=2147483647").get_data(as_text=True).count('<tr id="row-') == len(
        re.findall(r'<tr id="row-', last)
    )


def test_the_places_lists_page_a_select_of_rows(app, client, auth):
    app.config["PAGE_SIZE"] = 5
    auth.login("collector.bhopal")
    html = client.get("/places/parts?page=2", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Page 2 of" in html and html.count("/places/parts/") == 5
    assert "<html" not in html


def test_the_form_offers_only_what_a_list_gives_it_the_context_for(app):
    with app.test_request_context("/?sort=anything&date=garbage&district_id=5&page=0"):
        form = ListForm.read()
        assert form.page_number == 1 and form.day is None and form.sort_by is None
        assert form.district is None and form.part_conditions() == [] and form.narrowing == {}


def test_the_form_narrows_through_the_scope_and_drops_an_ac_of_another_district(app):
    from app.scope import Scope

    places = _places(app)
    with app.test_request_context(f"/?district_id={places['district']}&constituency_id={places['other_ac']}"):
        state = db.session.scalar(select(User).where(User.login == "state"))
        form = ListForm.read(scope=Scope(state))
        assert form.district.id == places["district"] and form.constituency is None
        assert form.narrowing == {"district_id": places["district"]}
        parts = db.session.scalars(select(Part.district_id).where(*form.part_conditions())).all()
        assert parts and set(parts) == {places["district"]}


def test_descending_sorts_start_with_the_largest_unless_asked(app):
    with app.test_request_context("/?sort=pace"):
        assert ListForm.read(sorts=("rank", "pace"), descending_sorts=("pace",)).descending
    with app.test_request_context("/?sort=pace&order=asc"):
        assert not ListForm.read(sorts=("rank", "pace"), descending_sorts=("pace",)).descending
    with app.test_request_context("/"):
        form = ListForm.read(sorts=("rank", "pace"), descending_sorts=("pace",), filters=("all", "behind"))
        assert form.sort_by == "rank" and not form.descending and form.filter_by == "all"


def test_a_list_in_memory_pages_like_a_select(app):
    with app.test_request_context("/?page=3"):
        pages = ListForm.read().paginate_list(list(range(7)), 3)
        assert (pages.page, pages.pages, pages.total, pages.items) == (3, 3, 7, [6])
        assert isinstance(pages, ListPagination) and pages.has_prev and not pages.has_next
    with app.test_request_context("/?page=9"):
        assert ListForm.read().paginate_list(list(range(7)), 3).items == [6]  # the last page
    with app.test_request_context("/?page=2"):
        users = ListForm.read().paginate(select(User).order_by(User.id), 2)
        assert all(isinstance(user, User) for user in users) and users.page == 2
        rows = ListForm.read().paginate(select(Part, Constituency.number).join(Part.constituency), 2)
        assert all(isinstance(part, Part) and isinstance(number, int) for part, number in rows)


def test_no_thread_is_started_or_locked_in_the_app():
    app_dir = Path(__file__).resolve().parent.parent / "app"
    threaded = re.compile(r"^\s*(import|from) threading\b", re.M)
    found = [
        path.relative_to(app_dir).as_posix()
        for path in app_dir.rglob("*.py")
        if threaded.search(path.read_text())
    ]
    # tasks.py: a job's heartbeat beside it in a queue consumer (Heartbeat), never in a web worker.
    assert found == ["tasks.py"]
