"""Offers from the officers' side: one or in bulk (all or nothing), the limits (overlap, the hour cap,
volunteers per part), expiry on a frozen clock, a decline or an expiry putting the need back, the
offers list with its time left, cancelling with a version, and the district's limits."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from app.campaign.clock import campaign_today
from app.extensions import db
from app.models import AuditEntry
from app.volunteers import services, tasks
from app.volunteers.models import Assignment, VolunteerSettings
from tests.volunteers.need_support import part_of, signed_in, user, volunteer_near

pytestmark = pytest.mark.usefixtures("without_seeded_volunteers")


def _token(html: str) -> str:
    match = re.search(r'"X-CSRFToken": "([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match[1]


def _volunteers(app, *logins_and_parts) -> list[int]:
    """Approved profiles near the given (login, (AC, part)) pairs; their ids."""
    with app.app_context():
        ids = [volunteer_near(login, part_of(*place)).id for login, place in logins_and_parts]
        db.session.commit()
        return ids


def _ids(app, ac_number: int, part_number: int) -> int:
    with app.app_context():
        return part_of(ac_number, part_number).id


def _assignments(app) -> list[tuple[int, int, str]]:
    with app.app_context():
        return [
            (a.volunteer_id, a.part_id, a.status.value)
            for a in db.session.scalars(select(Assignment).order_by(Assignment.id))
        ]


def _fields(day, start="09:00", end="13:00", tasks_=("form_filling",), **more) -> dict:
    return {
        "starts_on": day.isoformat(),
        "ends_on": day.isoformat(),
        "start_time": start,
        "end_time": end,
        "tasks": list(tasks_),
        "note": "Bring the help desk banner",
        **more,
    }


def _today(app):
    with app.app_context():
        return campaign_today()


def test_one_offer_from_the_form_and_its_messages(app):
    (volunteer_id,) = _volunteers(app, ("vol.bhopal.1", (1, 1)))
    part_id = _ids(app, 1, 1)
    collector = signed_in(app, "collector.bhopal")
    url = f"/volunteers/offer?part_id={part_id}&volunteer_id={volunteer_id}"
    page = collector.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in html
    for task in ("Awareness", "Helping electors fill forms", "Searching the old roll", "Help desk"):
        assert task in html
    assert "acting as the BLO" not in html.lower().replace("never acts as the blo", "")
    assert 'value="act_as_blo"' not in html and 'name="tasks" value="' in html
    token = _token(html)
    day = _today(app)

    refused = collector.post(
        url, data={**_fields(day, tasks_=()), "csrf_token": token}, headers={"HX-Request": "true"}
    )
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and body.lstrip().startswith('<div id="offer">')
    assert "Choose at least one task." in body and "<html" not in body
    hours = collector.post(url, data={**_fields(day, start="14:00", end="10:00"), "csrf_token": token})
    assert hours.status_code == 422 and "The hours must end after they start." in hours.get_data(as_text=True)
    assert _assignments(app) == []

    sent = collector.post(url, data={**_fields(day), "csrf_token": token})
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/volunteers/offers/list")
    assert _assignments(app) == [(volunteer_id, part_id, "offered")]
    with app.app_context():
        assert (
            db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "volunteer.offer"))
            == 1
        )

    # Another district's volunteer or part is not the collector's to offer.
    (outsider,) = _volunteers(app, ("vol.raisen.1", (5, 1)))
    assert collector.get(f"/volunteers/offer?part_id={part_id}&volunteer_id={outsider}").status_code == 403
    assert (
        collector.get(f"/volunteers/offer?part_id={_ids(app, 5, 1)}&volunteer_id={volunteer_id}").status_code
        == 403
    )
    assert collector.get(f"/volunteers/offer?part_id={part_id}&volunteer_id=x").status_code == 400


def test_overlap_cap_and_places_per_part_are_refused(app):
    first, second, third = _volunteers(
        app, ("vol.bhopal.1", (1, 1)), ("vol.bhopal.2", (1, 1)), ("vol.bhopal.3", (1, 1))
    )
    part, other = _ids(app, 1, 1), _ids(app, 1, 2)
    collector = signed_in(app, "collector.bhopal")
    token = _token(collector.get("/volunteers/need").get_data(as_text=True))
    day = _today(app)

    def post(volunteer_id, part_id, **fields):
        return collector.post(
            f"/volunteers/offer?part_id={part_id}&volunteer_id={volunteer_id}",
            data={**_fields(day, **fields), "csrf_token": token},
            headers={"HX-Request": "true"},
        )

    assert post(first, part).status_code == 204  # HX-Redirect to the list
    overlap = post(first, other, start="12:00", end="15:00")
    assert overlap.status_code == 409 and "already holds an offer or assignment" in overlap.get_data(
        as_text=True
    )
    cap = post(first, other, start="13:00", end="18:00")  # 4 + 5 hours > 8
    assert cap.status_code == 422 and "would pass 8 hours on a day" in cap.get_data(as_text=True)
    assert post(first, other, start="13:00", end="17:00").status_code == 204  # 4 + 4 = 8: allowed

    # The collector allows one volunteer per part: the second at part 1-1 is refused.
    limits = collector.post(
        "/volunteers/settings",
        data={"max_per_part": "1", "offer_expiry_hours": "24", "daily_hour_cap": "6", "csrf_token": token},
    )
    assert limits.status_code == 303
    full = post(second, part)
    assert full.status_code == 409 and "the most allowed" in full.get_data(as_text=True)
    long_day = post(third, _ids(app, 1, 3), start="09:00", end="16:00")
    assert long_day.status_code == 422 and "At most 6 hours a day." in long_day.get_data(as_text=True)
    assert [a[:2] for a in _assignments(app)] == [(first, part), (first, other)]


def test_bulk_offers_are_all_or_nothing(app):
    first, second, busy = _volunteers(
        app, ("vol.bhopal.1", (1, 1)), ("vol.bhopal.2", (1, 2)), ("vol.bhopal.3", (1, 3))
    )
    parts = [_ids(app, 1, n) for n in (1, 2, 3)]
    day = _today(app)
    with app.app_context():
        services.offer(
            user("collector.bhopal"),
            volunteer_near("vol.bhopal.3", part_of(1, 3)),
            part_of(2, 1),
            services.OfferInput(day, day, time(9), time(17), ("awareness",)),
            today=day,
        )
        db.session.commit()
    before = _assignments(app)
    collector = signed_in(app, "collector.bhopal")
    token = _token(collector.get("/volunteers/need").get_data(as_text=True))
    pairs = [f"{first}:{parts[0]}", f"{second}:{parts[1]}", f"{busy}:{parts[2]}"]

    refused = collector.post(
        "/volunteers/offers",
        data={**_fields(day), "pair": pairs, "csrf_token": token},
        headers={"HX-Request": "true"},
    )
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and body.lstrip().startswith('<div id="need-rows">')
    assert "No offer was sent." in body and "already holds an offer" in body
    assert _assignments(app) == before  # not even the first two
    plain = collector.post("/volunteers/offers", data={**_fields(day), "pair": pairs, "csrf_token": token})
    assert plain.status_code == 422 and "<html" in plain.get_data(as_text=True)
    nothing = collector.post("/volunteers/offers", data={**_fields(day), "csrf_token": token})
    assert nothing.status_code == 422 and "Tick the volunteers to offer." in nothing.get_data(as_text=True)
    outsider = collector.post(
        "/volunteers/offers",
        data={**_fields(day), "pair": [f"{first}:{_ids(app, 5, 1)}"], "csrf_token": token},
    )
    assert outsider.status_code == 403 and _assignments(app) == before

    sent = collector.post(
        "/volunteers/offers",
        data={**_fields(day), "pair": pairs[:2], "csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert sent.status_code == 200 and "2 offers sent." in sent.get_data(as_text=True)
    made = _assignments(app)[len(before) :]
    assert made == [(first, parts[0], "offered"), (second, parts[1], "offered")]


def test_a_bulk_refusal_names_the_part_with_its_ac(app):
    """Issue 23: every AC has a part 3; the refusal says which one, in both languages."""
    (busy,) = _volunteers(app, ("vol.bhopal.3", (2, 3)))
    part = _ids(app, 2, 3)
    day = _today(app)
    with app.app_context():
        volunteer = volunteer_near("vol.bhopal.3", part_of(2, 3))
        name = volunteer.name
        services.offer(
            user("collector.bhopal"),
            volunteer,
            part_of(1, 1),
            services.OfferInput(day, day, time(9), time(17), ("awareness",)),
            today=day,
        )
        db.session.commit()
    for lang, expected in (("en", f"{name} at part 2-3: "), ("hi", f"{name}, भाग 2-3: ")):
        collector = signed_in(app, "collector.bhopal", lang=lang)
        token = _token(collector.get("/volunteers/need").get_data(as_text=True))
        refused = collector.post(
            "/volunteers/offers",
            data={**_fields(day), "pair": [f"{busy}:{part}"], "csrf_token": token},
            headers={"HX-Request": "true"},
        )
        body = refused.get_data(as_text=True)
        assert refused.status_code == 422 and expected in body, lang
        assert f"{name} at 3:" not in body and f"{name}, भाग 3:" not in body


def _freeze(app, moment: datetime) -> None:
    app.config["CLOCK"] = lambda: moment.replace(tzinfo=UTC)


def _helpers_badge(html: str, part_id: int) -> bool:
    start = html.index(f'id="need-part-{part_id}"')
    return "Volunteers already there" in html[start : html.index("</article>", start)]


def test_expiry_on_a_frozen_clock_and_a_decline_put_the_need_back(app):
    start = datetime.now(UTC).replace(tzinfo=None, hour=4, minute=0, second=0, microsecond=0)
    _freeze(app, start)
    first, second = _volunteers(app, ("vol.bhopal.1", (1, 1)), ("vol.bhopal.2", (1, 2)))
    parts = [_ids(app, 1, 1), _ids(app, 1, 2)]
    collector = signed_in(app, "collector.bhopal")
    token = _token(collector.get("/volunteers/need").get_data(as_text=True))
    day = _today(app)
    pairs = [f"{first}:{parts[0]}", f"{second}:{parts[1]}"]
    data = {**_fields(day, end="17:00"), "ends_on": (day + timedelta(days=3)).isoformat()}
    assert (
        collector.post("/volunteers/offers", data={**data, "pair": pairs, "csrf_token": token}).status_code
        == 303
    )
    board = collector.get("/volunteers/need").get_data(as_text=True)
    assert _helpers_badge(board, parts[0]) and _helpers_badge(board, parts[1])
    listed = collector.get("/volunteers/offers/list").get_data(as_text=True)
    assert "24 h 0 min left to answer" in listed

    # The second volunteer declines: part 1-2 needs help again.
    with app.app_context():
        assignment = db.session.scalar(select(Assignment).where(Assignment.volunteer_id == second))
        services.answer(user("vol.bhopal.2"), assignment, accept=False, reason="Exams this week")
        db.session.commit()
        assert services.holding_on(parts, day) == {parts[0]: 1}

    _freeze(app, start + timedelta(hours=23))
    with app.app_context():
        assert tasks.expire_unanswered_offers() == 0
    fragment = collector.get("/volunteers/need", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert _helpers_badge(fragment, parts[0]) and not _helpers_badge(fragment, parts[1])
    assert "1 h 0 min left to answer" in collector.get("/volunteers/offers/list").get_data(as_text=True)

    _freeze(app, start + timedelta(hours=24, minutes=1))
    with app.app_context():
        assert tasks.expire_unanswered_offers() == 1
        assert tasks.expire_unanswered_offers() == 0  # idempotent
        assert services.holding_on(parts, day) == {}
        assert (
            db.session.scalar(
                select(func.count(AuditEntry.id)).where(AuditEntry.action == "volunteer.expire")
            )
            == 1
        )
    assert [a[2] for a in _assignments(app)] == ["expired", "declined"]
    board = collector.get("/volunteers/need").get_data(as_text=True)
    assert not _helpers_badge(board, parts[0]) and not _helpers_badge(board, parts[1])
    expired = collector.get("/volunteers/offers/list?filter=expired").get_data(as_text=True)
    assert "Expired" in expired and "left to answer" not in expired
    assert "offer-row-" not in collector.get("/volunteers/offers/list").get_data(as_text=True)


def test_the_expiry_command(app):
    _volunteers(app, ("vol.bhopal.1", (1, 1)))
    day = _today(app)
    with app.app_context():
        volunteer = volunteer_near("vol.bhopal.1", part_of(1, 1))
        made = services.offer(
            user("collector.bhopal"),
            volunteer,
            part_of(1, 1),
            services.OfferInput(day, day, time(9), time(12), ("awareness",)),
            today=day,
        )
        made.expires_at = made.offered_at - timedelta(minutes=1)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["expire-offers"])
    assert result.exit_code == 0 and "expired offers: 1" in result.output
    assert [a[2] for a in _assignments(app)] == ["expired"]


def test_cancel_needs_the_current_version(app):
    _volunteers(app, ("vol.bhopal.1", (1, 1)))
    day = _today(app)
    with app.app_context():
        volunteer = volunteer_near("vol.bhopal.1", part_of(1, 1))
        made = services.offer(
            user("collector.bhopal"),
            volunteer,
            part_of(1, 1),
            services.OfferInput(day, day, time(9), time(12), ("awareness",)),
            today=day,
        )
        db.session.commit()
        assignment_id, version = made.id, made.version
    ero = signed_in(app, "ero.1")
    page = ero.get("/volunteers/offers/list")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and f'id="offer-row-{assignment_id}"' in html
    assert f'name="version" value="{version}"' in html
    token = _token(html)
    url = f"/volunteers/offers/{assignment_id}/cancel"
    stale = ero.post(
        url, data={"version": str(version + 1), "csrf_token": token}, headers={"HX-Request": "true"}
    )
    body = stale.get_data(as_text=True)
    assert stale.status_code == 409 and body.lstrip().startswith('<div id="offer-rows">')
    assert "Someone changed this offer a moment ago" in body
    missing = ero.post(url, data={"csrf_token": token})
    assert missing.status_code == 422 and "<html" in missing.get_data(as_text=True)
    done = ero.post(url, data={"version": str(version), "csrf_token": token}, headers={"HX-Request": "true"})
    assert done.status_code == 200 and "is cancelled" in done.get_data(as_text=True)
    assert [a[2] for a in _assignments(app)] == ["cancelled"]
    again = ero.post(url, data={"version": str(version + 1), "csrf_token": token})
    assert again.status_code == 409 and "no longer open" in again.get_data(as_text=True)
    # Raisen's ERO cannot touch it.
    outsider = signed_in(app, "ero.5")
    token = _token(outsider.get("/volunteers/offers/list").get_data(as_text=True))
    assert outsider.post(url, data={"version": str(version + 1), "csrf_token": token}).status_code == 403


def test_the_district_limits_are_validated_and_audited(app):
    collector = signed_in(app, "collector.bhopal")
    page = collector.get("/volunteers/settings")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'name="max_per_part" value="3"' in html
    token = _token(html)
    bad = collector.post(
        "/volunteers/settings",
        data={"max_per_part": "0", "offer_expiry_hours": "abc", "daily_hour_cap": "13", "csrf_token": token},
        headers={"HX-Request": "true"},
    )
    body = bad.get_data(as_text=True)
    assert bad.status_code == 422 and body.lstrip().startswith('<div id="limits">')
    assert body.count("Give a whole number from") == 3
    with app.app_context():
        assert db.session.scalar(select(func.count(VolunteerSettings.id))) == 0
    good = collector.post(
        "/volunteers/settings",
        data={"max_per_part": "2", "offer_expiry_hours": "12", "daily_hour_cap": "6", "csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert good.status_code == 200 and "are saved" in good.get_data(as_text=True)
    with app.app_context():
        row = db.session.scalar(select(VolunteerSettings))
        assert (row.max_per_part, row.offer_expiry_hours, row.daily_hour_cap) == (2, 12, 6)
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "volunteer.settings"))
        assert entry.before == {"max_per_part": 3, "offer_expiry_hours": 24, "daily_hour_cap": 8}
        assert entry.after == {"max_per_part": 2, "offer_expiry_hours": 12, "daily_hour_cap": 6}
    assert collector.get("/volunteers/settings?district_id=999").status_code == 403
    assert signed_in(app, "ero.1").get("/volunteers/settings").status_code == 403
