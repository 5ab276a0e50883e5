"""Maps of parts (scoped points, figures from the latest report) and the chart data helpers."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, select

from app.campaign.clock import campaign_today
from app.extensions import db
from app.figures.models import DailyReport
from app.maps.services import band
from app.models import Constituency, District, Part
from app.progress.charts import cumulative_chart, pace_chart


def _district_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(District.id).where(District.name_en == name))


def _ac_id(app, number: int) -> int:
    with app.app_context():
        return db.session.scalar(select(Constituency.id).where(Constituency.number == number))


def _part_id(app, ac: int, number: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(Part.id)
            .join(Constituency, Part.constituency_id == Constituency.id)
            .where(Constituency.number == ac, Part.number == number)
        )


def _latest_report(app, part_id: int, day: date) -> tuple[int, int, date]:
    """(digitized, electors, report day) of the part's latest report on or before `day`, read directly."""
    with app.app_context():
        report = db.session.scalars(
            select(DailyReport)
            .where(DailyReport.part_id == part_id, DailyReport.report_date <= day)
            .order_by(DailyReport.report_date.desc())
            .limit(1)
        ).one()
        return report.digitized, db.session.get(Part, part_id).electors, report.report_date


def _points(client, query: str) -> dict:
    response = client.get(f"/maps/data.json?{query}")
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/json"
    return response.get_json()


# -- data.json ----------------------------------------------------------------------------


def test_collector_gets_the_points_of_her_district_only(app, client, auth):
    auth.login("collector.bhopal")
    bhopal, raisen = _district_id(app, "Bhopal"), _district_id(app, "Raisen")
    data = _points(client, f"district_id={bhopal}")
    with app.app_context():
        expected = db.session.scalar(select(func.count(Part.id)).where(Part.district_id == bhopal))
    assert expected == 12
    assert len(data["points"]) == expected == data["parts"]
    assert {p["label"].split("-")[0] for p in data["points"]} == {"1", "2"}  # Bhopal's ACs
    assert client.get(f"/maps/data.json?district_id={raisen}").status_code == 403
    assert client.get(f"/maps/data.json?constituency_id={_ac_id(app, 5)}").status_code == 403
    assert client.get("/maps/data.json?district_id=999999").status_code == 404


def test_points_are_narrowed_to_the_users_parts(app, client, auth):
    auth.login("sup.1.1")
    data = _points(client, f"district_id={_district_id(app, 'Bhopal')}")
    assert sorted(p["label"] for p in data["points"]) == [f"1-{n}" for n in range(1, 7)]
    auth.logout()
    auth.login("ero.1")
    data = _points(client, f"constituency_id={_ac_id(app, 1)}")
    assert len(data["points"]) == 6
    assert client.get(f"/maps/data.json?constituency_id={_ac_id(app, 2)}").status_code == 403


def test_point_figures_come_from_the_latest_report(app, client, auth):
    auth.login("state")
    part_id = _part_id(app, 1, 3)
    with app.app_context():
        today = campaign_today()
    for day in (today, today - timedelta(days=10)):
        data = _points(client, f"constituency_id={_ac_id(app, 1)}&date={day.isoformat()}")
        assert data["day"] == day.isoformat()
        point = next(p for p in data["points"] if p["id"] == part_id)
        digitized, electors, report_day = _latest_report(app, part_id, day)
        assert point["pct"] == pytest.approx(digitized * 100 / electors, abs=0.005)
        assert point["band"] == band(point["pct"])
        assert point["reported_today"] is (report_day == day)
        assert point["label"] == "1-3"
        assert point["url"].endswith(f"/parts/{part_id}")
        with app.app_context():
            part = db.session.get(Part, part_id)
            assert (point["lat"], point["lon"]) == (part.lat, part.lon)
            assert point["name"] == part.name_en


