"""The clocks count only a district's working hours (issue 23, point 12): a difficulty raised at
21:59 is due the next working day, not at 01:59; escalation keeps the same clock; holidays and days
off stop it; health and safety run round the clock; the collector sets the hours, audited; due times
are said as people say them, in both languages."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale
from sqlalchemy import delete, select

from app.difficulties import services, sla
from app.difficulties.labels import due_words
from app.difficulties.models import (
    Category,
    Difficulty,
    DistrictHoliday,
    EventKind,
    Level,
    Status,
    WorkingHours,
)
from app.extensions import db
from app.models import AuditEntry, District
from tests.conftest import AuthActions, hindi
from tests.difficulties.board_support import freeze, fresh, part_of, raise_one, user

IST = ZoneInfo("Asia/Kolkata")


def ist(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of November 2025 in Bhopal, as stored (naive UTC). 20 Nov 2025 is a Thursday."""
    return datetime(2025, 11, day, hour, minute, tzinfo=IST).astimezone(UTC).replace(tzinfo=None)


OFFICE = sla.Calendar(zone=IST)  # 10:00–18:00, Monday to Saturday
STEP = sla.Step


# -- the calendar, pure ------------------------------------------------------------------------


def test_a_difficulty_raised_at_21_59_is_due_the_next_working_day_not_at_01_59():
    policy = sla.Policy(Level.SUPERVISOR, timedelta(hours=4), timedelta(hours=24), OFFICE)
    raised = ist(20, 21, 59)
    clock = sla.clock([STEP(raised, EventKind.CREATED, Status.OPEN, Level.SUPERVISOR)], policy, raised)
    assert clock.due_at == ist(21, 14, 0) != ist(21, 1, 59)
    assert clock.waits_for_opening == ist(21, 10, 0)
    at_night = sla.clock([STEP(raised, EventKind.CREATED, Status.OPEN, Level.SUPERVISOR)], policy, ist(21, 2))
    assert at_night.used == timedelta() and at_night.crossed() == [] and at_night.next_check_at == ist(21, 12)


def test_working_time_skips_nights_sundays_and_holidays():
    assert OFFICE.between(ist(20, 17), ist(21, 11)) == timedelta(hours=2)
    # Saturday 22 works, Sunday 23 does not.
    assert OFFICE.shift(ist(22, 17), timedelta(hours=3)) == ist(24, 12)
    holiday = sla.Calendar(zone=IST, holidays=frozenset({date(2025, 11, 24)}))
    assert holiday.shift(ist(22, 17), timedelta(hours=3)) == ist(25, 12)
    assert holiday.between(ist(22, 17), ist(25, 12)) == timedelta(hours=3)
    # Backwards too: a clock past its time says when it was due.
    assert OFFICE.shift(ist(24, 12), -timedelta(hours=3)) == ist(22, 17)
    assert sla.ROUND_THE_CLOCK.shift(ist(20, 21, 59), timedelta(hours=4)) == ist(21, 1, 59)
    late = sla.Calendar(zone=IST, opens=0, closes=sla.DAY_MINUTES, weekdays=frozenset(range(1, 8)))
    assert late.round_the_clock and late.between(ist(20, 22), ist(21, 2)) == timedelta(hours=4)


def test_the_figures_time_to_acknowledge_is_working_time():
    steps = [
        STEP(ist(20, 17), EventKind.CREATED, Status.OPEN, Level.SUPERVISOR),
        STEP(ist(21, 11), EventKind.ACKNOWLEDGED, Status.ACKNOWLEDGED, Level.SUPERVISOR),
    ]
    assert sla.business_time(steps, ist(21, 11), OFFICE) == timedelta(hours=2)


# -- in the app ----------------------------------------------------------------------------------


def _office_hours(app, *names: str) -> None:
    """The districts named fall back to the default hours (the tiny demo works round the clock)."""
    with app.app_context():
        ids = db.session.scalars(select(District.id).where(District.name_en.in_(names))).all()
        db.session.execute(delete(WorkingHours).where(WorkingHours.district_id.in_(ids)))
        db.session.commit()


