"""Once an inspection is finished (or cancelled), a stop it did not reach reads "Not reached", never
"To visit": on the plan, the report and its print, the visit page, the route map's data, the calendar
and the visits download, in English and in Hindi."""

from __future__ import annotations

import csv
import io
import json
import re

from app.campaign.clock import campaign_today
from app.extensions import db
from app.inspections import services
from app.inspections.models import Inspection
from tests.conftest import AuthActions, hindi
from tests.inspections.support import part, plan, user


def _client(app, login: str = "collector.bhopal", lang: str = "en"):
    client = app.test_client()
    AuthActions(client).login(login, lang=lang)
    return client


def _two_stops_one_visited(app, finished: bool = True) -> tuple[int, int, int]:
    """Today's inspection of 1-1 and 1-2: 1-1 visited, 1-2 never reached; finished when asked.
    Returns (inspection id, visited stop id, unreached stop id)."""
    with app.test_request_context():
        inspection = plan([part(1, 1), part(1, 2)])
        visited, unreached = sorted(inspection.stops, key=lambda s: s.part.number)
        services.record_visit(
            user("collector.bhopal"),
            visited,
            services.VisitInput(),
            services.settings_for(inspection.district_id),
            None,
            visited.version,
            campaign_today(),
        )
        if finished:
            services.finish(user("collector.bhopal"), inspection, inspection.version)
        db.session.commit()
        return inspection.id, visited.id, unreached.id


def _stop_line(html: str, section_id: str) -> str:
    start = html.index(f'id="{section_id}"')
    return html[start : html.index("</p>", start)]


def test_a_finished_inspection_reports_its_unreached_stop_as_not_reached(app):
    inspection_id, _visited_id, unreached_id = _two_stops_one_visited(app)
    client = _client(app)
    report = client.get(f"/inspections/{inspection_id}/report").get_data(as_text=True)
    line = _stop_line(report, f"report-stop-{unreached_id}")
    assert "Not reached" in line and "To visit" not in line
    assert "To visit" not in report

    plan_page = client.get(f"/inspections/{inspection_id}").get_data(as_text=True)
    row = plan_page[plan_page.index(f'id="stop-{unreached_id}"') :]
    row = row[: row.index("</li>")]
    assert "Not reached" in row and "To visit" not in row

    visit = client.get(f"/inspections/{inspection_id}/stops/{unreached_id}").get_data(as_text=True)
    assert "Not reached" in visit and "To visit" not in visit

    data = json.loads(re.search(r"data-map='([^']+)'", plan_page)[1].replace("&#39;", "'"))
    statuses = sorted((stop["status"], stop["status_label"]) for stop in data["stops"])
    assert statuses == [("not_reached", "Not reached"), ("visited", "Visited")]


def test_the_report_says_not_reached_in_hindi(app):
    inspection_id, _visited_id, unreached_id = _two_stops_one_visited(app)
    report = _client(app, lang="hi").get(f"/inspections/{inspection_id}/report").get_data(as_text=True)
    line = _stop_line(report, f"report-stop-{unreached_id}")
    assert hindi(app, "Not reached") in line and hindi(app, "To visit") not in line


def test_a_stop_of_an_inspection_under_way_is_still_to_visit(app):
    inspection_id, _visited_id, unreached_id = _two_stops_one_visited(app, finished=False)
    report = _client(app).get(f"/inspections/{inspection_id}/report").get_data(as_text=True)
    line = _stop_line(report, f"report-stop-{unreached_id}")
    assert "To visit" in line and "Not reached" not in line


def test_the_calendar_counts_the_stops_not_reached(app):
    inspection_id, _visited_id, _unreached_id = _two_stops_one_visited(app)
    html = _client(app).get("/inspections/").get_data(as_text=True)
    row = html[html.index(f'href="/inspections/{inspection_id}"') :]
    row = row[: row.index("</tr>")]
    assert "1 not reached" in row
    hi = _client(app, lang="hi").get("/inspections/").get_data(as_text=True)
    assert hindi(app, "%(count)s not reached", count="1") in hi


def test_the_visits_download_says_not_reached_once_finished(app):
    inspection_id, _visited_id, _unreached_id = _two_stops_one_visited(app)
    with app.app_context():
        day = db.session.get(Inspection, inspection_id).day
    body = _client(app).get("/exports/inspection_visits.csv?days=1").get_data()
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    header = rows[0]
    mine = [dict(zip(header, r, strict=True)) for r in rows[1:] if r[0] == day.isoformat() and r[2] == "1"]
    assert sorted((r["Part no."], r["Status"]) for r in mine) == [("1", "Visited"), ("2", "Not reached")]
