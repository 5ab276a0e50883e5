"""Campaign settings: read by all, set by the state office, every change audited."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Campaign


def _post(client, auth, **fields):
    token = auth.token("/campaign/")
    data = {
        "name": "SIR 2025-26",
        "enumeration_start": "2025-11-04",
        "enumeration_end": "2025-12-18",
        "daily_target_percent": "12.5",
        "timezone": "Asia/Kolkata",
        "report_cutoff_hour": "11",
        "csrf_token": token,
    }
    data.update(fields)
    return client.post("/campaign/", data=data, headers={"HX-Request": "true", "X-CSRFToken": token})


def test_state_officer_sets_the_daily_target(app, client, auth):
    auth.login("state")
    response = _post(client, auth)
    assert response.status_code == 204
    with app.app_context():
        campaign = db.session.scalar(select(Campaign))
        assert campaign.daily_target_percent == Decimal("12.50") and campaign.report_cutoff_hour == 11
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "campaign.update"))
        assert entry.before["daily_target_percent"] == "10.00"
        assert entry.after["daily_target_percent"] == "12.50"


def test_bad_settings_are_refused_with_messages(app, client, auth):
    auth.login("state")
    response = _post(
        client, auth, enumeration_end="2025-11-01", daily_target_percent="0", timezone="Mars/Base"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="campaign-form"' in html
    assert "end date must not be before" in html and "Unknown time zone" in html
    with app.app_context():
        assert db.session.scalar(select(Campaign.daily_target_percent)) == Decimal("10.00")


def test_collector_reads_but_cannot_change(client, auth):
    auth.login("collector.bhopal")
    page = client.get("/campaign/").get_data(as_text=True)
    assert "campaign-form" not in page and "10.00 %" in page
    assert _post(client, auth).status_code == 403
