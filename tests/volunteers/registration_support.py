"""Helpers for the registration, approval and import tests: a sign-up's form data and volunteers
made directly through the intake service."""

from __future__ import annotations

import re
from datetime import time, timedelta

from sqlalchemy import select

from app.campaign.clock import campaign_today
from app.extensions import db
from app.models import District
from app.volunteers import intake
from app.volunteers.models import Volunteer, VolunteerStatus


def district_id(name: str = "Bhopal") -> int:
    return db.session.scalar(select(District.id).where(District.name_en == name))


def form_values(client, url: str = "/volunteers/register") -> dict[str, str]:
    """The hidden fields of the sign-up page: its CSRF token and its one-time form token."""
    html = client.get(url).get_data(as_text=True)
    values = dict(
        re.findall(r'<input id="(csrf_token|form_token)" name="\1" type="hidden" value="([^"]*)"', html)
    )
    assert set(values) == {"csrf_token", "form_token"}, "no hidden tokens on the sign-up page"
    return values


def sign_up(app, client, **changes) -> dict[str, str]:
    """A complete sign-up for Bhopal, with `changes` on top (None removes a field)."""
    with app.app_context():
        today = campaign_today()
        bhopal = district_id()
    data = {
        **form_values(client),
        "name": "Asha Verma",
        "mobile": "+91 98260-12345",
        "district_id": str(bhopal),
        "organisation": "nss",
        "institution": "Govt. MLB College",
        "languages": ["hi", "en"],
        "other_languages": "Bundeli",
        "lat": "23.2599",
        "lon": "77.4126",
        "address": "",
        "windows-0-starts_on": (today + timedelta(days=1)).isoformat(),
        "windows-0-ends_on": (today + timedelta(days=7)).isoformat(),
        "windows-0-start_time": "09:00",
        "windows-0-end_time": "13:00",
        "password": "asha-pass-2025",
        "confirm": "asha-pass-2025",
    }
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def make_volunteer(
    name: str,
    mobile: str,
    district: str = "Bhopal",
    status: VolunteerStatus = VolunteerStatus.PENDING,
    **extra,
) -> Volunteer:
    today = campaign_today()
    data = intake.NewVolunteer(
        name=name,
        mobile=mobile,
        district_id=district_id(district),
        organisation="ncc",
        institution="Barkatullah University",
        languages=["hi"],
        windows=[intake.Window(today + timedelta(days=1), today + timedelta(days=5), time(9), time(17))],
        **extra,
    )
    volunteer = intake.create_volunteer(data, password="volunteer-pass", status=status)
    db.session.commit()
    return volunteer
