"""The other queueable posts under a key: a difficulty, check-in, check-out and the day's work log.
Each sent twice is saved once and answered alike; a refusal says why in one line."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.difficulties.models import Difficulty
from app.volunteers.models import VisitDay
from tests.idempotency.support import audit_count, count, key_count, new_key, refusal
from tests.volunteers.mine_support import START, days_of, freeze, fresh, make_offer, page_token, signed_in


def _difficulty_form(client) -> dict:
    html = client.get("/difficulties/new").get_data(as_text=True)
    return {
        "csrf_token": re.search(r'"X-CSRFToken": "([^"]+)"', html)[1],
        "form_token": re.search(r'name="form_token" type="hidden" value="([^"]+)"', html)[1],
    }


@pytest.mark.usefixtures("without_seeded_difficulties")
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_a_difficulty_sent_twice_is_logged_once(app, client, auth, htmx):
    auth.login("blo.1.1")
    data = {**_difficulty_form(client), "category": "network", "severity": "high"}
    headers = {"Idempotency-Key": new_key()} | ({"HX-Request": "true"} if htmx else {})
    first = client.post("/difficulties/new", data=data, headers=headers)
    assert first.status_code == (200 if htmx else 303)
    audits = audit_count(app, "difficulty.")
    # A new sign-in changes the CSRF token: the payload is the same all the same.
    data["csrf_token"] = _difficulty_form(client)["csrf_token"]
    again = client.post("/difficulties/new", data=data, headers=headers)
    assert again.status_code == first.status_code and again.headers["Idempotent-Replay"] == "true"
    assert again.get_data() == first.get_data()
    assert again.headers.get("Location") == first.headers.get("Location")
    assert count(app, Difficulty) == 1
    assert audit_count(app, "difficulty.") == audits


@pytest.mark.usefixtures("without_seeded_difficulties")
def test_a_refused_difficulty_says_why_and_keeps_no_key(app, client, auth):
    auth.login("blo.1.1")
    data = {**_difficulty_form(client), "severity": "high"}
    refused = client.post(
        "/difficulties/new", data=data, headers={"Idempotency-Key": new_key(), "HX-Request": "true"}
    )
    assert refused.status_code == 422
    reason = refusal(refused)
    assert reason and reason in refused.get_data(as_text=True)
    assert count(app, Difficulty) == 0 and key_count(app) == 0


def _post(client, url, key, htmx=True, **data):
    token = page_token(client.get("/").get_data(as_text=True))
    headers = {"Idempotency-Key": key} | ({"HX-Request": "true"} if htmx else {})
    return client.post(url, data={"csrf_token": token, **data}, headers=headers)


@pytest.mark.usefixtures("without_seeded_volunteers")
def test_check_in_and_check_out_sent_twice_are_saved_once(app):
    freeze(app, START)
    assignment = make_offer(app, accept=True)
    client = signed_in(app, "vol.bhopal.1")
    check_in, check_out = (
        f"/volunteers/assignments/{assignment}/{what}" for what in ("check-in", "check-out")
    )
    key = new_key()
    first = _post(client, check_in, key, lat="23.25", lon="77.41")
    assert first.status_code == 200
    freeze(app, START + timedelta(minutes=5))
    again = _post(client, check_in, key, lat="23.25", lon="77.41")
    assert again.headers["Idempotent-Replay"] == "true" and again.get_data() == first.get_data()
    (visit,) = days_of(app, assignment)
    assert visit.check_in_at == START
    assert audit_count(app, "volunteer.check_in") == 1

    freeze(app, START + timedelta(hours=3))
    key = new_key()
    out = _post(client, check_out, key, htmx=False, confirm="1")
    assert out.status_code == 303
    freeze(app, START + timedelta(hours=4))
    again = _post(client, check_out, key, htmx=False, confirm="1")
    assert again.status_code == 303 and again.headers["Idempotent-Replay"] == "true"
    assert "Checked out at" in client.get(again.headers["Location"]).get_data(as_text=True)
    (visit,) = days_of(app, assignment)
    assert visit.minutes == 180
    assert audit_count(app, "volunteer.check_out") == 1
    assert count(app, VisitDay) == 1


@pytest.mark.usefixtures("without_seeded_volunteers")
def test_the_work_log_sent_twice_is_saved_once_and_a_refusal_is_released(app):
    freeze(app, START)
    assignment = make_offer(app, accept=True)
    client = signed_in(app, "vol.bhopal.1")
    _post(client, f"/volunteers/assignments/{assignment}/check-in", new_key())
    (visit,) = days_of(app, assignment)
    url = f"/volunteers/days/{visit.id}/work"
    keys_before = key_count(app)
    key = new_key()
    # A plain post's refusal is a redirect with the message flashed: it still says why, and keeps no key.
    refused = _post(client, url, key, htmx=False, forms_helped="-1", electors_helped="3")
    assert refused.status_code == 303
    assert refusal(refused).startswith("Give a whole number")
    assert key_count(app) == keys_before
    saved = _post(client, url, key, forms_helped="4", electors_helped="9", notes="door to door")
    assert saved.status_code == 200
    again = _post(client, url, key, forms_helped="4", electors_helped="9", notes="door to door")
    assert again.headers["Idempotent-Replay"] == "true"
    assert audit_count(app, "volunteer.log_work") == 1
    found = fresh(app, VisitDay, visit.id)
    assert (found.forms_helped, found.electors_helped) == (4, 9)


@pytest.mark.usefixtures("without_seeded_volunteers")
def test_a_check_in_refused_says_why_in_one_line(app):
    freeze(app, START)
    assignment = make_offer(app)  # offered, not accepted
    client = signed_in(app, "vol.bhopal.1")
    refused = _post(client, f"/volunteers/assignments/{assignment}/check-in", new_key())
    assert refused.status_code == 409
    assert refusal(refused) == "You can check in only to an assignment you have accepted."
    assert refusal(refused) in refused.get_data(as_text=True)
    assert key_count(app) == 0 and days_of(app, assignment) == []
