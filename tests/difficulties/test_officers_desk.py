"""What each role tripped over on the difficulties' desk (issue 23, points 1 to 5): the officers'
reply templates offered to a BLO, a reopening without a clear refusal, "Waiting on me" in the
order of arrival, no way from a difficulty to its part, and a climbed one shown only as OVERDUE."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import unquote

import pytest

from app.difficulties import labels, services
from app.difficulties.models import Difficulty, Level, Status
from app.extensions import db
from tests.conftest import AuthActions
from tests.difficulties.board_support import freeze, fresh, kinds, raise_one, user

pytestmark = pytest.mark.usefixtures("without_seeded_difficulties")

START = datetime(2025, 11, 20, 4, 30)  # Thursday, 10:00 in Bhopal
OFFICERS_REPLY = "Spoken to the BLO; working on it today."


def _client(app, login: str, lang: str = "en"):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
    assert AuthActions(client).login(login, lang=lang).status_code == 303
    return client


def _post(client, difficulty_id: int, action: str, **data):
    token = AuthActions(client).token(f"/difficulties/{difficulty_id}")
    data.setdefault("version", db.session.get(Difficulty, difficulty_id).version)
    return client.post(
        f"/difficulties/{difficulty_id}/{action}",
        data={"csrf_token": token, **data},
        headers={"HX-Request": "true"},
    )


# -- 1. the officers' reply templates are the officers' ------------------------------------------


def test_a_blo_commenting_on_their_own_difficulty_is_offered_no_officers_reply(app):
    freeze(app, START)
    difficulty_id = raise_one(app, category="network")
    blo_page = _client(app, "blo.1.1").get(f"/difficulties/{difficulty_id}").get_data(as_text=True)
    assert 'id="comment-form"' in blo_page  # the BLO may comment …
    assert 'id="template-comment"' not in blo_page and OFFICERS_REPLY not in blo_page  # … in their words
    officer_page = _client(app, "sup.1.1").get(f"/difficulties/{difficulty_id}").get_data(as_text=True)
    assert 'id="template-comment"' in officer_page and OFFICERS_REPLY in officer_page


def test_a_blo_posting_an_officers_template_key_gets_no_officers_words(app):
    freeze(app, START)
    difficulty_id = raise_one(app, category="network")
    blo = _client(app, "blo.1.1")
    with app.app_context():
        key = next(k for k, _lang, _text in labels.responses(fresh(app, difficulty_id).category))
        response = _post(blo, difficulty_id, "comment", note="", template=key)
    assert response.status_code == 422
    assert "Write the comment." in response.get_data(as_text=True)
    assert kinds(app, difficulty_id) == ["created"]


# -- 2. reopening: the reason is required, and the refusal says so ------------------------------


def _resolved(app) -> int:
    freeze(app, START)
    difficulty_id = raise_one(app, category="forms_short")
    with app.app_context():
        supervisor = user("sup.1.1")
        difficulty = db.session.get(Difficulty, difficulty_id)
        services.perform(supervisor, difficulty, services.Action.ACKNOWLEDGE, services.ActionInput(), START)
        services.perform(
            supervisor,
            difficulty,
            services.Action.RESOLVE,
            services.ActionInput(note="Forms sent.", resolution="fixed"),
            START,
        )
        db.session.commit()
    return difficulty_id


def test_reopening_without_a_reason_is_refused_with_the_reason_in_x_refusal_and_the_input_kept(app):
    difficulty_id = _resolved(app)
    freeze(app, START + timedelta(hours=1))
    blo = _client(app, "blo.1.1")
    with app.app_context():
        empty = _post(blo, difficulty_id, "reopen", note=" ")
        long_reason = "Still short in ward 3. " * 25
        too_long = _post(blo, difficulty_id, "reopen", note=long_reason)
    assert empty.status_code == 422
    assert unquote(empty.headers["X-Refusal"]) == "Say why it is not fixed."
    assert unquote(too_long.headers["X-Refusal"]) == "Keep it to 500 characters or fewer."
    assert long_reason.strip() in too_long.get_data(as_text=True)  # what was typed, shown back
    assert fresh(app, difficulty_id).status == Status.RESOLVED


def test_the_reopening_refusal_is_in_hindi(app):
    difficulty_id = _resolved(app)
    freeze(app, START + timedelta(hours=1))
    blo = _client(app, "blo.1.1", lang="hi")
    with app.app_context():
        empty = _post(blo, difficulty_id, "reopen", note="")
    refusal = unquote(empty.headers["X-Refusal"])
    assert empty.status_code == 422 and refusal and refusal != "Say why it is not fixed."
    assert refusal in empty.get_data(as_text=True)


# -- 3. "Waiting on me" by the time left ----------------------------------------------------------


def _row_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'id="difficulty-row-(\d+)"', html)]


def test_waiting_on_me_lists_the_overdue_first_then_the_least_time_left(app):
    plenty = raise_one(app, category="network", now=START)  # 8 h to acknowledge: due 18:00
    overdue = raise_one(app, category="forms_short", now=START + timedelta(minutes=30))  # due 14:30
    soon = raise_one(app, category="app", now=START + timedelta(hours=1))  # due 15:00
    freeze(app, START + timedelta(hours=4, minutes=45))  # 14:45
    supervisor = _client(app, "sup.1.1")
    mine = supervisor.get("/difficulties/?owner=mine").get_data(as_text=True)
    assert _row_ids(mine) == [overdue, soon, plenty]
    everything = supervisor.get("/difficulties/").get_data(as_text=True)
    assert _row_ids(everything) == [soon, overdue, plenty]  # the whole board: newest first


# -- 4. from a difficulty to its part -------------------------------------------------------------


def test_a_difficulty_links_to_its_part_with_the_blo_and_a_phone_for_those_who_may_open_it(app):
    freeze(app, START)
    difficulty_id = raise_one(app, category="network")
    with app.app_context():
        difficulty = db.session.get(Difficulty, difficulty_id)
        part_id, blo = difficulty.part_id, difficulty.part.blo
        blo.mobile = blo.mobile or "9876543210"
        db.session.commit()
        blo_name, mobile = blo.name, blo.mobile
    for login in ("sup.1.1", "ero.1", "collector.bhopal", "state"):
        html = _client(app, login).get(f"/difficulties/{difficulty_id}").get_data(as_text=True)
        assert f'href="/progress/parts/{part_id}"' in html, login
        assert blo_name in html and f'href="tel:+91{mobile}"' in html, login
        assert _client(app, login).get(f"/progress/parts/{part_id}").status_code == 200, login
    own = _client(app, "blo.1.1").get(f"/difficulties/{difficulty_id}").get_data(as_text=True)
    assert f'href="/progress/parts/{part_id}"' in own and f'href="tel:+91{mobile}"' not in own


def test_no_link_to_a_part_the_reader_may_not_open(app):
    freeze(app, START)
    difficulty_id = raise_one(app, category="network")
    with app.app_context():
        difficulty = db.session.get(Difficulty, difficulty_id)
        part_id, old_blo = difficulty.part_id, difficulty.part.blo_id
        # The part changed hands: the BLO who reported still reads the difficulty, not the part.
        difficulty.part.blo_id = user("blo.1.2").id
        db.session.commit()
    client = _client(app, "blo.1.1")
    with app.app_context():
        assert user("blo.1.1").id == old_blo
    page = client.get(f"/difficulties/{difficulty_id}")
    assert page.status_code == 200
    assert f'href="/progress/parts/{part_id}"' not in page.get_data(as_text=True)
    assert client.get(f"/progress/parts/{part_id}").status_code == 403


# -- 5. after a climb, the new owner's time ------------------------------------------------------


def test_after_a_climb_the_board_shows_the_new_owners_time_left_on_their_level(app):
    freeze(app, START)
    difficulty_id = raise_one(app, category="forms_short")  # 4 h for the supervisor to acknowledge
    climbed_at = START + timedelta(hours=4, minutes=5)
    freeze(app, climbed_at)
    with app.app_context():
        services.escalate(climbed_at)
        db.session.commit()
    difficulty = fresh(app, difficulty_id)
    assert difficulty.level == Level.ERO and difficulty.overdue_since is not None
    freeze(app, climbed_at + timedelta(hours=1))
    html = _client(app, "ero.1").get("/difficulties/?owner=mine").get_data(as_text=True)
    row = html.split(f'id="difficulty-row-{difficulty_id}"', 1)[1].split("</tr>", 1)[0]
    assert "3 h 0 min left" in row and "OVERDUE" not in row
    assert "at this level; it climbed past the time below" in row
