"""The inspections' downloads: visits (one row per stop) and coverage, as CSV with a BOM and as XLSX,
each scoped to the reader."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.inspections.models import PartFlag
from app.models import District
from tests.conftest import AuthActions
from tests.inspections.support import bhopal


def _client(app, login: str):
    client = app.test_client()
    AuthActions(client).login(login)
    return client


def _csv(response) -> list[list[str]]:
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf"), "no byte order mark"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _xlsx(response) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(response.get_data()), read_only=True).active
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_the_visits_download_has_a_row_per_stop_in_csv_and_xlsx(app):
    with app.app_context():
        flag = db.session.scalar(select(PartFlag))
        difficulty_id = flag.difficulty_id
    collector = _client(app, "collector.bhopal")
    response = collector.get("/exports/inspection_visits.csv")
    assert response.status_code == 200 and response.content_type.startswith("text/csv")
    assert "sir-inspection-visits-" in response.headers["Content-Disposition"]
    rows = _csv(response)
    header, body = rows[0], rows[1:]
    assert header[:6] == ["Day", "Inspector", "AC no.", "Part no.", "Polling station", "Status"]
    assert len(body) == 4  # yesterday's two visits, tomorrow's two stops
    by_part = {(r[2], r[3]): dict(zip(header, r, strict=True)) for r in body}
    short = by_part[("2", "4")]
    assert short["Status"] == "Visited" and short["Difficulty no."] == f"#{difficulty_id}"
    assert short["Findings"].startswith("Forms digitized: ")
    assert int(short["Digitized: verified"]) < int(short["Digitized: reported"])
    assert short["Distance from the part (m)"] == "0" and short["Action items"] == "0"
    assert by_part[("2", "5")]["Findings"] == "" and by_part[("2", "3")]["Status"] == "Not visited"

    book = _xlsx(collector.get("/exports/inspection_visits.xlsx"))
    assert book[0][:3] == ("Day", "Inspector", "AC no.") and len(book) == 5
    assert {(r[2], r[3]) for r in book[1:]} == {(2, 4), (2, 5), (2, 3), (2, 6)}


def test_the_visits_download_is_scoped_and_windowed(app):
    # ERO 2 sees only their own inspection (tomorrow's); ERO 1 and a supervisor have none.
    assert len(_csv(_client(app, "ero.2").get("/exports/inspection_visits.csv"))) == 3
    assert len(_csv(_client(app, "ero.1").get("/exports/inspection_visits.csv"))) == 1
    assert len(_csv(_client(app, "sup.1.1").get("/exports/inspection_visits.csv"))) == 1
    assert len(_csv(_client(app, "state").get("/exports/inspection_visits.csv"))) == 5
    assert _client(app, "blo.2.4").get("/exports/inspection_visits.csv").status_code == 403
    collector = _client(app, "collector.bhopal")
    with app.app_context():
        raisen = db.session.scalar(select(District.id).where(District.name_en == "Raisen"))
    assert collector.get(f"/exports/inspection_visits.csv?district_id={raisen}").status_code in (403, 404)
    # the last day only: tomorrow's planned stops (from today on), not yesterday's visits
    assert len(_csv(collector.get("/exports/inspection_visits.csv?days=1"))) == 3
    assert collector.get("/exports/inspection_visits.csv?days=0").status_code == 400


def test_the_coverage_download_matches_the_page(app):
    collector = _client(app, "collector.bhopal")
    with app.app_context():
        district_id = bhopal().id
    rows = _csv(collector.get(f"/exports/inspection_coverage.csv?district_id={district_id}&days=7"))
    assert rows[0] == ["AC no.", "AC", "Parts", "Inspected", "Share inspected (%)", "Flagged"]
    assert rows[1:] == [
        ["1", "Bhopal-1", "6", "0", "0.00", "0"],
        ["2", "Bhopal-2", "6", "2", "33.33", "1"],
        ["", "Total", "12", "2", "16.67", "1"],
    ]
    book = _xlsx(collector.get("/exports/inspection_coverage.xlsx?days=7"))
    assert book[2][:4] == (2, "Bhopal-2", 6, 2) and abs(book[2][4] - 1 / 3) < 1e-3  # a fraction, shown as %
    ero = _client(app, "ero.1")
    assert [r[0] for r in _csv(ero.get("/exports/inspection_coverage.csv"))[1:]] == ["1"]
    assert _client(app, "sup.1.1").get("/exports/inspection_coverage.csv").status_code == 403
    assert collector.get("/exports/inspection_coverage.csv?days=91").status_code == 400
