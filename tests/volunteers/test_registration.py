"""The public sign-up: Hindi first, one volunteer per form however often it is tapped, every
mistake answered in the reader's language with nothing saved, rate-limited, geocoded as a job."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.extensions import db, limiter
from app.models import AuditEntry, Job, JobStatus, Role, User
from app.volunteers.models import AvailabilityWindow, RepeatRegistration, Volunteer, VolunteerStatus
from tests.conftest import AuthActions, hindi, make_app, remove_seeded_volunteers, reset_database
from tests.volunteers.registration_support import district_id, form_values, make_volunteer, sign_up

pytestmark = pytest.mark.usefixtures("without_seeded_volunteers")

URL = "/volunteers/register"


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def anonymous(app):
    """A visitor whose browser names no language: the app answers in Hindi."""
    return app.test_client()


def test_the_page_is_public_and_in_hindi_by_default(anonymous):
    response = anonymous.get(URL)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "स्वयंसेवक के रूप में पंजीकरण" in html
    assert "Register as a volunteer" not in html
    assert "भोपाल" in html  # the districts by their Hindi names
    assert 'class="location-picker"' in html and "<script>" not in html


def test_an_htmx_request_gets_the_form_alone(client):
    response = client.get(URL, headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="register-form"' in html and "<html" not in html


def test_a_registration_creates_a_pending_volunteer_and_an_inactive_account(app, client):
    response = client.post(URL, data=sign_up(app, client))
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert "waits for the approval of the collector" in html and "9826012345" in html
    with app.app_context():
        volunteer = db.session.scalar(select(Volunteer))
        user = volunteer.user
        assert (user.login, user.mobile, user.role, user.active) == (
            "9826012345",
            "9826012345",
            Role.VOLUNTEER,
            False,
        )
        assert user.district_id == volunteer.district_id and user.district.name_en == "Bhopal"
        assert volunteer.status == VolunteerStatus.PENDING
        assert volunteer.languages == ["hi", "en", "bundeli"]
        assert (volunteer.lat, volunteer.lon) == (23.2599, 77.4126)
        assert [(w.start_time.hour, w.end_time.hour) for w in volunteer.windows] == [(9, 13)]
        assert volunteer.windows[0].district_id == volunteer.district_id
        assert volunteer.geocode_status == "off"  # no geocoder configured: nothing queued
        assert _count(Job) == 0
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "volunteer.register"))
        assert entry.object_id == str(volunteer.id) and entry.actor_id == user.id


def test_the_account_signs_in_only_once_approved(app, client, auth):
    client.post(URL, data=sign_up(app, client))
    assert auth.login("9826012345", "asha-pass-2025").status_code == 401
    with app.app_context():
        volunteer = db.session.scalar(select(Volunteer))
        from app.volunteers.services import approve

        approve(db.session.scalar(select(User).where(User.login == "collector.bhopal")), volunteer)
        db.session.commit()
    assert auth.login("9826012345", "asha-pass-2025").status_code == 303


def test_a_double_tap_registers_once(app, client):
    data = sign_up(app, client)
    first = client.post(URL, data=data)
    second = client.post(URL, data=data)
    assert first.status_code == second.status_code == 200
    assert "9826012345" in second.get_data(as_text=True)
    with app.app_context():
        assert _count(Volunteer) == 1
        assert (
            db.session.scalar(select(func.count()).select_from(User).where(User.login == "9826012345")) == 1
        )


# -- a number already registered: the page tells nobody ------------------------------------------


def _comparable(html: str, *mobiles: str) -> str:
    """An answer without what differs by design: the CSRF token and the number typed."""
    html = re.sub(r"[\w-]{20,}\.[\w-]{4,}\.[\w-]{20,}", "TOKEN", html)  # itsdangerous' signed form
    for mobile in mobiles:
        html = html.replace(mobile, "MOBILE")
    return html


# The headers an answer carries whatever its number, compared too (not Date, cookies, the limit's reset).
_SAME_HEADERS = ("Content-Type", "Vary", "X-Refusal", "X-RateLimit-Limit", "X-RateLimit-Remaining")


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "fragment"])
@pytest.mark.parametrize("lang", ["en", "hi"])
def test_a_known_number_gets_the_answer_a_new_one_gets(app, htmx, lang):
    with app.app_context():
        make_volunteer("Asha Verma", "9826012345")
    headers = {"HX-Request": "true"} if htmx else {}
    answers = []
    for mobile in ("9826012345", "9826099999"):  # registered, then new
        limiter.reset()  # each from a fresh hour, so that the limits' headers compare
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
        answers.append(client.post(URL, data=sign_up(app, client, mobile=mobile), headers=headers))
    known, new = answers
    assert known.status_code == new.status_code == 200
    for name in _SAME_HEADERS:
        assert known.headers.get(name) == new.headers.get(name), name
    assert "X-Refusal" not in known.headers
    assert _comparable(known.get_data(as_text=True), "9826012345") == _comparable(
        new.get_data(as_text=True), "9826099999"
    )
    assert 'id="registered"' in known.get_data(as_text=True)  # the "received" answer, not the form
    assert "already registered" not in known.get_data(as_text=True)
    with app.app_context():
        assert _count(Volunteer) == 2  # the one made above, and the new number's


def test_a_known_number_creates_nothing_and_touches_no_account(app, client):
    with app.app_context():
        volunteer = make_volunteer("Asha Verma", "9826012345")
        user = volunteer.user
        before = (user.password_hash, user.name, user.active, user.locale, volunteer.version, volunteer.name)
        users, windows = _count(User), _count(AvailabilityWindow)
    response = client.post(
        URL,
        data=sign_up(
            app,
            client,
            name="  Someone   Else ",
            mobile="+91 98260 12345",
            password="other-pass-99",
            confirm="other-pass-99",
        ),
    )
    assert response.status_code == 200
    assert "Thank you, Someone Else" in response.get_data(as_text=True)
    with app.app_context():
        volunteer = db.session.scalar(select(Volunteer))
        user = volunteer.user
        assert (
            user.password_hash,
            user.name,
            user.active,
            user.locale,
            volunteer.version,
            volunteer.name,
        ) == before
        assert (_count(Volunteer), _count(User), _count(AvailabilityWindow)) == (1, users, windows)
        repeat = db.session.scalar(select(RepeatRegistration))
        assert (repeat.volunteer_id, repeat.user_id, repeat.mobile, repeat.name) == (
            volunteer.id,
            user.id,
            "9826012345",
            "Someone Else",
        )
        assert repeat.district_id == repeat.typed_district_id == volunteer.district_id
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "volunteer.register_again"))
        assert entry.object_type == "RepeatRegistration" and entry.object_id == str(repeat.id)
        assert entry.actor_id is None and entry.after["volunteer_id"] == volunteer.id
        assert "other-pass-99" not in str(entry.after)


def test_a_known_number_sent_twice_from_one_form_is_noted_once(app, client):
    with app.app_context():
        make_volunteer("Asha Verma", "9826012345")
    data = sign_up(app, client)
    first, second = client.post(URL, data=data), client.post(URL, data=data)
    assert first.status_code == second.status_code == 200
    assert _comparable(first.get_data(as_text=True)) == _comparable(second.get_data(as_text=True))
    with app.app_context():
        assert _count(RepeatRegistration) == 1 and _count(Volunteer) == 1


def test_an_officials_number_is_answered_alike_and_noted_for_the_district_typed(app, client):
    with app.app_context():
        official = User(login="9826077777", name="Patwari Sharma", mobile="9826077777", role=Role.BLO)
        official.set_password("official-pass")
        db.session.add(official)
        db.session.commit()
        users = _count(User)
    response = client.post(URL, data=sign_up(app, client, mobile="9826077777"))
    assert response.status_code == 200 and "waits for the approval of the collector" in response.get_data(
        as_text=True
    )
    with app.app_context():
        repeat = db.session.scalar(select(RepeatRegistration))
        assert repeat.volunteer_id is None and repeat.user_id == official_id(app)
        assert repeat.district_id == district_id("Bhopal")
        assert _count(User) == users and _count(Volunteer) == 0


def official_id(app) -> int:
    return db.session.scalar(select(User.id).where(User.login == "9826077777"))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"lat": "51.5", "lon": "-0.12"}, "This point is not in India"),
        ({"lat": "23.25", "lon": None}, "Give both the latitude and the longitude, or neither."),
        ({"lat": "north", "lon": "77.4"}, "Enter a number, like 23.2599."),
        ({"mobile": "12345"}, "Enter a 10-digit mobile number"),
        ({"mobile": "5826012345"}, "Enter a 10-digit mobile number"),
        ({"name": "  "}, "This field is required."),
        ({"district_id": "0"}, "Choose your district."),
        ({"organisation": "bla"}, "Choose the kind of organisation from the list."),
        ({"confirm": "something-else"}, "The two passwords differ."),
        ({"password": "short", "confirm": "short"}, "Field must be between 8 and 128 characters long."),
        (
            {
                "windows-0-starts_on": None,
                "windows-0-ends_on": None,
                "windows-0-start_time": None,
                "windows-0-end_time": None,
            },
            "Give at least one time when you are free.",
        ),
        ({"windows-0-end_time": ""}, "Give the hours, from and to."),
        (
            {"windows-0-start_time": "14:00", "windows-0-end_time": "10:00"},
            "The hours must end after they start.",
        ),
        ({"windows-0-starts_on": "2000-01-01"}, "The first day cannot be in the past."),
        ({"windows-0-ends_on": "tomorrow"}, "Give the first and the last day."),
    ],
)
def test_a_mistake_is_answered_with_the_form_and_nothing_is_saved(app, client, changes, message):
    with app.app_context():
        users = _count(User)
    response = client.post(URL, data=sign_up(app, client, **changes))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert 'id="register-form"' in html
    with app.app_context():
        assert _count(Volunteer) == 0 and _count(AvailabilityWindow) == 0 and _count(User) == users


def test_the_other_times_can_be_given_and_a_half_filled_one_is_pointed_out(app, client):
    with app.app_context():
        from app.campaign.clock import campaign_today

        later = campaign_today().toordinal() + 10
    from datetime import date

    day = date.fromordinal(later).isoformat()
    extra = {
        "windows-1-starts_on": day,
        "windows-1-ends_on": day,
        "windows-1-start_time": "15:00",
        "windows-1-end_time": "18:00",
    }
    response = client.post(URL, data=sign_up(app, client, **{**extra, "windows-1-end_time": ""}))
    assert response.status_code == 422 and "Check the times marked below." in response.get_data(as_text=True)
    assert '<details class="more-windows" open>' in response.get_data(as_text=True)
    response = client.post(URL, data=sign_up(app, client, **extra))
    assert response.status_code == 200
    with app.app_context():
        assert _count(AvailabilityWindow) == 2


def test_the_messages_are_in_hindi_for_a_hindi_reader(app, anonymous):
    response = anonymous.post(
        URL, data=sign_up(app, anonymous, mobile="12", lat="10", lon="10", **{"windows-0-starts_on": None})
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "10 अंकों का मोबाइल नंबर लिखिए" in html
    assert "यह स्थान भारत में नहीं है" in html
    assert hindi(app, "Give the first and the last day.") in html
    assert "Enter a 10-digit" not in html


def test_the_form_needs_its_csrf_token(app, client):
    data = sign_up(app, client, csrf_token=None)
    assert client.post(URL, data=data).status_code in (400, 422)
    with app.app_context():
        assert _count(Volunteer) == 0


@pytest.fixture
def limited_app(database_url):
    app = make_app(
        database_url,
        {"VOLUNTEER_REGISTER_RATE_LIMIT": "2 per hour", "VOLUNTEER_REGISTER_ATTEMPT_LIMIT": "6 per hour"},
    )
    reset_database(app)
    remove_seeded_volunteers(app)
    yield app
    limiter.reset()


def test_registrations_from_one_address_are_limited(limited_app):
    client = limited_app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    # A typing mistake does not count towards the registrations made.
    assert client.post(URL, data=sign_up(limited_app, client, mobile="1")).status_code == 422
    for mobile in ("9826000001", "9826000002"):
        assert client.post(URL, data=sign_up(limited_app, client, mobile=mobile)).status_code == 200
    response = client.post(URL, data=sign_up(limited_app, client, mobile="9826000003"))
    assert response.status_code == 429
    assert "Too many registrations from this connection" in response.get_data(as_text=True)
    assert 'id="register-form"' in response.get_data(as_text=True)
    with limited_app.app_context():
        assert _count(Volunteer) == 2
    # Every attempt counts towards the wider limit: six in the hour, whatever their outcome.
    assert client.get(URL).status_code == 200  # the page itself is never limited


def test_a_known_number_counts_towards_the_limit_as_a_new_one_does(limited_app):
    """Else the limit would tell: a known number could be tried past the point a new one is refused."""
    with limited_app.app_context():
        make_volunteer("Asha Verma", "9826012345")
    client = limited_app.test_client()
    for mobile in ("9826012345", "9826000001"):
        assert client.post(URL, data=sign_up(limited_app, client, mobile=mobile)).status_code == 200
    for mobile in ("9826012345", "9826000002"):
        assert client.post(URL, data=sign_up(limited_app, client, mobile=mobile)).status_code == 429
    with limited_app.app_context():
        assert _count(Volunteer) == 2 and _count(RepeatRegistration) == 1


def test_attempts_of_any_outcome_are_limited_too(limited_app):
    client = limited_app.test_client()
    for _ in range(6):
        assert client.post(URL, data=sign_up(limited_app, client, mobile="1")).status_code == 422
    assert client.post(URL, data=sign_up(limited_app, client, mobile="1")).status_code == 429


# -- geocoding ---------------------------------------------------------------------------------


def _geocoding_app(database_url, geocoder):
    app = make_app(database_url, {"GEOCODER": geocoder})
    reset_database(app)
    remove_seeded_volunteers(app)
    return app


def test_an_address_without_a_point_is_geocoded_by_a_job(database_url):
    asked = []

    def fake(address):
        asked.append(address)
        return (23.2332, 77.4343)

    app = _geocoding_app(database_url, fake)
    client = app.test_client()
    data = sign_up(app, client, lat="", lon="", address="Near New Market, TT Nagar")
    assert client.post(URL, data=data).status_code == 200
    assert asked == ["Near New Market, TT Nagar, Bhopal, India"]
    with app.app_context():
        volunteer = db.session.scalar(select(Volunteer))
        assert (volunteer.lat, volunteer.lon, volunteer.geocode_status) == (23.2332, 77.4343, "done")
        job = db.session.scalar(select(Job))
        assert (job.kind, job.status, job.params) == (
            "volunteer.geocode",
            JobStatus.DONE,
            {"volunteer_id": volunteer.id},
        )


def test_a_point_given_is_never_geocoded(database_url):
    app = _geocoding_app(database_url, lambda address: pytest.fail("geocoded a point already given"))
    client = app.test_client()
    assert client.post(URL, data=sign_up(app, client, address="TT Nagar")).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(Volunteer.geocode_status)) == "off" and _count(Job) == 0


@pytest.mark.parametrize("answer", ["nothing", "abroad", "error"])
def test_an_address_not_found_is_marked_failed_and_the_registration_stands(database_url, answer):
    def fake(address):
        if answer == "error":
            raise TimeoutError("geocoder down")
        return None if answer == "nothing" else (48.85, 2.35)

    app = _geocoding_app(database_url, fake)
    client = app.test_client()
    response = client.post(URL, data=sign_up(app, client, lat="", lon="", address="Somewhere"))
    assert response.status_code == 200
    with app.app_context():
        volunteer = db.session.scalar(select(Volunteer))
        assert (volunteer.lat, volunteer.geocode_status, volunteer.status) == (
            None,
            "failed",
            VolunteerStatus.PENDING,
        )
        job = db.session.scalar(select(Job))
        assert job.status == (JobStatus.FAILED if answer == "error" else JobStatus.DONE)


def test_the_form_tokens_differ_between_visits(client):
    assert form_values(client)["form_token"] != form_values(client)["form_token"]


# -- what the approvers see of a repeat -------------------------------------------------------------


def _signed_in(app, login: str, lang: str = "en"):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
    assert AuthActions(client).login(login, lang=lang).status_code == 303
    return client


def test_the_approver_sees_the_repeat_on_the_waiting_volunteers_card(app, client):
    with app.app_context():
        make_volunteer("Asha Verma", "9826012345")
    for _ in range(2):  # two forms, two tries
        client.post(URL, data=sign_up(app, client, name="Someone Else", mobile="09826012345"))
    collector = _signed_in(app, "collector.bhopal")
    html = collector.get("/volunteers/approvals").get_data(as_text=True)
    card = html[html.index("Asha Verma") :]
    assert "This number tried to register again 2 times, the last on" in card
    assert "as “Someone Else” (Bhopal)" in card
    assert "call the number before you decide" in card
    assert "Numbers that tried to register again" not in html  # a waiting one's tries are on its card
    # the row answered to an approval keeps the mark
    volunteer_id = re.search(r'id="volunteer-(\d+)"', html)[1]
    token = AuthActions(collector).token("/volunteers/approvals")
    row = collector.post(
        f"/volunteers/{volunteer_id}/approve",
        data={"csrf_token": token, "version": "1"},
        headers={"HX-Request": "true"},
    ).get_data(as_text=True)
    assert "is approved" in row and "tried to register again 2 times" in row
    # in Hindi too
    hindi_page = _signed_in(app, "collector.bhopal", "hi").get("/volunteers/approvals").get_data(as_text=True)
    assert hindi(app, "Numbers that tried to register again") in hindi_page  # approved now: listed above


CARD_HINT = (
    "Nothing was created or changed. If the details differ from these, call the number before you decide."
)


def test_the_card_says_it_in_hindi(app, client):
    with app.app_context():
        make_volunteer("Asha Verma", "9826012345")
    client.post(URL, data=sign_up(app, client, name="Someone Else", mobile="9826012345"))
    html = _signed_in(app, "ero.1", "hi").get("/volunteers/approvals").get_data(as_text=True)
    assert "Someone Else" in html and "भोपाल" in html
    assert hindi(app, CARD_HINT) in html
    assert "This number tried to register again" not in html


def test_numbers_of_approved_rejected_and_official_accounts_are_listed_for_their_district(app, client):
    with app.app_context():
        make_volunteer("Ravi Kumar", "9111111111", status=VolunteerStatus.APPROVED)
        make_volunteer("Mohan Lal", "9333333333", status=VolunteerStatus.REJECTED)
        make_volunteer("Sunita Bai", "9222222222", "Raisen", status=VolunteerStatus.APPROVED)
        official = User(login="9826077777", name="Patwari Sharma", mobile="9826077777", role=Role.BLO)
        official.set_password("official-pass")
        db.session.add(official)
        db.session.commit()
    for name, mobile in (("R. Kumar", "9111111111"), ("M. Lal", "9333333333"), ("P. S.", "9826077777")):
        client.post(URL, data=sign_up(app, client, name=name, mobile=mobile))
    client.post(URL, data=sign_up(app, client, name="S. Bai", mobile="9222222222"))  # Raisen's volunteer
    html = _signed_in(app, "collector.bhopal").get("/volunteers/approvals").get_data(as_text=True)
    section = html[html.index("Numbers that tried to register again") : html.index('id="approval-rows"')]
    assert "“R. Kumar”" in section and "already an approved volunteer's: Ravi Kumar" in section
    assert "“M. Lal”" in section and "whose registration was rejected: Mohan Lal" in section
    assert "“P. S.”" in section and "signs in an official's account" in section
    assert "S. Bai" not in html and "9222222222" not in html  # Raisen's, typed as Bhopal: Raisen's to see
    assert "/accounts/?q=9111111111" in section  # the collector manages accounts
    raisen = _signed_in(app, "collector.raisen").get("/volunteers/approvals").get_data(as_text=True)
    assert "“S. Bai”" in raisen and "R. Kumar" not in raisen
    # an ERO of the district sees them, without the accounts' link
    ero = _signed_in(app, "ero.1").get("/volunteers/approvals").get_data(as_text=True)
    assert "“R. Kumar”" in ero and "/accounts/" not in ero
