"""The difficulties' figures: medians by window functions (the same SQL on SQLite and PostgreSQL:
run this file with TEST_DATABASE_URL too), counts per resolution code, per-place counts, and the
blocks that show them on the home pages, the progress tables and the figures page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, select, true, update

from app.difficulties import figures
from app.difficulties.models import (
    Category,
    Difficulty,
    DifficultyEvent,
    Level,
    Notification,
    Resolution,
    Source,
    Status,
)
from app.difficulties.services import NewDifficulty, raise_difficulty
from app.extensions import db
from app.models import Constituency, Part, User
from app.reviews.models import BloReview
from app.timeutil import utcnow
from tests.conftest import remove_seeded_inspections


@pytest.fixture
def ctx(app):
    remove_seeded_inspections(app)  # its flag and stop name a difficulty
    with app.app_context():
        db.session.execute(update(BloReview).values(difficulty_id=None))
        for model in (Notification, DifficultyEvent, Difficulty):
            db.session.execute(delete(model))
        db.session.commit()
        yield app
        db.session.remove()


def part(ac: int, number: int) -> Part:
    return db.session.scalar(
        select(Part).join(Constituency).where(Constituency.number == ac, Part.number == number)
    )


def make(category, ac=1, number=1, **columns) -> Difficulty:
    blo = db.session.scalar(select(User).where(User.login == f"blo.{ac}.{number}"))
    difficulty = raise_difficulty(blo, part(ac, number), NewDifficulty(category.value, "low"), Source.BLO)
    db.session.flush()
    if columns:
        db.session.execute(update(Difficulty).where(Difficulty.id == difficulty.id).values(**columns))
    return difficulty


def test_medians_and_counts_per_code_by_category(ctx):
    for seconds in (400, 100, 300, 200):  # median 250, the mean of the middle two
        make(Category.APP, acknowledge_seconds=seconds, resolve_seconds=seconds * 10)
    for seconds in (30, 10, 20):  # median 20, the middle one
        make(Category.NETWORK, acknowledge_seconds=seconds)
    make(Category.NETWORK)  # not acknowledged yet: left out of the median, counted as open
    done = dict(status=Status.RESOLVED, resolved_at=utcnow())
    make(Category.MAPPING, resolution=Resolution.FIXED, **done)
    make(Category.MAPPING, resolution=Resolution.CANNOT_FIX, **done)
    make(Category.MAPPING, resolution=Resolution.CANNOT_FIX, status=Status.CLOSED)
    make(Category.MAPPING, overdue_since=utcnow() - timedelta(hours=1))
    make(Category.MAPPING, overdue_since=utcnow(), status=Status.CLOSED, resolution=Resolution.HELPDESK)
    db.session.commit()

    rows = {row.key: row for row in figures.figures(true(), "category")}
    assert list(rows) == list(Category)  # every category has its row, empty ones too
    app_row, network, mapping = rows[Category.APP], rows[Category.NETWORK], rows[Category.MAPPING]
    assert app_row.acknowledge_median_seconds == 250 and app_row.resolve_median_seconds == 2500
    assert (network.acknowledge_median_seconds, network.resolve_median_seconds) == (20, None)
    assert (network.total, network.open, network.overdue) == (4, 4, 0)
    assert (mapping.total, mapping.open, mapping.overdue) == (5, 1, 1)  # a closed one is not overdue
    assert mapping.resolutions == {
        Resolution.FIXED: 1,
        Resolution.HELPDESK: 1,
        Resolution.NOT_OURS: 0,
        Resolution.DUPLICATE: 0,
        Resolution.CANNOT_FIX: 2,
    }
    assert mapping.not_fixed == 3
    assert rows[Category.HEALTH].total == 0 and rows[Category.HEALTH].acknowledge_median_seconds is None

    whole = figures.overall(true())
    assert (whole.total, whole.open) == (13, 9)
    # 100, 200, 300, 400, 10, 20, 30: the middle one is 100
    assert whole.acknowledge_median_seconds == 100


def test_figures_by_level_and_within_a_scope(ctx):
    make(Category.APP, acknowledge_seconds=60)
    make(Category.APP, 5, 1, level=Level.ERO, acknowledge_seconds=120, overdue_since=utcnow())
    db.session.commit()
    by_level = {row.key: row for row in figures.figures(true(), "level")}
    assert by_level[Level.SUPERVISOR].open == 1 and by_level[Level.ERO].overdue == 1
    assert by_level[Level.ERO].acknowledge_median_seconds == 120
    bhopal = db.session.scalar(select(Constituency.district_id).where(Constituency.number == 1))
    only_bhopal = figures.overall(Difficulty.district_id == bhopal)
    assert (only_bhopal.total, only_bhopal.acknowledge_median_seconds) == (1, 60)


def test_place_counts_in_one_grouped_query(ctx):
    make(Category.APP, 1, 1)
    make(Category.NETWORK, 1, 1, overdue_since=utcnow())
    make(Category.APP, 1, 2, status=Status.CLOSED)
    make(Category.APP, 5, 1, overdue_since=utcnow())
    db.session.commit()
    by_part = figures.place_counts(true(), "part")
    assert by_part[part(1, 1).id] == figures.PlaceCount(2, 1)
    assert part(1, 2).id not in by_part  # nothing open there
    by_ac = figures.place_counts(true(), "constituency")
    assert by_ac[part(5, 1).constituency_id] == figures.PlaceCount(1, 1)
    assert len(figures.place_counts(true(), "district")) == 2


def test_the_collector_sees_the_overdue_ones_longest_first(app, client, auth):
    auth.login("collector.bhopal")
    html = client.get("/").get_data(as_text=True)
    assert 'id="difficulties"' in html
    with app.app_context():
        district = db.session.scalar(select(User.district_id).where(User.login == "collector.bhopal"))
        overdue = figures.most_overdue(Difficulty.district_id == district)
        assert overdue, "the tiny seed leaves one overdue difficulty in Bhopal"
        first = overdue[0]
    assert f"/difficulties/{first.id}" in html
    assert f"{first.ac_number}-{first.part_number}" in html
    assert "/difficulties/?overdue=1" in html and "Overdue, longest first" in html


@pytest.mark.parametrize("login", ["state", "ero.1", "sup.1.1"])
def test_other_officers_get_the_smaller_block(client, auth, login):
    auth.login(login)
    html = client.get("/").get_data(as_text=True)
    assert 'id="difficulties"' in html and "Overdue, longest first" not in html
    assert "/difficulties/figures" in html


def test_a_blo_home_has_no_figures_block(client, auth):
    auth.login("blo.1.1")
    assert 'id="difficulties"' not in client.get("/").get_data(as_text=True)


def test_progress_tables_show_open_and_overdue_difficulties(app, client, auth):
    with app.app_context():
        counts = figures.place_counts(true(), "district")
        bhopal = db.session.scalar(select(User.district_id).where(User.login == "collector.bhopal"))
        expected = counts[bhopal]
    auth.login("state")
    html = client.get("/progress/state").get_data(as_text=True)
    assert "open / overdue" in html
    row = html.split(f'id="row-{bhopal}"')[1].split("</tr>")[0]
    assert f"{expected.open} / " in row and f">{expected.overdue}</mark>" in row
    # The cached table follows a change in the difficulties at once.
    with app.app_context():
        make(Category.APP, 1, 5)
        db.session.commit()
    row = client.get("/progress/state").get_data(as_text=True).split(f'id="row-{bhopal}"')[1]
    assert f"{expected.open + 1} / " in row.split("</tr>")[0]
    fragment = client.get("/progress/state", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "open / overdue" in fragment and "<html" not in fragment
    auth.logout()

    auth.login("collector.bhopal")
    html = client.get(f"/progress/districts/{bhopal}").get_data(as_text=True)
    assert "open / overdue" in html
    auth.logout()
    auth.login("ero.1")
    with app.app_context():
        ac = db.session.scalar(select(User.constituency_id).where(User.login == "ero.1"))
    html = client.get(f"/progress/constituencies/{ac}").get_data(as_text=True)
    assert "open / overdue" in html


def test_the_figures_page(client, auth):
    auth.login("collector.bhopal")
    response = client.get("/difficulties/figures")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "By category" in html and "By level" in html and "Cannot fix" in html
    auth.logout()
    auth.login("collector.bhopal", lang="hi")
    html = client.get("/difficulties/figures").get_data(as_text=True)
    assert "श्रेणी के अनुसार" in html
