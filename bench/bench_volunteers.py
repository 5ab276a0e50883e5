"""Volunteers at state scale: the nearest 10 of 50,000 for one part, and a district's need board.

`volunteer_nearest10_of_50000_ms` loads 50,000 volunteers' candidates once (location, available
today, busy at the board's hours) and times `matching.nearest` for one part (target < 20 ms); the
ratio is against the same call over 1,000 candidates. `need_board_district_ms` is the need board
(GET /volunteers/need) as the collector of the district nearest 1,200 parts, topped up to 5,000
volunteers (target < 300 ms); the ratio is against the same page at tiny scale.
"""

from __future__ import annotations

import random
import sys
from datetime import time

from bench.harness import report

CANDIDATES = 50_000
SMALL = 1_000
DISTRICT_PARTS = 1_200
DISTRICT_VOLUNTEERS = 5_000
NEED_BOARD = "/volunteers/need"
HOURS = (time(9), time(17))


def _candidates(limit: int):
    """The first `limit` approved volunteers as matching candidates for today at the board's hours:
    three queries (volunteers, today's windows, offers holding them then)."""
    from sqlalchemy import select

    from app.campaign.clock import campaign_today
    from app.extensions import db
    from app.volunteers import matching
    from app.volunteers.models import HOLDING, Assignment, AvailabilityWindow, Volunteer, VolunteerStatus

    today = campaign_today()
    rows = db.session.execute(
        select(Volunteer.id, Volunteer.lat, Volunteer.lon)
        .where(Volunteer.status == VolunteerStatus.APPROVED)
        .order_by(Volunteer.id)
        .limit(limit)
    ).all()
    available = set(
        db.session.scalars(
            select(AvailabilityWindow.volunteer_id).where(
                AvailabilityWindow.starts_on <= today,
                AvailabilityWindow.ends_on >= today,
                AvailabilityWindow.start_time <= HOURS[0],
                AvailabilityWindow.end_time >= HOURS[1],
            )
        )
    )
    busy = set(
        db.session.scalars(
            select(Assignment.volunteer_id).where(
                Assignment.status.in_(HOLDING),
                Assignment.starts_on <= today,
                Assignment.ends_on >= today,
                Assignment.start_time < HOURS[1],
                Assignment.end_time > HOURS[0],
            )
        )
    )
    found = [(v, lat, lon, v in available, v in busy, False) for v, lat, lon in rows]
    rng = random.Random(50_000)
    while len(found) < limit:  # a smaller database: more candidates around the same homes
        v, lat, lon, *flags = found[rng.randrange(len(rows))]
        found.append((10_000_000 + len(found), lat + rng.gauss(0, 0.02), lon + rng.gauss(0, 0.02), *flags))
    return matching.Candidates.of(found)


def _nearest(bench) -> None:
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Part
    from app.volunteers import matching

    with bench.app.app_context():
        many, few = _candidates(CANDIDATES), _candidates(SMALL)
        lat, lon = db.session.execute(select(Part.lat, Part.lon).where(Part.lat.is_not(None)).limit(1)).one()
    assert len(many) == CANDIDATES
    match = matching.nearest(lat, lon, many, k=10)
    assert len(match.suggestions) == 10, match
    at_scale = bench.median_ms(lambda: matching.nearest(lat, lon, many, k=10), repeat=51, warmup=5)
    small = bench.median_ms(lambda: matching.nearest(lat, lon, few, k=10), repeat=51, warmup=5)
    report("volunteer_nearest10_of_50000_ms", at_scale, "ms")
    report("volunteer_nearest10_50000_over_1000", at_scale / small, "ratio")


