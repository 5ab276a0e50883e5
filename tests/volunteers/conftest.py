"""Offers are refused for hours already over (issue 20), and the volunteers' tests offer today's
hours from 09:00: each test runs at 08:00 of the campaign's real today, not at whatever hour the
suite happens to run. A test that needs another moment freezes its own (mine_support.freeze)."""

from datetime import datetime, time

import pytest

from app.campaign.clock import campaign_today, campaign_zone


@pytest.fixture(autouse=True)
def morning_of_today(request):
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        moment = datetime.combine(campaign_today(), time(8), campaign_zone())
    if app.config.get("CLOCK") is None:
        app.config["CLOCK"] = lambda: moment