def test_reported_today_matches_todays_reports(app, client, auth):
    auth.login("collector.bhopal")
    bhopal = _district_id(app, "Bhopal")
    with app.app_context():
        today = campaign_today()
        reported = set(
            db.session.scalars(
                select(DailyReport.part_id).where(
                    DailyReport.district_id == bhopal, DailyReport.report_date == today
                )
            )
        )
    data = _points(client, f"district_id={bhopal}")
    assert 0 < len(reported) < 12  # the demo's today is only partly reported
    assert {p["id"] for p in data["points"] if p["reported_today"]} == reported
    assert data["reported"] == len(reported)


def test_part_without_reports_is_grey_and_part_without_location_is_counted(app, client, auth):
    silent, unlocated = _part_id(app, 1, 2), _part_id(app, 1, 4)
    with app.app_context():
        db.session.execute(delete(DailyReport).where(DailyReport.part_id == silent))
        db.session.get(Part, unlocated).lat = None
        db.session.commit()
    auth.login("ero.1")
    data = _points(client, f"constituency_id={_ac_id(app, 1)}")
    point = next(p for p in data["points"] if p["id"] == silent)
    assert point["pct"] is None and point["band"] == "band-none" and point["reported_today"] is False
    assert unlocated not in {p["id"] for p in data["points"]}
    assert data["unlocated"] == 1 and data["parts"] == 6 and len(data["points"]) == 5


def test_data_needs_a_place_and_a_valid_date(app, client, auth):
    auth.login("state")
    response = client.get("/maps/data.json")
    assert response.status_code == 400 and "district" in response.get_json()["error"]
    response = client.get(f"/maps/data.json?district_id={_district_id(app, 'Bhopal')}&date=28-11")
    assert response.status_code == 400 and "date" in response.get_json()["error"]


def test_hindi_names_in_hindi(app, client, auth):
    auth.login("ero.1", lang="hi")
    data = _points(client, f"constituency_id={_ac_id(app, 1)}")
    with app.app_context():
        part = db.session.get(Part, data["points"][0]["id"])
        assert data["points"][0]["name"] == part.name_hi != part.name_en


# -- the pages -----------------------------------------------------------------------------


