"""Bilingual from the first screen: no message without Hindi, Indian digit grouping, a switcher."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from app.formatting import number, percent
from tests.conftest import AuthActions

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "app" / "translations" / "hi" / "LC_MESSAGES" / "messages.po"


def test_every_message_in_the_code_is_in_the_hindi_catalogue(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            str(Path(sys.executable).parent / "pybabel"),
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    extracted = {m.id for m in read_po(pot.open("rb")) if m.id}
    catalogue = {m.id for m in read_po(PO.open("rb")) if m.id}
    missing = sorted(str(m) for m in extracted - catalogue)
    assert not missing, f"run `make extract-messages` and translate: {missing[:10]}"


def test_every_hindi_message_is_translated_and_keeps_its_placeholders():
    untranslated, broken = [], []
    for message in read_po(PO.open("rb")):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            untranslated.append(ids[0])
            continue
        wanted = sorted(re.findall(r"%\(\w+\)s", ids[0]))
        if any(sorted(re.findall(r"%\(\w+\)s", s)) != wanted for s in strings):
            broken.append(ids[0])
    assert not untranslated, f"no Hindi for: {untranslated[:10]}"
    assert not broken, f"placeholders differ in: {broken[:10]}"


def test_numbers_use_indian_grouping_in_both_languages(app):
    for lang in ("en_IN", "hi_IN"):
        with app.test_request_context(headers={"Accept-Language": lang.split("_")[0]}):
            assert number(57406143) == "5,74,06,143"
            assert number(65014) == "65,014"
            assert percent(12.345) == "12.3 %"
            assert number(None) == "—"


def test_language_is_chosen_before_sign_in_and_remembered_after(client, auth):
    page = client.get("/auth/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Sign in" in page and "साइन इन" not in page

    token = auth.token("/auth/login")
    response = client.post("/auth/language", data={"lang": "hi", "next": "/auth/login", "csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"].endswith("/auth/login")
    page = client.get("/auth/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'lang="hi"' in page and "साइन इन" in page

    auth.login("collector.bhopal", lang=None)
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'lang="hi"' in page  # the demo collector's saved language is Hindi
    token = auth.token("/")
    client.post("/auth/language", data={"lang": "en", "next": "/", "csrf_token": token})
    auth.logout()
    auth.login("collector.bhopal", lang=None)
    page = client.get("/", headers={"Accept-Language": "hi"}).get_data(as_text=True)
    assert 'lang="en"' in page and "What to do today" in page


def test_unknown_language_is_refused(client, auth):
    token = auth.token("/auth/login")
    response = client.post("/auth/language", data={"lang": "fr", "csrf_token": token})
    assert response.status_code == 400


def test_error_pages_speak_both_languages(client, auth):
    auth.login("blo.1.1", lang="hi")
    token = auth.token("/")
    page = client.get("/accounts/")
    assert page.status_code == 403 and "अनुमति" in page.get_data(as_text=True)
    assert client.get("/no-such-page").status_code == 404
    client.post("/auth/language", data={"lang": "en", "csrf_token": token})
    page = client.get("/accounts/").get_data(as_text=True)
    assert "Not allowed" in page


# -- every flash, choice list, form error and error page in the reader's language ----------------

DEVANAGARI = re.compile(r"[\u0900-\u097F]")
WTFORMS_ENGLISH = (
    "This field is required.",
    "Not a valid",
    "Invalid Choice",
    "Field must be",
    "Field cannot be",
    "Number must be",
    "Invalid input.",
)


def _hindi_client(app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "hi"
    return client


def _messages(html: str) -> list[str]:
    """The field errors and flash messages shown on a page."""
    found = re.findall(r'class="field-error">([^<]*)<', html)
    found += re.findall(r'class="flash flash-\w+" role="\w+">([^<]*)<', html)
    return [text.strip() for text in found]


def test_the_sign_in_message_follows_the_language(app):
    client = _hindi_client(app)
    page = client.get("/places/", follow_redirects=True).get_data(as_text=True)
    assert "यह पेज देखने के लिए कृपया साइन इन करें।" in page
    assert "Please sign in to see this page." not in page
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get("/places/", follow_redirects=True).get_data(as_text=True)
    assert "Please sign in to see this page." in page


def test_the_district_list_of_the_account_form_follows_the_language(client, auth):
    auth.login("admin", lang="hi")
    options = re.findall(r"<option[^>]*>([^<]*)</option>", client.get("/accounts/new").get_data(as_text=True))
    assert "भोपाल" in options and "रायसेन" in options
    assert not any("Bhopal" in option or "Raisen" in option for option in options)
    assert "ईआरओ" in options  # the role list too
    client.post("/auth/language", data={"lang": "en", "csrf_token": auth.token("/")})
    options = re.findall(r"<option[^>]*>([^<]*)</option>", client.get("/accounts/new").get_data(as_text=True))
    assert "Bhopal" in options and not any(DEVANAGARI.search(o) for o in options if o not in ("हिन्दी",))


FORMS = [
    # (who, page, data posted): data that breaks every validator the form has
    (None, "/auth/login", {"login": "", "password": ""}),
    ("blo.1.1", "/auth/password", {"current": "", "new": "short", "confirm": "other"}),
    (
        "admin",
        "/accounts/new",
        {
            "role": "nope",
            "name": "",
            "login": "a b",
            "mobile": "12",
            "password": "x",
            "district_id": "x",
            "constituency_number": "abc",
            "locale": "fr",
        },
    ),
    (
        "state",
        "/campaign/",
        {
            "name": "",
            "enumeration_start": "soon",
            "enumeration_end": "",
            "daily_target_percent": "much",
            "timezone": "Mars/Olympus",
            "report_cutoff_hour": "99",
        },
    ),
    ("collector.bhopal", "/imports/", {}),
    (
        "sup.1.1",
        "/reviews/parts/{part}",
        {"kind": "shout", "outcome": "", "difficulty": "x", "follow_up_on": "x"},
    ),
]


@pytest.mark.parametrize(("login", "url", "data"), FORMS, ids=[form[1] for form in FORMS])
def test_form_errors_follow_the_language(app, login, url, data):
    from app.extensions import db
    from app.models import Constituency, Part

    with app.app_context():
        # Part 1-1, sup.1.1's: a select without an order may return any part on PostgreSQL.
        part = db.session.scalar(
            select(Part.id).join(Constituency).where(Constituency.number == 1, Part.number == 1)
        )
        url = url.format(part=part)
    client = _hindi_client(app)
    auth = AuthActions(client)
    if login:
        auth.login(login, lang="hi")
    response = client.post(url, data={**data, "csrf_token": auth.token(url)})
    assert response.status_code in (401, 422), response.status_code
    html = response.get_data(as_text=True)
    messages = _messages(html)
    assert messages, "no error shown"
    assert all(DEVANAGARI.search(message) for message in messages), messages
    assert not [english for english in WTFORMS_ENGLISH if english in html]


def test_flash_messages_follow_the_language(app):
    client = _hindi_client(app)
    auth = AuthActions(client)
    auth.login("collector.bhopal", lang="hi")
    client.post("/auth/logout", data={"csrf_token": auth.token("/")})
    assert _messages(client.get("/auth/login").get_data(as_text=True)) == ["आप साइन आउट हो गए हैं।"]


def test_a_bad_address_gets_the_error_page_in_the_language(client, auth):
    auth.login("collector.bhopal", lang="hi")
    page = client.get("/places/parts?page=abc")
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert "“abc” मान्य page नहीं है।" in html and "is not a valid" not in html


def test_hindi_uses_one_word_for_an_assembly_constituency_and_a_blo():
    """The CSVs and most pages say वि.स. and बीएलओ: no Hindi text mixes in "AC" or "BLO" in Latin letters."""
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    mixed = sorted(
        message.id
        for message in catalog
        if message.id and isinstance(message.string, str) and re.search(r"\b(AC|BLOs?)\b", message.string)
    )
    assert mixed == []
