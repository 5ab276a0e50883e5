"""The public sign-up answers a number already registered as it answers a new one, in about the
same time: the known number's path hashes the password it throws away, as a new account's does.

`registration_new_number_ms` and `registration_known_number_ms` are the medians of full sign-ups
(POST /volunteers/register, production password hashing) on the tiny demo; the ratio is known over
new (about 1: a gap worth timing would tell which numbers are registered).
"""

from __future__ import annotations

from datetime import timedelta

from bench.harness import report

KNOWN = "9826012345"
REPEAT = 15


def _form(app, mobile: str) -> dict:
    from sqlalchemy import select

    from app.campaign.clock import campaign_today
    from app.extensions import db
    from app.models import District

    with app.app_context():
        today = campaign_today()
        bhopal = db.session.scalar(select(District.id).where(District.name_en == "Bhopal"))
    return {
        "name": "Asha Verma",
        "mobile": mobile,
        "district_id": str(bhopal),
        "organisation": "nss",
        "lat": "23.2599",
        "lon": "77.4126",
        "windows-0-starts_on": (today + timedelta(days=1)).isoformat(),
        "windows-0-ends_on": (today + timedelta(days=7)).isoformat(),
        "windows-0-start_time": "09:00",
        "windows-0-end_time": "13:00",
        "password": "asha-pass-2025",
        "confirm": "asha-pass-2025",
    }


def timings(app) -> tuple[float, float]:
    """Median ms of a sign-up with a new number each time, and with one number already registered."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    numbers = iter(range(9_700_000_000, 9_800_000_000))

    def post(mobile: str) -> None:
        response = client.post("/volunteers/register", data=_form(app, mobile))
        assert response.status_code == 200, response.status_code

    post(KNOWN)  # registered once: from here on it is known
    new = _median(lambda: post(str(next(numbers))))
    known = _median(lambda: post(KNOWN))
    return new, known


def _median(action) -> float:
    from bench.harness import Bench

    return Bench.median_ms(action, repeat=REPEAT)


def run(bench) -> None:
    new, known = timings(bench.tiny_app)
    report("registration_new_number_ms", new, "ms")
    report("registration_known_number_ms", known, "ms")
    report("registration_known_vs_new_ratio", known / new, "ratio")