def test_district_page_carries_the_data_url_and_the_charts(app, client, auth):
    auth.login("collector.bhopal")
    bhopal = _district_id(app, "Bhopal")
    response = client.get(f"/maps/districts/{bhopal}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in html
    with app.app_context():
        today = campaign_today()
    url = f"/maps/data.json?district_id={bhopal}&amp;date={today.isoformat()}"
    assert f'data-points-url="{url}"' in html
    assert 'data-tile-url=""' in html  # no tiles configured
    for asset in (
        "leaflet-1.9.4.js",
        "leaflet-1.9.4.css",
        "js/map.js",
        "chart-4.6.1.umd.min.js",
        "js/charts.js",
    ):
        assert asset in html.split("</head>")[0]
    assert "<script>" not in html and "style=" not in html
    assert "Map of Bhopal" in html and "90 % or more" in html and "Missing today" in html
    assert f'href="/maps/constituencies/{_ac_id(app, 1)}"' in html

    charts = [json.loads(m) for m in re.findall(r"data-chart='([^']+)'", html)]
    assert [c["kind"] for c in charts] == ["cumulative", "pace"]
    cumulative = charts[0]
    assert cumulative["labels"][-1] == today.isoformat() and len(cumulative["labels"]) == 45
    assert cumulative["target"] == 10.0 and cumulative["start"] == cumulative["labels"][0]
    with app.app_context():
        electors = db.session.scalar(
            select(func.sum(Constituency.electors)).where(Constituency.district_id == bhopal)
        )
        part_ids = db.session.scalars(select(Part.id).where(Part.district_id == bhopal)).all()
    digitized = sum(_latest_report(app, p, today)[0] for p in part_ids)
    assert cumulative["values"][-1] == pytest.approx(digitized * 100 / electors, abs=0.005)
    assert f"on {today:%d/%m}" in html  # the accessible summary


def test_map_area_fragment_for_htmx(app, client, auth):
    auth.login("ero.1")
    ac = _ac_id(app, 1)
    with app.app_context():
        day = campaign_today() - timedelta(days=3)
    response = client.get(f"/maps/constituencies/{ac}?date={day.isoformat()}", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    assert html.lstrip().startswith('<div id="map-area">') and "<html" not in html
    assert f"constituency_id={ac}&amp;date={day.isoformat()}" in html
    assert "Missing on" in html  # a past day is not "today"
    charts = [json.loads(m) for m in re.findall(r"data-chart='([^']+)'", html)]
    assert charts[0]["labels"][-1] == day.isoformat()
    full = client.get(f"/maps/constituencies/{ac}").get_data(as_text=True)
    assert "<html" in full and "Map of AC 1" in full


def test_page_with_a_bad_date_says_so(app, client, auth):
    auth.login("state")
    response = client.get(f"/maps/districts/{_district_id(app, 'Raisen')}?date=yesterday")
    assert response.status_code == 400
    assert "The date must look like" in response.get_data(as_text=True)


def test_blo_and_volunteer_get_no_map(app, client, auth):
    auth.login("blo.1.1")
    assert client.get(f"/maps/districts/{_district_id(app, 'Bhopal')}").status_code == 403
    assert client.get(f"/maps/data.json?district_id={_district_id(app, 'Bhopal')}").status_code == 403


# -- chart data helpers -------------------------------------------------------------------------

START = date(2025, 11, 4)


def _series(*values):
    return [(START + timedelta(days=k), v) for k, v in enumerate(values)]


def test_cumulative_chart_values_gaps_and_target():
    chart = cumulative_chart(
        _series(0, 100, None, 450, 1000), 1000, START, Decimal("10"), label="Digitized", language="hi"
    )
    assert chart["kind"] == "cumulative"
    assert chart["labels"] == ["2025-11-04", "2025-11-05", "2025-11-06", "2025-11-07", "2025-11-08"]
    assert chart["values"] == [0.0, 10.0, None, 45.0, 100.0]
    assert chart["target"] == 10.0 and chart["start"] == "2025-11-04"
    assert chart["label"] == "Digitized" and chart["lang"] == "hi"
    assert chart["target_label"] and chart["y_label"]
    json.dumps(chart)  # what the template writes into data-chart


def test_cumulative_chart_without_electors_has_no_values():
    assert cumulative_chart(_series(0, 5), 0, START, 10)["values"] == [None, None]


def test_pace_chart_is_the_difference_from_the_day_before():
    chart = pace_chart(_series(50, 150, None, 400, 420), 1000, Decimal("7.5"), before=0)
    assert chart["kind"] == "pace" and chart["target"] == 7.5
    # day 1 from 0; no report on day 3: no bar; day 4 measured from day 2's figure carried forward
    assert chart["values"] == [5.0, 10.0, None, 25.0, 2.0]
    assert pace_chart(_series(50, 80), 1000, 10, before=None)["values"] == [None, 3.0]
    assert pace_chart(_series(None, 80), 1000, 10, before=None)["values"] == [None, None]


def test_map_bands():
    assert [band(v) for v in (None, 0, 24.99, 25, 49.9, 50, 74.9, 75, 89.99, 90, 100)] == [
        "band-none",
        "band-0",
        "band-0",
        "band-25",
        "band-25",
        "band-50",
        "band-50",
        "band-75",
        "band-75",
        "band-90",
        "band-90",
    ]


def test_tile_layer_settings_reach_the_map(app, database_url):
    from tests.conftest import AuthActions, make_app

    tiles = "https://{s}.tile.example.org/{z}/{x}/{y}.png"
    tiled = make_app(database_url, {"MAP_TILE_URL": tiles, "MAP_TILE_ATTRIBUTION": "© Example"})
    client = tiled.test_client()
    AuthActions(client).login("state")
    response = client.get(f"/maps/constituencies/{_ac_id(app, 5)}")
    html = response.get_data(as_text=True)
    assert f'data-tile-url="{tiles}"' in html and 'data-tile-attribution="© Example"' in html
    assert "https://*.tile.example.org" in response.headers["Content-Security-Policy"]