def _client(app, login: str, lang: str = "en"):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
    assert AuthActions(client).login(login, lang=lang).status_code == 303
    return client


@pytest.mark.usefixtures("without_seeded_difficulties")
def test_raised_in_the_evening_it_waits_for_the_morning_and_escalation_keeps_the_same_clock(app):
    _office_hours(app, "Bhopal")
    raised = ist(20, 21, 59)
    freeze(app, raised)
    difficulty_id = raise_one(app, category="forms_short", now=raised)  # 4 h for the supervisor
    assert fresh(app, difficulty_id).acknowledge_due_at == ist(21, 14)
    with app.app_context():
        assert services.escalate(ist(21, 1, 59)).checked == 0  # nothing due in the night
        services.escalate(ist(21, 14, 1))
        db.session.commit()
    climbed = fresh(app, difficulty_id)
    assert climbed.level == Level.ERO and climbed.overdue_since == ist(21, 14, 1)
    # The ERO's 4 hours: 14:01 to 18:00, then one minute on Saturday morning.
    assert climbed.acknowledge_due_at == ist(22, 10, 1)


@pytest.mark.usefixtures("without_seeded_difficulties")
def test_health_and_safety_run_round_the_clock(app):
    _office_hours(app, "Bhopal")
    raised = ist(20, 21, 59)
    difficulty_id = raise_one(app, category="health", now=raised)
    assert fresh(app, difficulty_id).acknowledge_due_at == ist(20, 22, 59)


@pytest.mark.usefixtures("without_seeded_difficulties")
def test_the_page_and_the_board_say_when_in_words_people_use_in_both_languages(app):
    _office_hours(app, "Bhopal")
    raised = ist(20, 21, 59)
    difficulty_id = raise_one(app, category="forms_short", now=raised)
    freeze(app, ist(20, 22, 30))
    page = _client(app, "sup.1.1").get(f"/difficulties/{difficulty_id}").get_data(as_text=True)
    assert "Due: tomorrow 14:00" in page
    assert "outside working hours the clock stands still; it runs again tomorrow 10:00" in page
    board = _client(app, "sup.1.1").get("/difficulties/?owner=mine").get_data(as_text=True)
    row = board.split(f'id="difficulty-row-{difficulty_id}"', 1)[1].split("</tr>", 1)[0]
    assert "4 h 0 min left" in row and "due tomorrow 14:00" in row  # working time, not 15 h 30 min
    hindi_board = _client(app, "sup.1.1", lang="hi").get("/difficulties/?owner=mine").get_data(as_text=True)
    words = hindi(app, "tomorrow %(time)s", time="14:00")
    assert words in hindi_board and "14:00" in words
    freeze(app, ist(25, 9))  # a Tuesday: the Saturday is named by its day
    with app.test_request_context(), force_locale("en"):
        assert due_words(ist(29, 10, 59)) == "Saturday, 10:59"
        assert due_words(ist(24, 17)) == "yesterday 17:00"
        assert due_words(ist(25, 14)) == "today 14:00"


@pytest.mark.usefixtures("without_seeded_difficulties")
def test_the_collector_sets_the_hours_and_holidays_audited_and_open_clocks_follow(app):
    _office_hours(app, "Bhopal")
    raised = ist(20, 21, 59)
    difficulty_id = raise_one(app, category="forms_short", now=raised)
    freeze(app, ist(20, 22))
    collector = _client(app, "collector.bhopal")
    page = collector.get("/difficulties/hours").get_data(as_text=True)
    assert 'name="opens" value="10:00"' in page and 'name="closes" value="18:00"' in page
    assert page.count('name="weekdays"') == 7 and page.count("checked") == 6  # Monday to Saturday
    token = AuthActions(collector).token("/difficulties/hours")
    response = collector.post(
        "/difficulties/hours",
        data={
            "csrf_token": token,
            "opens": "09:30",
            "closes": "17:30",
            "weekdays": ["1", "2", "3", "4", "5"],
            "holiday_day": ["2025-11-21"],
            "holiday_name": ["Local holiday"],
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and "The working hours of Bhopal are saved." in response.get_data(
        as_text=True
    )
    # Friday a holiday, no Saturday: Monday 09:30 + 4 h.
    assert fresh(app, difficulty_id).acknowledge_due_at == ist(24, 13, 30)
    with app.app_context():
        bhopal = part_of(1, 1).district_id
        hours = db.session.scalar(select(WorkingHours).where(WorkingHours.district_id == bhopal))
        assert (hours.opens_minute, hours.closes_minute, hours.weekdays) == (570, 1050, "12345")
        assert db.session.scalar(
            select(DistrictHoliday.name).where(DistrictHoliday.day == date(2025, 11, 21))
        ) == ("Local holiday")
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "difficulty.working_hours"))
        assert entry.actor_id == user("collector.bhopal").id
        assert entry.before["opens"] == 600 and entry.after["opens"] == 570
        assert entry.after["holidays"] == {"2025-11-21": "Local holiday"}


