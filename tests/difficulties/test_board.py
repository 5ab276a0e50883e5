"""The officers' board and its bulk assign, the badge and notices, a district's routing, and the
"difficulties" export."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta

import openpyxl
import pytest
from sqlalchemy import event, func, select

from app.difficulties import services
from app.difficulties.models import Difficulty, DifficultyRoute, Level, Notification
from app.extensions import db
from app.models import AuditEntry
from tests.conftest import AuthActions
from tests.difficulties.board_support import freeze, fresh, raise_one, user

pytestmark = pytest.mark.usefixtures("without_seeded_difficulties")

START = datetime(2025, 11, 20, 4, 30)


def _client(app, login: str, lang: str = "en"):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert AuthActions(client).login(login, lang=lang).status_code == 303
    return client


def _row_ids(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'id="difficulty-row-(\d+)"', html)}


def test_the_board_shows_the_scope_and_its_fragment_answers_the_filters(app):
    bhopal = [raise_one(app, category="network"), raise_one(app, ac_number=2, part_number=1, category="app")]
    raisen = raise_one(app, ac_number=5, part_number=1)
    collector = _client(app, "collector.bhopal")
    page = collector.get("/difficulties/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in html
    assert _row_ids(html) == set(bhopal) and raisen not in _row_ids(html)
    for column in (
        "Opened",
        "AC-part",
        "Category",
        "Severity",
        "Status",
        "Level / owner",
        "Time left",
        "Source",
    ):
        assert f">{column}<" in html, column
    assert "Waiting on me: 0" in html  # both sit with supervisors
    fragment = collector.get("/difficulties/?category=app", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="board-rows">') and "<html" not in body
    assert _row_ids(body) == {bhopal[1]}
    with app.app_context():
        ac2 = db.session.get(Difficulty, bhopal[1]).constituency_id
    assert _row_ids(collector.get(f"/difficulties/?constituency_id={ac2}").get_data(as_text=True)) == {
        bhopal[1]
    }
    assert collector.get("/difficulties/?district_id=99999").status_code == 404
    bad = collector.get("/difficulties/?status=lost")
    assert bad.status_code == 400 and "is not a valid status" in bad.get_data(as_text=True)
    ero = _client(app, "ero.1")
    assert _row_ids(ero.get("/difficulties/").get_data(as_text=True)) == {bhopal[0]}
    state = _client(app, "state")
    assert _row_ids(state.get("/difficulties/").get_data(as_text=True)) == {*bhopal, raisen}


def test_status_owner_overdue_and_source_filters(app):
    freeze(app, START)
    old = raise_one(app, category="network", now=START)
    fresh_one = raise_one(app, part_number=2, category="health", now=START + timedelta(hours=8, minutes=30))
    by_officer = raise_one(app, part_number=3, category="other", by="ero.1", now=START + timedelta(hours=7))
    freeze(app, START + timedelta(hours=9))  # the first is past its 8 hours; the escalation has not run
    ero = _client(app, "ero.1")

    def rows(query: str) -> set[int]:
        return _row_ids(ero.get(f"/difficulties/?{query}").get_data(as_text=True))

    assert rows("overdue=1") == {old}
    html = ero.get("/difficulties/").get_data(as_text=True)
    assert "OVERDUE" in html and "by 1 h 0 min" in html
    assert rows("owner=mine") == {fresh_one}  # health starts at the ERO
    assert rows("owner=supervisor") == {old, by_officer}
    assert rows("source=officer") == {by_officer}
    assert "Waiting on me: 1" in html
    with app.app_context():
        services.perform(
            user("ero.1"),
            db.session.get(Difficulty, fresh_one),
            services.Action.ACKNOWLEDGE,
            services.ActionInput(),
        )
        services.perform(
            user("ero.1"),
            db.session.get(Difficulty, fresh_one),
            services.Action.RESOLVE,
            services.ActionInput(resolution="fixed", note="done"),
        )
        db.session.commit()
    assert rows("") == {old, by_officer}  # active ones by default
    assert rows("status=resolved") == {fresh_one}
    assert rows("status=all") == {old, fresh_one, by_officer}


def test_bulk_assign_is_all_or_nothing(app):
    first, second = raise_one(app), raise_one(app, part_number=2)
    ero = _client(app, "ero.1")
    html = ero.get("/difficulties/").get_data(as_text=True)
    assert 'name="ids"' in html and 'name="assignee_id"' in html
    token = AuthActions(ero).token("/difficulties/")
    with app.app_context():
        ero_id = user("ero.1").id
        versions = {i: db.session.get(Difficulty, i).version for i in (first, second)}
    # The second changed under the officer's eyes: nothing is assigned, and the message names it.
    stale = {"csrf_token": token, "assignee_id": ero_id, "ids": [f"{first}:{versions[first]}", f"{second}:1"]}
    response = ero.post("/difficulties/assign", data=stale, headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Nothing was assigned." in body and f"#{second} was changed by someone else" in body
    assert fresh(app, first).owner_id != ero_id and fresh(app, second).owner_id != ero_id
    # A difficulty outside the ERO's AC is refused the same way.
    outside = raise_one(app, ac_number=5, part_number=1)
    with app.app_context():
        outside_version = db.session.get(Difficulty, outside).version
    refused = ero.post(
        "/difficulties/assign",
        data={
            "csrf_token": token,
            "assignee_id": ero_id,
            "ids": [f"{first}:{versions[first]}", f"{outside}:{outside_version}"],
        },
    )
    assert refused.status_code == 303
    assert f"#{outside} is not yours to assign now." in ero.get(refused.headers["Location"]).get_data(
        as_text=True
    )
    assert fresh(app, first).owner_id != ero_id
    # Both current: both go to the ERO, in one commit.
    ok = {"csrf_token": token, "assignee_id": ero_id, "ids": [f"{i}:{v}" for i, v in versions.items()]}
    response = ero.post("/difficulties/assign", data=ok, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "2 difficulties given to" in response.get_data(as_text=True)
    for difficulty_id in (first, second):
        difficulty = fresh(app, difficulty_id)
        assert difficulty.owner_id == ero_id and difficulty.level == Level.ERO
    nothing = ero.post("/difficulties/assign", data={"csrf_token": token}, headers={"HX-Request": "true"})
    assert nothing.status_code == 422 and "Tick the difficulties to assign." in nothing.get_data(as_text=True)


def test_the_board_costs_a_handful_of_queries_whatever_its_rows(app):
    for part_number in range(1, 7):
        for category in ("network", "app", "mapping"):
            raise_one(app, part_number=part_number, category=category)
    collector = _client(app, "collector.bhopal")
    with app.app_context():
        engine = db.engine
    statements = []

    def count(*_):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        html = collector.get("/difficulties/").get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(_row_ids(html)) == 18
    # The statement count is what scale costs; a wall-clock limit only measured the shared machine.
    assert len(statements) <= 14, len(statements)


def test_the_badge_counts_the_queue_and_unread_notices_in_one_query(app):
    raise_one(app, category="health")  # to the ERO's queue, with a notice
    raise_one(app, part_number=2, category="safety")
    ero = _client(app, "ero.1")
    html = ero.get("/").get_data(as_text=True)
    link = re.search(r'<a href="/difficulties/" class="difficulties-link">(.*?)</a>', html, re.S)
    assert link, "no Difficulties link in the menu"
    assert '<span class="visually-hidden">: 2 waiting on you, 2 unread notices</span>' in link[1]
    assert '<span class="count-badge" aria-hidden="true">4</span>' in html
    volunteer = _client(app, "vol.bhopal.1")
    assert "difficulties-link" not in volunteer.get("/").get_data(as_text=True)


def test_notifications_list_newest_first_and_mark_read(app):
    first = raise_one(app, category="health")
    second = raise_one(app, part_number=2, category="safety")
    ero = _client(app, "ero.1")
    page = ero.get("/difficulties/notifications")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Unread: 2" in html
    assert html.index(f"#{second} ·") < html.index(f"#{first} ·")
    assert "A difficulty arrived in your queue" in html and html.count("<mark>New</mark>") == 2
    fragment = ero.get("/difficulties/notifications", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="notices">')
    token = AuthActions(ero).token("/difficulties/notifications")
    with app.app_context():
        ero_id = user("ero.1").id
        one = db.session.scalar(
            select(Notification.id).where(Notification.user_id == ero_id, Notification.difficulty_id == first)
        )
    answer = ero.post(
        "/difficulties/notifications/read",
        data={"csrf_token": token, "id": one},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200 and "Unread: 1" in answer.get_data(as_text=True)
    bad = ero.post("/difficulties/notifications/read", data={"csrf_token": token, "id": "x"})
    assert bad.status_code == 422
    assert ero.post("/difficulties/notifications/read", data={"csrf_token": token}).status_code == 303
    with app.app_context():
        unread = db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == ero_id, Notification.read_at.is_(None)
            )
        )
        audited = db.session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.action == "difficulty.notifications_read")
        )
    assert unread == 0 and audited == 2


def _routing_form(token: str, **changes) -> dict:
    data = {"csrf_token": token}
    defaults = {
        "health": ("ero", "1", "4"),
        "safety": ("ero", "1", "4"),
        "app": ("supervisor", "4", "24"),
        "discrepancy": ("ero", "8", "48"),
    }
    for category in (
        "app",
        "network",
        "forms_short",
        "electors_absent",
        "mapping",
        "workload",
        "health",
        "safety",
        "other",
        "discrepancy",
    ):
        level, acknowledge, resolve = changes.get(category, defaults.get(category, ("supervisor", "8", "48")))
        data.update(
            {
                f"{category}-first_level": level,
                f"{category}-acknowledge": acknowledge,
                f"{category}-resolve": resolve,
            }
        )
    return data


def test_routing_is_validated_saved_audited_and_used(app):
    collector = _client(app, "collector.bhopal")
    page = collector.get("/difficulties/routing").get_data(as_text=True)
    assert "Default: ERO, 1 h to acknowledge, 4 h to resolve" in page
    assert 'name="health-first_level"' in page and "Save the routing" in page
    token = AuthActions(collector).token("/difficulties/routing")
    for bad, message in (
        (("supervisor", "0", "48"), "Give a number of hours above 0."),
        (("supervisor", "-2", "48"), "Give a number of hours above 0."),
        (("supervisor", "abc", "48"), "Give a number of hours above 0."),
        (("supervisor", "8", "8"), "The time to resolve must be longer than the time to acknowledge."),
        (("supervisor", "100", "200"), "At most 72 hours to acknowledge."),
        (("supervisor", "8", "1000"), "At most 720 hours to resolve."),
        (("state", "8", "48"), "Choose who gets it first."),
    ):
        response = collector.post(
            "/difficulties/routing", data=_routing_form(token, network=bad), headers={"HX-Request": "true"}
        )
        assert response.status_code == 422, bad
        assert message in response.get_data(as_text=True), bad
    with app.app_context():
        assert db.session.scalar(select(func.count(DifficultyRoute.id))) == 0
    saved = collector.post("/difficulties/routing", data=_routing_form(token, network=("ero", "0.5", "6")))
    assert saved.status_code == 303
    with app.app_context():
        route = db.session.scalar(select(DifficultyRoute).where(DifficultyRoute.category == "network"))
        assert (route.first_level, route.acknowledge_minutes, route.resolve_minutes) == (Level.ERO, 30, 360)
        assert (
            db.session.scalar(
                select(func.count(AuditEntry.id)).where(AuditEntry.action == "difficulty.routing")
            )
            == 1
        )
    html = collector.get("/difficulties/routing").get_data(as_text=True)
    assert 'value="0.5"' in html and "changed" in html
    difficulty_id = raise_one(app, category="network")
    assert fresh(app, difficulty_id).level == Level.ERO
    # The state office reads any district's routing, and may not change it.
    state = _client(app, "state")
    with app.app_context():
        bhopal = user("collector.bhopal").district_id
    read_only = state.get(f"/difficulties/routing?district_id={bhopal}").get_data(as_text=True)
    assert "collector can change these." in read_only and 'value="0.5"' in read_only
    assert "Choose a district to see its routing." in state.get("/difficulties/routing").get_data(
        as_text=True
    )
    state_token = AuthActions(state).token("/difficulties/routing")
    assert state.post("/difficulties/routing", data=_routing_form(state_token)).status_code == 403


def test_the_difficulties_export_follows_the_board(app):
    freeze(app, START)
    network = raise_one(app, category="network", now=START)
    raise_one(app, part_number=2, category="app", now=START)
    raisen = raise_one(app, ac_number=5, part_number=1, now=START)
    freeze(app, START + timedelta(hours=9))
    collector = _client(app, "collector.bhopal")
    response = collector.get("/exports/difficulties.csv?category=network")
    assert response.status_code == 200 and response.data.startswith(b"\xef\xbb\xbf")
    header, *rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert header[:4] == ["No.", "Opened", "AC no.", "Part no."] and "Resolution" in header
    assert [int(r[0]) for r in rows] == [network]
    record = dict(zip(header, rows[0], strict=True))
    assert record["Category"] == "No network" and record["Hours left, or OVERDUE"] == "OVERDUE"
    assert record["Opened"] == "2025-11-20 10:00"  # the campaign's zone
    everything = collector.get("/exports/difficulties.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(everything.data)).active
    ids = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert raisen not in ids and len(ids) == 2
    assert collector.get("/exports/difficulties.csv?status=nothing").status_code == 400
    with app.app_context():
        raisen_district = db.session.get(Difficulty, raisen).district_id
    assert collector.get(f"/exports/difficulties.csv?district_id={raisen_district}").status_code == 403
    assert _client(app, "blo.1.1").get("/exports/difficulties.csv").status_code == 403
    board = collector.get("/difficulties/?category=network").get_data(as_text=True)
    assert "/exports/difficulties.csv?category=network" in board


def test_hindi_board(app):
    raise_one(app, category="network")
    html = _client(app, "collector.bhopal", lang="hi").get("/difficulties/").get_data(as_text=True)
    assert "<h1>कठिनाइयाँ</h1>" in html and "नेटवर्क नहीं" in html  # "No network"
    assert "मेरी प्रतीक्षा में: 0" in html and "Waiting on me" not in html
