"""The incremental roll-ups of the report path against a full recount, in random and concurrent runs."""

from __future__ import annotations

import random
import re
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, select

from app.campaign.clock import campaign_today
from app.extensions import db
from app.figures.models import FIGURES, ConstituencyDay, DailyReport, RollupFrontier
from app.figures.rollups import carry_forward, dense_through, recompute_constituency_days, set_dense_through
from app.models import Constituency, Part, User
from app.reports.services import submit_report
from tests.conftest import AuthActions


def figures_at(level: int) -> dict[str, int]:
    """Figures that keep every rule and rise with `level` (0 … electors)."""
    return {
        "distributed": level,
        "collected": level * 8 // 10,
        "digitized": level * 7 // 10,
        "mapped_self": level * 4 // 10,
        "mapped_progeny": level // 10,
        "unmapped": level // 10,
        "asd_absent": level * 5 // 100,
        "asd_shifted": level * 3 // 100,
        "asd_dead": level // 100,
        "asd_duplicate": 0,
    }


def level_of(report: DailyReport | None) -> int:
    return report.distributed if report is not None else 0


def rollup_rows() -> dict[tuple[int, date], tuple]:
    cd = ConstituencyDay
    return {
        (row[0], row[1]): tuple(row[2:])
        for row in db.session.execute(
            select(
                cd.constituency_id,
                cd.day,
                cd.parts_reported,
                cd.last_report_at,
                *(getattr(cd, n) for n in FIGURES),
            )
        )
    }


def assert_equals_full_recount() -> int:
    """Every roll-up row equals a recount from the reports; rows run without a gap per AC from its
    first report through the frontier. Returns how many rows were compared."""
    db.session.expire_all()
    frontier = dense_through()
    incremental = rollup_rows()
    first = db.session.scalar(select(DailyReport.report_date).order_by(DailyReport.report_date).limit(1))
    assert all(day >= first for _, day in incremental)
    by_ac: dict[int, list[date]] = {}
    for ac, day in incremental:
        by_ac.setdefault(ac, []).append(day)
    for ac, days in by_ac.items():
        days.sort()
        assert (days[-1] - days[0]).days + 1 == len(days), f"AC {ac} has a gap"
        first_report = db.session.scalar(
            select(DailyReport.report_date)
            .where(DailyReport.constituency_id == ac)
            .order_by(DailyReport.report_date)
            .limit(1)
        )
        assert days[0] == first_report
        if frontier is not None:
            assert days[-1] >= frontier
    recompute_constituency_days(list(db.session.scalars(select(Constituency.id))), first)
    recount = rollup_rows()
    db.session.rollback()
    for key, values in incremental.items():
        assert recount.get(key) == values, key
    assert all(frontier is None or day > frontier for _, day in set(recount) - set(incremental))
    return len(incremental)


def start_empty(frontier: date | None) -> None:
    """No report yet anywhere (and, with a frontier, nobody has read a day after it)."""
    db.session.execute(delete(ConstituencyDay))
    db.session.execute(delete(DailyReport))
    db.session.execute(delete(RollupFrontier))
    if frontier is not None:
        set_dense_through(frontier)
    db.session.commit()


@pytest.mark.parametrize("seed", range(6))
def test_random_reports_keep_the_roll_ups_equal_to_a_full_recount(app, seed):
    """New days, re-submissions, past days between two reports, corrections downward, the first
    report of an AC, days before its first row and beyond the frontier, readers moving the frontier."""
    rng = random.Random(seed)
    with app.app_context():
        today = campaign_today()
        actor = db.session.scalar(select(User).where(User.login == "state"))
        start_empty(today - timedelta(days=rng.choice((4, 8))) if seed % 2 else None)
        parts = db.session.scalars(select(Part).order_by(Part.id)).all()
        constituencies = sorted({p.constituency_id for p in parts})[:3]
        parts = [p for p in parts if p.constituency_id in constituencies]
        days = [today - timedelta(days=back) for back in range(12)]
        kinds = {"new": 0, "same day": 0, "between": 0, "correction": 0}
        for _ in range(60):
            if rng.random() < 0.1:
                carry_forward(rng.choice(days))
                continue
            part, day = rng.choice(parts), rng.choice(days)
            earlier = db.session.scalar(
                select(DailyReport)
                .where(DailyReport.part_id == part.id, DailyReport.report_date < day)
                .order_by(DailyReport.report_date.desc())
                .limit(1)
            )
            later = db.session.scalar(
                select(DailyReport)
                .where(DailyReport.part_id == part.id, DailyReport.report_date > day)
                .order_by(DailyReport.report_date)
                .limit(1)
            )
            low = level_of(earlier)
            high = level_of(later) if later is not None else min(part.electors, low + 60)
            reason = None
            if low > high or (low > 0 and rng.random() < 0.25):
                level, reason = rng.randint(0, min(low - 1, high)), "Counted twice"
                kinds["correction"] += 1
            else:
                level = rng.randint(low, high)
                same = db.session.scalar(
                    select(DailyReport.id).where(
                        DailyReport.part_id == part.id, DailyReport.report_date == day
                    )
                )
                kinds["same day" if same else "between" if later is not None else "new"] += 1
            submit_report(actor, part, day, figures_at(level), correction_reason=reason)
            db.session.commit()
        assert all(kinds.values()), kinds
        assert assert_equals_full_recount() > 0


