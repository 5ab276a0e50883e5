"""A difficulty's page: what it shows, the actions it offers, and what the server does with them."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app.difficulties import services
from app.difficulties.models import (
    Difficulty,
    DifficultyEvent,
    DifficultyPhoto,
    Level,
    Notification,
    Resolution,
    Status,
)
from app.extensions import db
from app.models import AuditEntry
from tests.conftest import AuthActions, hindi
from tests.difficulties.board_support import freeze, fresh, kinds, raise_one, user

pytestmark = pytest.mark.usefixtures("without_seeded_difficulties")

START = datetime(2025, 11, 20, 4, 30)  # 10:00 in Bhopal


def _client(app, login: str, lang: str = "en"):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert AuthActions(client).login(login, lang=lang).status_code == 303
    return client


def _post(client, difficulty_id: int, action: str, htmx: bool = True, **data):
    token = AuthActions(client).token(f"/difficulties/{difficulty_id}")
    if "version" not in data:
        data["version"] = db.session.get(Difficulty, difficulty_id).version
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(
        f"/difficulties/{difficulty_id}/{action}", data={"csrf_token": token, **data}, headers=headers
    )


def test_the_full_page_shows_the_facts_the_clock_the_timeline_and_only_the_allowed_actions(app):
    freeze(app, START)
    difficulty_id = raise_one(app, category="network")
    freeze(app, START + timedelta(hours=2))
    client = _client(app, "sup.1.1")
    response = client.get(f"/difficulties/{difficulty_id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in html
    assert f"Difficulty #{difficulty_id}" in html
    assert "No network" in html and "Stops the work" in html
    assert "1-1 ·" in html  # AC-part
    assert "Used: 2 h 0 min of 8 h 0 min" in html and "6 h 0 min left" in html
    assert "Due: " in html and "OVERDUE" not in html
    assert "Raised" in html and "test difficulty" in html  # the timeline's first event and note
    assert "/acknowledge" in html and "/mark_duplicate" not in html  # no hints, so no one-tap
    for absent in ("/confirm", "/reopen", "/resolve", "/start"):
        assert absent not in html, absent
    assert f'name="version" value="{fresh(app, difficulty_id).version}"' in html
    assert "/photo" not in html


def test_the_htmx_fragment_is_the_main_block_and_a_boosted_link_gets_the_page(app):
    difficulty_id = raise_one(app)
    client = _client(app, "ero.1")
    fragment = client.get(f"/difficulties/{difficulty_id}", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and body.lstrip().startswith('<div id="difficulty">')
    assert "<html" not in body and "Timeline" in body
    assert "HX-Request" in fragment.headers["Vary"]
    boosted = client.get(
        f"/difficulties/{difficulty_id}", headers={"HX-Request": "true", "HX-Boosted": "true"}
    )
    assert "<html" in boosted.get_data(as_text=True) and 'id="difficulty"' in boosted.get_data(as_text=True)


def test_acknowledge_by_htmx_answers_the_updated_block_and_a_plain_post_redirects(app):
    first, second = raise_one(app), raise_one(app, part_number=2)
    client = _client(app, "sup.1.1")
    with app.app_context():
        response = _post(client, first, "acknowledge")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.lstrip().startswith('<div id="difficulty">')
    assert "Acknowledge: saved." in body and "/start" in body and "/acknowledge" not in body
    assert fresh(app, first).status == Status.ACKNOWLEDGED
    with app.app_context():
        plain = _post(client, second, "acknowledge", htmx=False)
    assert plain.status_code == 303 and plain.headers["Location"].endswith(f"/difficulties/{second}")
    assert "Acknowledge: saved." in client.get(plain.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.object_id.in_([str(first), str(second)]))
        ).all()
    assert actions.count("difficulty.acknowledge") == 2


def test_two_officers_acting_on_the_same_version_the_second_gets_409_and_nothing_changes(app):
    difficulty_id = raise_one(app)
    supervisor, ero = _client(app, "sup.1.1"), _client(app, "ero.1")
    version = fresh(app, difficulty_id).version
    for client in (supervisor, ero):  # both open the page at the same version
        page = client.get(f"/difficulties/{difficulty_id}").get_data(as_text=True)
        assert f'name="version" value="{version}"' in page
    with app.app_context():
        assert _post(supervisor, difficulty_id, "acknowledge", version=version).status_code == 200
    before = kinds(app, difficulty_id)
    with app.app_context():
        response = _post(ero, difficulty_id, "comment", version=version, note="I will call the BLO")
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else changed this difficulty a moment ago; here is what it is now." in body
    assert f'name="version" value="{version + 1}"' in body and "Acknowledged" in body  # the fresh state
    assert kinds(app, difficulty_id) == before == ["created", "acknowledged"]
    difficulty = fresh(app, difficulty_id)
    assert difficulty.version == version + 1 and difficulty.status == Status.ACKNOWLEDGED


def test_a_blo_may_not_acknowledge_403_and_is_not_offered_it(app):
    difficulty_id = raise_one(app)
    blo = _client(app, "blo.1.1")
    html = blo.get(f"/difficulties/{difficulty_id}").get_data(as_text=True)
    assert "/acknowledge" not in html and "/comment" in html
    with app.app_context():
        response = _post(blo, difficulty_id, "acknowledge")
    assert response.status_code == 403
    assert "You cannot do that to this difficulty now." in response.get_data(as_text=True)
    assert fresh(app, difficulty_id).status == Status.OPEN
    assert kinds(app, difficulty_id) == ["created"]


def test_a_supervisor_may_not_resolve_once_it_climbed_to_the_ero(app):
    freeze(app, START)
    difficulty_id = raise_one(app, category="network")  # 8 h to acknowledge at the supervisor
    with app.app_context():
        services.escalate(START + timedelta(hours=9))
        db.session.commit()
    freeze(app, START + timedelta(hours=9))
    assert fresh(app, difficulty_id).level == Level.ERO
    ero = _client(app, "ero.1")
    with app.app_context():
        assert _post(ero, difficulty_id, "acknowledge").status_code == 200
    supervisor = _client(app, "sup.1.1")
    html = supervisor.get(f"/difficulties/{difficulty_id}").get_data(as_text=True)
    assert "OVERDUE" in html and "Moved up a level" in html and "system" in html
    assert "/resolve" not in html and "/comment" in html  # an observer follows and comments
    with app.app_context():
        response = _post(supervisor, difficulty_id, "resolve", resolution="fixed", note="done")
    assert response.status_code == 403
    assert fresh(app, difficulty_id).status == Status.ACKNOWLEDGED


def test_resolve_without_a_note_is_422_in_hindi_and_saves_nothing(app):
    difficulty_id = raise_one(app)
    supervisor = _client(app, "sup.1.1", lang="hi")
    with app.app_context():
        assert _post(supervisor, difficulty_id, "acknowledge").status_code == 200
        response = _post(supervisor, difficulty_id, "resolve", resolution="fixed", note="  ")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert hindi(app, "Write what was done.") in body
    assert "कुछ भी सहेजा नहीं गया" in body
    assert 'value="fixed" checked' in body  # the form keeps what was chosen
    assert fresh(app, difficulty_id).status == Status.ACKNOWLEDGED
    assert "resolved" not in kinds(app, difficulty_id)


def test_resolve_with_a_code_and_a_template_and_the_reporter_confirms(app):
    difficulty_id = raise_one(app, category="forms_short")
    supervisor = _client(app, "sup.1.1")
    html = supervisor.get(f"/difficulties/{difficulty_id}").get_data(as_text=True)
    assert "More forms are sent with the supervisor today." in html  # English template
    assert "आज सुपरवाइज़र के साथ और फ़ॉर्म भेजे गए हैं।" in html  # and its Hindi
    with app.app_context():
        html = _post(supervisor, difficulty_id, "acknowledge").get_data(as_text=True)
    for code in ("Fixed", "Referred to the Commission&#39;s helpdesk", "Not ours to fix", "Cannot fix"):
        assert code in html, code
    with app.app_context():
        response = _post(supervisor, difficulty_id, "resolve", resolution="fixed", note="", template="0-en")
    assert response.status_code == 200
    difficulty = fresh(app, difficulty_id)
    assert difficulty.status == Status.RESOLVED and difficulty.resolution == Resolution.FIXED
    with app.app_context():
        note = db.session.scalar(
            select(DifficultyEvent.note).where(
                DifficultyEvent.difficulty_id == difficulty_id, DifficultyEvent.kind == "resolved"
            )
        )
    assert note == "More forms are sent with the supervisor today."
    blo = _client(app, "blo.1.1")
    html = blo.get(f"/difficulties/{difficulty_id}").get_data(as_text=True)
    assert "/confirm" in html and "/reopen" in html and "/resolve" not in html
    with app.app_context():
        assert _post(blo, difficulty_id, "confirm").status_code == 200
    assert fresh(app, difficulty_id).status == Status.CLOSED


def test_duplicate_hints_offer_one_tap_to_owners_only(app):
    original = raise_one(app, part_number=2, category="app")
    repeat = raise_one(app, part_number=3, category="app")
    elsewhere = raise_one(app, ac_number=2, part_number=1, category="app")  # another AC: not a hint
    supervisor = _client(app, "sup.1.1")
    html = supervisor.get(f"/difficulties/{repeat}").get_data(as_text=True)
    assert f"Mark as duplicate of #{original}" in html
    assert f"#{elsewhere}<" not in html and f"duplicate of #{repeat}" not in html
    blo = _client(app, "blo.1.3")
    blo_html = blo.get(f"/difficulties/{repeat}").get_data(as_text=True)
    assert "Mark as duplicate of" not in blo_html
    with app.app_context():
        response = _post(supervisor, repeat, "mark_duplicate", duplicate_of_id=original)
    assert response.status_code == 200
    difficulty = fresh(app, repeat)
    assert difficulty.status == Status.RESOLVED and difficulty.resolution == Resolution.DUPLICATE
    assert difficulty.duplicate_of_id == original


def test_the_photo_is_shown_when_there_is_one(app):
    difficulty_id = raise_one(app)
    with app.app_context():
        d = db.session.get(Difficulty, difficulty_id)
        db.session.add(
            DifficultyPhoto(
                difficulty_id=d.id,
                part_id=d.part_id,
                constituency_id=d.constituency_id,
                district_id=d.district_id,
                width=10,
                height=10,
                data=b"\xff\xd8\xff",
            )
        )
        db.session.commit()
    html = _client(app, "ero.1").get(f"/difficulties/{difficulty_id}").get_data(as_text=True)
    assert f'<img src="/difficulties/{difficulty_id}/photo"' in html


def test_out_of_scope_and_unknown_action_and_bad_version(app):
    inside, outside = raise_one(app), raise_one(app, ac_number=5, part_number=1)
    ero = _client(app, "ero.1")
    assert ero.get(f"/difficulties/{outside}").status_code == 403
    with app.app_context():
        assert _post(ero, outside, "acknowledge").status_code == 403
        assert _post(ero, inside, "explode").status_code == 404
        response = _post(ero, inside, "acknowledge", version="x")
    assert response.status_code == 422
    assert "lost track of the difficulty" in response.get_data(as_text=True)
    assert fresh(app, inside).status == Status.OPEN


def test_assign_from_the_page_hands_it_over_and_notifies_the_assignee(app):
    difficulty_id = raise_one(app, category="health")  # starts at the ERO
    ero = _client(app, "ero.1")
    with app.app_context():
        supervisor_id = user("sup.1.1").id
        html = ero.get(f"/difficulties/{difficulty_id}").get_data(as_text=True)
        assert 'name="assignee_id"' in html
        refused = _post(ero, difficulty_id, "assign", assignee_id=user("sup.5.1").id)
        assert refused.status_code == 422
        assert "Choose an officer of this part from the list." in refused.get_data(as_text=True)
        assert _post(ero, difficulty_id, "assign", assignee_id=supervisor_id).status_code == 200
        notices = db.session.scalars(
            select(Notification.kind).where(
                Notification.user_id == supervisor_id, Notification.difficulty_id == difficulty_id
            )
        ).all()
    difficulty = fresh(app, difficulty_id)
    assert difficulty.level == Level.SUPERVISOR and difficulty.owner_id == supervisor_id
    assert [k.value for k in notices] == ["new"]


# -- reopening: inside its window, with a reason --------------------------------------------------


def _resolved_at(app, moment: datetime) -> int:
    """A difficulty of part 1-1 raised, acknowledged and resolved by its supervisor at `moment`."""
    freeze(app, moment - timedelta(hours=1))
    difficulty_id = raise_one(app, category="forms_short")
    with app.test_request_context():
        supervisor = user("sup.1.1")
        difficulty = db.session.get(Difficulty, difficulty_id)
        services.perform(supervisor, difficulty, services.Action.ACKNOWLEDGE, services.ActionInput(), moment)
        services.perform(
            supervisor,
            difficulty,
            services.Action.RESOLVE,
            services.ActionInput(note="Forms sent.", resolution="fixed"),
            moment,
        )
        db.session.commit()
    return difficulty_id


def _refusal(response) -> str:
    from urllib.parse import unquote

    return unquote(response.headers.get("X-Refusal", ""))


def test_reopening_is_offered_in_its_window_and_asks_for_a_reason(app):
    difficulty_id = _resolved_at(app, START)
    freeze(app, START + timedelta(days=6, hours=23))
    blo = _client(app, "blo.1.1")
    html = blo.get(f"/difficulties/{difficulty_id}").get_data(as_text=True)
    status, timeline = (
        fresh(app, difficulty_id).status,
        kinds(app, difficulty_id),
    )  # closed by now, unconfirmed
    assert status in (Status.RESOLVED, Status.CLOSED)
    assert 'id="reopen-form"' in html and 'id="note-reopen"' in html and 'maxlength="500"' in html
    assert "You can reopen it until 27 Nov 2025, 10:00:00" in html  # 7 days after, in Bhopal's time
    with app.app_context():
        empty = _post(blo, difficulty_id, "reopen", note="  ")
        too_long = _post(blo, difficulty_id, "reopen", note="x" * 501)
    assert empty.status_code == too_long.status_code == 422
    assert "Say why it is not fixed." in empty.get_data(as_text=True)
    assert "Keep it to 500 characters or fewer." in too_long.get_data(as_text=True)
    assert 'id="reopen-form"' in empty.get_data(
        as_text=True
    ) and '<details class="reopen" open>' in empty.get_data(as_text=True)
    assert fresh(app, difficulty_id).status == status and kinds(app, difficulty_id) == timeline
    with app.app_context():
        done = _post(blo, difficulty_id, "reopen", note="Still 40 forms short in ward 3.")
    assert done.status_code == 200
    assert "Still 40 forms short in ward 3." in done.get_data(as_text=True)  # in the timeline
    assert fresh(app, difficulty_id).status == Status.OPEN
    with app.app_context():
        note = db.session.scalar(
            select(DifficultyEvent.note).where(
                DifficultyEvent.difficulty_id == difficulty_id, DifficultyEvent.kind == "reopened"
            )
        )
        entry = db.session.scalar(
            select(AuditEntry).where(
                AuditEntry.action == "difficulty.reopen", AuditEntry.object_id == str(difficulty_id)
            )
        )
    assert note == "Still 40 forms short in ward 3."
    assert entry.after["reason"] == "Still 40 forms short in ward 3." and entry.after["status"] == "open"


def test_after_its_window_reopening_is_not_offered_and_a_forced_post_names_the_window(app):
    difficulty_id = _resolved_at(app, START)
    freeze(app, START + timedelta(days=7, minutes=1))
    blo = _client(app, "blo.1.1")
    html = blo.get(f"/difficulties/{difficulty_id}").get_data(as_text=True)
    assert "/reopen" not in html and 'id="reopen-form"' not in html
    before = kinds(app, difficulty_id)
    with app.app_context():
        response = _post(blo, difficulty_id, "reopen", note="Still short.")
    body = response.get_data(as_text=True)
    assert response.status_code == 403
    assert (
        "Reopening is possible for 7 days after it was resolved; it was resolved on 20 Nov 2025, 10:00:00"
        in body
    )
    assert "so the last moment was 27 Nov 2025, 10:00:00" in body
    assert "You cannot do that to this difficulty now." not in body
    assert _refusal(response).startswith("Reopening is possible for 7 days after it was resolved")
    assert fresh(app, difficulty_id).status in (Status.RESOLVED, Status.CLOSED)
    assert kinds(app, difficulty_id) == before


def test_after_its_window_the_refusal_is_in_hindi(app):
    difficulty_id = _resolved_at(app, START)
    freeze(app, START + timedelta(days=8))
    blo = _client(app, "blo.1.1", lang="hi")
    with app.app_context():
        response = _post(blo, difficulty_id, "reopen", note="Still short.")
    assert response.status_code == 403
    message = hindi(
        app,
        "Reopening is possible for %(days)s days after it was resolved; it was resolved on %(resolved)s, so "
        "the last moment was %(until)s. Nothing was saved. If it is still not fixed, raise a new difficulty.",
    )
    opening = message.split("%(")[0]
    assert opening and opening in response.get_data(as_text=True) and opening in _refusal(response)
