"""Bilingual from the first screen: no message without Hindi, Indian digit grouping, a switcher."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from app.formatting import number, percent

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
    import re

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