def test_an_ac_s_first_report_on_a_day_before_the_frontier_fills_its_rows_through_it(app):
    with app.app_context():
        today = campaign_today()
        start_empty(today)
        actor = db.session.scalar(select(User).where(User.login == "state"))
        part = db.session.scalar(select(Part).order_by(Part.id).limit(1))
        submit_report(actor, part, today - timedelta(days=3), figures_at(40))
        db.session.commit()
        rows = rollup_rows()
        assert sorted(day for ac, day in rows if ac == part.constituency_id) == [
            today - timedelta(days=k) for k in (3, 2, 1, 0)
        ]
        digitized = FIGURES.index("digitized") + 2
        assert {rows[(part.constituency_id, today - timedelta(days=k))][digitized] for k in range(4)} == {28}
        submit_report(actor, part, today - timedelta(days=5), figures_at(20))
        db.session.commit()
        assert rollup_rows()[(part.constituency_id, today - timedelta(days=5))][:1] == (1,)
        assert rollup_rows()[(part.constituency_id, today - timedelta(days=4))][digitized] == 14
        assert assert_equals_full_recount() == 6


def rising(figures: dict[str, int], step: int) -> dict[str, int]:
    """A later report of the same part: a few more forms distributed, collected and digitized."""
    raised = ("distributed", "collected", "digitized")
    return {name: value + step if name in raised else value for name, value in figures.items()}


def _post_in_thread(app, errors, part_id, actor_id, posts):
    """One client's posts, in its own app context and session, as a worker would."""
    try:
        with app.test_request_context():
            for day, figures in posts:
                part = db.session.get(Part, part_id)
                submit_report(db.session.get(User, actor_id), part, day, figures)
                db.session.commit()
    except Exception as error:  # noqa: BLE001 - surfaced by the test below
        errors.append(error)
        raise


def _read_in_thread(app, errors, day):
    try:
        with app.app_context():
            carry_forward(day)
    except Exception as error:  # noqa: BLE001 - surfaced by the test below
        errors.append(error)
        raise


