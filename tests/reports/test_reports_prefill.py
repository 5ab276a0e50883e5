"""The report form opens with the last report's figures; no change is a report; the live check never
praises broken figures; a past day may not rise above a later report without a reason."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select

from app.campaign.clock import campaign_today
from app.extensions import db
from app.figures.models import DailyReport
from app.figures.rollups import recompute_constituency_days
from app.models import AuditEntry, Constituency, Part
from app.reports.services import previous_report
from tests.reports.test_reports import _advance, _field_error, _post, _reports


@pytest.fixture
def part_1_1(app):
    """Part 1-1 with no report today or yesterday: its id, previous figures and electors."""
    with app.app_context():
        today = campaign_today()
        part = db.session.scalar(
            select(Part)
            .join(Constituency, Part.constituency_id == Constituency.id)
            .where(Constituency.number == 1, Part.number == 1)
        )
        db.session.execute(
            delete(DailyReport).where(
                DailyReport.part_id == part.id, DailyReport.report_date >= today - timedelta(days=1)
            )
        )
        recompute_constituency_days([part.constituency_id], today - timedelta(days=1))
        db.session.commit()
        return part.id, previous_report(part.id, today).figures(), part.electors


def test_the_form_opens_with_the_last_reports_figures_marked(app, client, auth, part_1_1):
    part_id, previous, _ = part_1_1
    auth.login("blo.1.1")
    for headers in ({}, {"HX-Request": "true"}):
        html = client.get(f"/reports/parts/{part_id}", headers=headers).get_data(as_text=True)
        assert f'name="digitized" value="{previous["digitized"]}"' in html
        assert "Filled in from your report of" in html
        assert html.count("as last report") == 10 and 'class="previous as-last"' in html
    assert ("<html" in client.get(f"/reports/parts/{part_id}").get_data(as_text=True)) is True
    fragment = client.get(f"/reports/parts/{part_id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment


def test_saving_unchanged_figures_is_a_no_change_report(app, client, auth, part_1_1):
    part_id, previous, _ = part_1_1
    auth.login("blo.1.1")
    response = _post(client, auth, part_id, previous)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "as no change today" in html
    [report] = _reports(app, part_id)
    assert report.figures() == previous
    with app.app_context():
        entry = db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "report.create").order_by(AuditEntry.id.desc())
        )
        assert entry.after["no_change"] is True
    plain = _post(client, auth, part_id, previous, htmx=False)
    assert "as no change today" in client.get(plain.headers["Location"]).get_data(as_text=True)
    assert (
        "not reported"
        not in client.get("/progress/parts")
        .get_data(as_text=True)
        .split(f'id="row-{part_id}"')[1]
        .split("</tr>")[0]
    )


def test_the_live_check_does_not_praise_impossible_figures(app, client, auth, part_1_1):
    part_id, previous, electors = part_1_1
    auth.login("blo.1.1")
    impossible = dict(previous, digitized=int(electors * 1.235))
    for htmx in (False, True):
        response = _post(client, auth, part_id, impossible, path="/check", htmx=htmx)
        html = response.get_data(as_text=True)
        assert ("<html" in html) is not htmx
        check = html.split(f'id="check-{part_id}"')[-1] if not htmx else html
        assert "These figures cannot be saved yet." in check
        assert "pace-ahead" not in check and "Target met" not in check and "123" not in check
        assert _field_error(html, part_id, "digitized")
    good = _post(client, auth, part_id, _advance(previous, electors), path="/check").get_data(as_text=True)
    assert "cannot be saved yet" not in good and "Pace:" in good


def test_a_form_for_yesterday_above_todays_report_needs_a_reason(app, client, auth, part_1_1):
    part_id, previous, electors = part_1_1
    auth.login("blo.1.1")
    today_figures = _advance(previous, electors, step=4)
    assert _post(client, auth, part_id, today_figures).status_code == 200
    with app.app_context():
        today = campaign_today()
        yesterday = today - timedelta(days=1)
    # 09:00 in Bhopal: yesterday's report is open until the 12:00 cut-off
    app.config["CLOCK"] = lambda: datetime.combine(today, time(9), ZoneInfo("Asia/Kolkata"))
    higher = _advance(today_figures, electors, step=6)
    response = _post(client, auth, part_id, higher, report_date=yesterday.isoformat())
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Higher than the later report" in _field_error(html, part_id, "digitized")
    assert "above the later report" in html
    assert _reports(app, part_id, yesterday) == []
    check = _post(client, auth, part_id, higher, path="/check", report_date=yesterday.isoformat())
    assert "cannot be saved yet" in check.get_data(as_text=True)
    reason = "Today's count was short"
    saved = _post(client, auth, part_id, higher, report_date=yesterday.isoformat(), correction_reason=reason)
    assert saved.status_code == 200, saved.get_data(as_text=True)
    [report] = _reports(app, part_id, yesterday)
    assert report.digitized == higher["digitized"] and report.correction_reason == reason
    with app.app_context():
        entry = db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "report.create").order_by(AuditEntry.id.desc())
        )
        assert entry.after["correction"]["above_later"]["day"] == campaign_today().isoformat()