def _district_near(parts: int) -> tuple[int, str, int]:
    """The district whose part count is nearest `parts`: (id, its collector's login, parts)."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Part, Role, User

    counts = db.session.execute(
        select(Part.district_id, func.count(Part.id)).group_by(Part.district_id)
    ).all()
    district_id, count = min(counts, key=lambda row: abs(row[1] - parts))
    login = db.session.scalar(
        select(User.login).where(User.role == Role.COLLECTOR, User.district_id == district_id)
    )
    return district_id, login, count


def _top_up(district_id: int, wanted: int) -> int:
    """Add approved volunteers (accounts, profiles, availability) near the district's parts until
    it has `wanted`, in bulk; returns how many it has."""
    from sqlalchemy import func, insert, select

    from app.campaign.services import current_campaign
    from app.demo import demo_password_hash
    from app.extensions import db
    from app.models import Part, Role, User
    from app.timeutil import utcnow
    from app.volunteers.models import AvailabilityWindow, Organisation, Volunteer, VolunteerStatus

    have = db.session.scalar(select(func.count(Volunteer.id)).where(Volunteer.district_id == district_id))
    missing = wanted - have
    if missing <= 0:
        return have
    parts = db.session.execute(select(Part.lat, Part.lon).where(Part.district_id == district_id)).all()
    rng = random.Random(district_id)
    now, password = utcnow(), demo_password_hash()
    logins = [f"bench.vol.{district_id}.{n}" for n in range(missing)]
    db.session.execute(
        insert(User),
        [
            dict(login=login, name=f"Bench volunteer {n}", mobile=f"5{district_id:03d}{n:06d}",
                 password_hash=password, role=Role.VOLUNTEER, locale="hi", active=True,
                 district_id=district_id)
            for n, login in enumerate(logins)
        ],
    )  # fmt: skip
    user_ids = dict(db.session.execute(select(User.login, User.id).where(User.login.in_(logins))).all())
    organisations = list(Organisation)
    profiles = []
    for n, login in enumerate(logins):
        lat, lon = parts[n % len(parts)]
        profiles.append(
            dict(user_id=user_ids[login], district_id=district_id, name=f"Bench volunteer {n}",
                 mobile=f"5{district_id:03d}{n:06d}", organisation=organisations[n % len(organisations)],
                 institution="", languages=["hi"], address="", lat=lat + rng.gauss(0, 0.03),
                 lon=lon + rng.gauss(0, 0.03), geocode_status="off", status=VolunteerStatus.APPROVED,
                 approved_at=now, registered_at=now, version=1)
        )  # fmt: skip
    db.session.execute(insert(Volunteer), profiles)
    campaign = current_campaign()
    volunteer_ids = db.session.execute(
        select(Volunteer.id, Volunteer.user_id).where(Volunteer.user_id.in_(list(user_ids.values())))
    ).all()
    db.session.execute(
        insert(AvailabilityWindow),
        [
            dict(volunteer_id=v, district_id=district_id, user_id=u, starts_on=campaign.enumeration_start,
                 ends_on=campaign.enumeration_end, start_time=time(8), end_time=time(18))
            for v, u in volunteer_ids
        ],
    )  # fmt: skip
    db.session.commit()
    return wanted


def _need_board_exists(app) -> bool:
    from werkzeug.exceptions import NotFound

    try:
        app.url_map.bind("localhost").match(NEED_BOARD, method="GET")
    except NotFound:
        return False
    return True


def _need_board(bench) -> None:
    app = bench.app
    if not _need_board_exists(app):
        print(f"need_board_district_ms not measured: this build has no {NEED_BOARD} route", file=sys.stderr)
        return
    with app.app_context():
        district_id, login, parts = _district_near(DISTRICT_PARTS)
        volunteers = _top_up(district_id, DISTRICT_VOLUNTEERS)
    print(f"need board: district {district_id}, {parts} parts, {volunteers} volunteers", file=sys.stderr)

    def page(client):
        def get():
            response = client.get(NEED_BOARD)
            assert response.status_code == 200, (NEED_BOARD, response.status_code)

        return get

    at_scale = bench.median_ms(page(bench.client(login)), repeat=9)
    tiny = bench.median_ms(page(bench.client("collector.bhopal", app=bench.tiny_app)), repeat=9)
    report("need_board_district_ms", at_scale, "ms")
    report("need_board_district_over_tiny", at_scale / tiny, "ratio")


def run(bench) -> None:
    _nearest(bench)
    _need_board(bench)