def test_concurrent_posts_to_one_ac_equal_a_full_recount(app):
    """Many writers to the parts of one AC at once (two on the same part), creating rows beyond the
    frontier while a reader carries the roll-ups forward: the sums stay exact."""
    with app.app_context():
        today = campaign_today()
        frontier = today - timedelta(days=3)
        db.session.execute(delete(ConstituencyDay).where(ConstituencyDay.day > frontier))
        db.session.execute(delete(DailyReport).where(DailyReport.report_date > frontier))
        db.session.execute(RollupFrontier.__table__.update().values(dense_through=frontier))
        db.session.commit()
        constituency_id = db.session.scalar(select(Constituency.id).order_by(Constituency.id).limit(1))
        parts = db.session.scalars(select(Part).where(Part.constituency_id == constituency_id)).all()
        latest = {
            p.id: db.session.scalar(
                select(DailyReport)
                .where(DailyReport.part_id == p.id)
                .order_by(DailyReport.report_date.desc())
                .limit(1)
            ).figures()
            for p in parts
        }
        actor_id = db.session.scalar(select(User.id).where(User.login == "state"))
    threads, errors = [], []
    for index, part_id in enumerate([p.id for p in parts] + [parts[0].id]):
        shift = index % 3 if index < len(parts) else 0  # the second writer of part 0 posts the same
        posts = [
            (frontier + timedelta(days=1 + min(2, (step + shift) // 3)), rising(latest[part_id], step))
            for step in range(8)
        ]
        threads.append(threading.Thread(target=_post_in_thread, args=(app, errors, part_id, actor_id, posts)))
    threads.insert(3, threading.Thread(target=_read_in_thread, args=(app, errors, today)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert not any(thread.is_alive() for thread in threads)
    with app.app_context():
        reported = db.session.scalar(
            select(ConstituencyDay.parts_reported).where(
                ConstituencyDay.constituency_id == constituency_id, ConstituencyDay.day == today
            )
        )
        assert reported == len(parts)
        assert assert_equals_full_recount() > 0


def _raise_digitized(part_login: str = "blo.1.1", by: int = 5) -> None:
    """Save today's report of a BLO's part with a few more forms digitized."""
    part = db.session.scalar(select(Part).join(User, Part.blo_id == User.id).where(User.login == part_login))
    latest = db.session.scalar(
        select(DailyReport)
        .where(DailyReport.part_id == part.id)
        .order_by(DailyReport.report_date.desc())
        .limit(1)
    )
    submit_report(db.session.get(User, part.blo_id), part, campaign_today(), rising(latest.figures(), by))
    db.session.commit()


def _without_csrf(page: bytes) -> bytes:
    """The page without its CSRF tokens' time and signature, which change from one second to the
    next (a signed, timestamped token), so two renderings of the same figures compare equal."""
    return re.sub(rb"(Im[A-Za-z0-9_-]{20,})\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", rb"\1.T.S", page)


def test_the_state_table_is_rendered_once_per_change_of_the_figures(app, client, auth, monkeypatch):
    """A second view of the same figures is served from the cache (the queries are not run again);
    a report saved is on the very next view, exactly as a fresh rendering shows it."""
    import app.progress.routes as routes

    auth.login("state")
    first = client.get("/progress/state")
    assert first.status_code == 200

    def not_again(*args, **kwargs):
        raise AssertionError("the state table was computed again for the same figures")

    monkeypatch.setattr(routes, "district_rows", not_again)
    assert _without_csrf(client.get("/progress/state").data) == _without_csrf(first.data)
    monkeypatch.undo()

    with app.test_request_context():
        _raise_digitized()
    after = client.get("/progress/state")
    assert after.status_code == 200 and _without_csrf(after.data) != _without_csrf(first.data)
    routes._state_tables.clear()
    assert _without_csrf(client.get("/progress/state").data) == _without_csrf(after.data)


def test_the_cached_state_table_follows_language_query_and_fragment(app, client, auth):
    auth.login("state")
    page = client.get("/progress/state")
    fragment = client.get("/progress/state", headers={"HX-Request": "true"})
    assert b"<html" in page.data and b"<html" not in fragment.data
    assert b'id="table"' in page.data and b'id="table"' in fragment.data
    again = client.get("/progress/state", headers={"HX-Request": "true"}).data
    assert _without_csrf(again) == _without_csrf(fragment.data)
    assert _without_csrf(client.get("/progress/state?sort=name").data) != _without_csrf(page.data)
    in_hindi = app.test_client()
    AuthActions(in_hindi).login("state", lang="hi")
    hindi = in_hindi.get("/progress/state")
    assert "राज्य".encode() in hindi.data and hindi.data != page.data


def test_a_state_table_cached_for_one_officer_shows_another_nothing_of_the_first(app, client, auth):
    """The table is the whole state's, the same for every state officer; the page around it is the
    officer's own: a second officer's page carries their own session's CSRF token, not the first's."""
    import re

    from app.models import Role

    with app.app_context():
        other = User(login="state.2", name="Second Officer", mobile="9000000002", role=Role.STATE)
        other.set_password("sir-demo-2025")
        db.session.add(other)
        db.session.commit()
    second = app.test_client()
    auth.login("state")
    AuthActions(second).login("state.2")
    pages = [c.get("/progress/state").data.decode() for c in (client, second)]
    tokens = [set(re.findall(r'name="csrf_token" value="([^"]+)"', page)) for page in pages]
    assert all(len(found) == 1 for found in tokens) and tokens[0] != tokens[1]
    tables = [page[page.index('<div id="table">') :] for page in pages]
    assert tables[0] == tables[1]