@pytest.mark.usefixtures("without_seeded_difficulties")
def test_wrong_hours_are_refused_with_the_reason_and_the_input_kept(app):
    collector = _client(app, "collector.bhopal")
    token = AuthActions(collector).token("/difficulties/hours")
    response = collector.post(
        "/difficulties/hours",
        data={
            "csrf_token": token,
            "opens": "18:00",
            "closes": "10:00",
            "weekdays": ["1"],
            "holiday_day": ["31-02-2025"],
            "holiday_name": ["Typo"],
        },
        headers={"HX-Request": "true"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The office must close after it opens." in body and "Give each holiday&#39;s date" in body
    assert unquote(response.headers["X-Refusal"]).startswith("The office must close after it opens.")
    assert 'name="opens" value="18:00"' in body and 'value="31-02-2025"' in body and 'value="Typo"' in body
    with app.app_context():
        bhopal = part_of(1, 1).district_id
        assert (
            db.session.scalar(select(WorkingHours.weekdays).where(WorkingHours.district_id == bhopal))
            == "1234567"
        )
    hindi_client = _client(app, "collector.bhopal", lang="hi")
    token = AuthActions(hindi_client).token("/difficulties/hours")
    refused = hindi_client.post(
        "/difficulties/hours", data={"csrf_token": token, "opens": "10:00", "closes": "18:00"}
    )
    assert refused.status_code == 422
    assert hindi(app, "Tick at least one working day.") in refused.get_data(as_text=True)


@pytest.mark.usefixtures("without_seeded_difficulties")
def test_only_the_collector_changes_them_and_only_their_own_district(app):
    state = _client(app, "state")
    token = AuthActions(state).token("/difficulties/hours")
    assert state.post("/difficulties/hours", data={"csrf_token": token, "opens": "10:00"}).status_code == 403
    with app.app_context():
        raisen = db.session.scalar(select(District.id).where(District.name_en == "Raisen"))
    page = state.get(f"/difficulties/hours?district_id={raisen}").get_data(as_text=True)
    assert "Raisen" in page and "Only the district's collector can change these." in page
    collector = _client(app, "collector.bhopal")
    assert collector.get(f"/difficulties/hours?district_id={raisen}").status_code == 403
    no_token = collector.post(
        "/difficulties/hours", data={"opens": "10:00", "closes": "18:00", "weekdays": "1"}
    )
    assert no_token.status_code == 400  # CSRF


def test_the_acknowledge_figure_counts_working_time(app):
    _office_hours(app, "Bhopal")
    difficulty_id = raise_one(app, category="network", now=ist(20, 17))
    with app.app_context():
        difficulty = db.session.get(Difficulty, difficulty_id)
        services.perform(
            user("sup.1.1"), difficulty, services.Action.ACKNOWLEDGE, services.ActionInput(), ist(21, 11)
        )
        db.session.commit()
        assert db.session.get(Difficulty, difficulty_id).acknowledge_seconds == 2 * 3600
    assert Category.NETWORK not in sla.ROUND_THE_CLOCK_CATEGORIES
