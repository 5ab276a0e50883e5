"""Roll-ups, ranks, missing reports, projections and the progress pages."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import and_, func, select, true

from app.campaign.clock import campaign_today
from app.extensions import db
from app.figures.models import FIGURES, DailyReport
from app.figures.queries import constituency_rows, district_rows, part_rows, parts_needing_a_call, total_row
from app.figures.rollups import recompute_constituency_days
from app.figures.rows import ProgressRow, rank_rows
from app.models import Constituency, District, Part, User
from app.reports.services import submit_report


def direct_sums(day, condition=true()):
    """Sum of each part's latest report on or before `day`, straight from the reports."""
    latest = (
        select(DailyReport.part_id, func.max(DailyReport.report_date).label("d"))
        .where(DailyReport.report_date <= day)
        .group_by(DailyReport.part_id)
        .subquery()
    )
    row = db.session.execute(
        select(*(func.coalesce(func.sum(getattr(DailyReport, f)), 0) for f in FIGURES))
        .join(latest, and_(DailyReport.part_id == latest.c.part_id, DailyReport.report_date == latest.c.d))
        .join(Part, Part.id == DailyReport.part_id)
        .where(condition)
    ).one()
    return dict(zip(FIGURES, (int(v) for v in row), strict=True))


def test_totals_agree_at_every_level_on_any_day(app):
    with app.app_context():
        today = campaign_today()
        for back in (0, 1, 7, 30, 44, 50):
            day = today - timedelta(days=back)
            districts = district_rows(day, Decimal(10), true())
            state = total_row(districts)
            assert state.figures == direct_sums(day), day
            for d in districts:
                acs = constituency_rows(day, Decimal(10), Constituency.district_id == d.id)
                assert total_row(acs).figures == d.figures == direct_sums(day, Part.district_id == d.id)
                for ac in acs:
                    parts = part_rows(day, Decimal(10), Part.constituency_id == ac.id)
                    assert total_row(parts).figures == ac.figures
                    assert sum(p.parts_reported for p in parts) == ac.parts_reported


def test_the_bulk_seeded_roll_ups_equal_a_recomputation(app):
    with app.app_context():
        today = campaign_today()
        before = {
            (r.id, day): r.figures
            for day in (today, today - timedelta(days=10))
            for r in constituency_rows(day, Decimal(10), true())
        }
        ids = list(db.session.scalars(select(Constituency.id)))
        recompute_constituency_days(ids, today - timedelta(days=60))
        after = {
            (r.id, day): r.figures
            for day in (today, today - timedelta(days=10))
            for r in constituency_rows(day, Decimal(10), true())
        }
        assert before == after


def test_a_report_updates_the_roll_up_in_the_same_transaction_and_never_counts_twice(app):
    with app.app_context():
        today = campaign_today()
        part = db.session.scalar(
            select(Part).join(User, Part.blo_id == User.id).where(User.login == "blo.1.1")
        )
        blo = db.session.get(User, part.blo_id)
        last = db.session.scalar(
            select(DailyReport)
            .where(DailyReport.part_id == part.id, DailyReport.report_date < today)
            .order_by(DailyReport.report_date.desc())
        )
        figures = last.figures()
        figures["digitized"] = min(
            figures["digitized"] + 5,
            figures["collected"]
            + sum(figures[f] for f in ("asd_absent", "asd_shifted", "asd_dead", "asd_duplicate")),
        )
        for _ in range(2):
            submit_report(blo, part, today, figures)
            db.session.commit()
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(DailyReport)
                .where(DailyReport.part_id == part.id, DailyReport.report_date == today)
            )
            == 1
        )
        ac = constituency_rows(today, Decimal(10), Constituency.id == part.constituency_id)[0]
        assert ac.figures == direct_sums(today, Part.constituency_id == part.constituency_id)


def _row(electors, digitized, yesterday, earlier, reported=1, parts=1):
    from datetime import date

    return ProgressRow(
        id=0,
        place=None,
        electors=electors,
        parts=parts,
        blos=parts,
        parts_reported=reported,
        figures={**dict.fromkeys(FIGURES, 0), "digitized": digitized},
        digitized_yesterday=yesterday,
        digitized_earlier=earlier,
        day=date(2025, 11, 20),
        target=Decimal(10),
    )


def test_pace_projection_and_status():
    from datetime import date

    row = _row(1000, 500, 400, 100)
    assert row.digitized_percent == 50 and row.daily_pace == 10 and row.pace_status == "ahead"
    # 600 forms left at the start of 20 Nov at 100 a day over the 3 complete days before it
    assert row.recent_pace == 100 and row.projected_finish == date(2025, 11, 25)
    slow = _row(1000, 500, 440, 440)
    assert slow.pace_status == "close" and slow.projected_finish is None  # no progress over 3 days
    assert _row(1000, 500, 480, 470).pace_status == "behind"
    assert _row(1000, 1000, 990, 900).pace_status == "done"
    assert _row(1000, 1000, 990, 900).projected_finish == date(2025, 11, 20)


def test_ranks_share_ties_and_know_yesterday():
    rows = [_row(1000, 500, 100, 0), _row(2000, 1000, 900, 0), _row(1000, 300, 300, 0)]
    rank_rows(rows)
    assert [r.rank for r in rows] == [1, 1, 3]
    assert [r.rank_yesterday for r in rows] == [3, 1, 2]
    assert [r.rank_change for r in rows] == [2, 0, -1]


def test_a_missing_report_is_shown_as_missing_not_zero(app, client, auth):
    with app.app_context():
        today = campaign_today()
        missing = db.session.scalar(
            select(Part)
            .where(Part.id.not_in(select(DailyReport.part_id).where(DailyReport.report_date == today)))
            .order_by(Part.id)
        )
        assert missing is not None, "the tiny demo leaves some parts unreported today"
        ac = missing.constituency_id
        label = f"{missing.constituency.number}-{missing.number}"
        row = next(r for r in part_rows(today, Decimal(10), Part.constituency_id == ac) if r.id == missing.id)
        assert not row.reported and row.digitized > 0  # figures carried forward, still marked missing
    auth.login("state")
    html = client.get(f"/progress/constituencies/{ac}").get_data(as_text=True)
    row_html = html.split(f'id="row-{missing.id}"')[1].split("</tr>")[0]
    assert "not reported" in row_html and label in row_html
    listed = client.get(f"/progress/missing?constituency_id={ac}").get_data(as_text=True)
    assert f">{label}<" in listed


def test_missing_list_counts_exactly_the_unreported_parts(app, client, auth):
    with app.app_context():
        today = campaign_today()
        bhopal = db.session.scalar(select(District.id).where(District.name_en == "Bhopal"))
        expected = db.session.scalar(
            select(func.count(Part.id)).where(
                Part.district_id == bhopal,
                Part.id.not_in(select(DailyReport.part_id).where(DailyReport.report_date == today)),
            )
        )
    auth.login("collector.bhopal")
    html = client.get("/progress/missing", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in html and f"{expected} parts have not reported." in html


def test_state_page_ranks_districts_full_and_as_fragment(app, client, auth):
    auth.login("state")
    page = client.get("/progress/state")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in html and "State progress" in html
    assert html.index(">Bhopal<") > 0 and html.index(">Raisen<") > 0
    fragment = client.get("/progress/state?filter=behind&sort=pace", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert (
        fragment.status_code == 200 and "<html" not in body and body.lstrip().startswith('<div id="table">')
    )
    assert "HX-Request" in fragment.headers["Vary"]


def test_ranking_on_the_page_follows_digitized_percent(app, client, auth):
    with app.app_context():
        rows = district_rows(campaign_today(), Decimal(10), true())
        best = max(rows, key=lambda r: r.digitized_percent)
    auth.login("state")
    html = client.get("/progress/state").get_data(as_text=True)
    first_row = html.split("<tbody>")[1].split("</tr>")[0]
    assert best.place.name_en in first_row


def test_a_past_day_shows_the_figures_as_they_were(app, client, auth):
    with app.app_context():
        day = campaign_today() - timedelta(days=10)
        expected = direct_sums(day)["digitized"]
    auth.login("state")
    html = client.get(f"/progress/state?date={day.isoformat()}").get_data(as_text=True)
    from babel.numbers import format_decimal

    assert format_decimal(expected, locale="en_IN") in html


@pytest.mark.parametrize("value", ["yesterday", "2099-01-01", "1999-01-01"])
def test_bad_days_are_refused_with_a_message(client, auth, value):
    auth.login("state")
    response = client.get(f"/progress/state?date={value}")
    assert response.status_code == 400


def test_calls_list_is_ordered_by_how_far_behind(app, client, auth):
    with app.app_context():
        needing = parts_needing_a_call(
            campaign_today(),
            Decimal(10),
            Part.district_id.in_(select(District.id).where(District.name_en == "Bhopal")),
        )
        shortfalls = [r.shortfall for r in needing]
        assert shortfalls == sorted(shortfalls, reverse=True)
        for r in needing:
            assert all(p is None or p < 10 for p in r.paces)
    auth.login("collector.bhopal")
    html = client.get("/progress/calls").get_data(as_text=True)
    assert f"{len(needing)} BLOs to call." in html
    if needing:
        assert "tel:+91" in html


def test_each_role_lands_on_its_own_scope(client, auth):
    for login, target in (
        ("state", "/progress/state"),
        ("collector.bhopal", "/progress/districts/"),
        ("ero.1", "/progress/constituencies/"),
        ("sup.1.1", "/progress/parts"),
        ("blo.1.1", "/progress/parts"),
    ):
        auth.login(login)
        assert target in client.get("/progress/").headers["Location"], login
        auth.logout()


def test_calls_list_shows_who_has_been_talked_to_today(app, client, auth):
    with app.app_context():
        bhopal = db.session.scalar(select(District.id).where(District.name_en == "Bhopal"))
        needing = parts_needing_a_call(campaign_today(), Decimal(10), Part.district_id == bhopal)
    assert needing, "the tiny demo has BLOs below the target"
    first = needing[0]
    auth.login("collector.bhopal")
    html = client.get("/progress/calls").get_data(as_text=True)
    row = html.split(f'href="/progress/parts/{first.id}"')[1].split("</tr>")[0]
    assert "not contacted today" in row
    token = auth.token(f"/reviews/parts/{first.id}")
    response = client.post(
        f"/reviews/parts/{first.id}",
        data={
            "kind": "call",
            "outcome": "Forms short; 200 sent today",
            "difficulty": "forms_short",
            "csrf_token": token,
        },
    )
    assert response.status_code in (302, 303)
    html = client.get("/progress/calls").get_data(as_text=True)
    row = html.split(f'href="/progress/parts/{first.id}"')[1].split("</tr>")[0]
    assert "talked today" in row and "not contacted today" not in row


def test_a_new_day_starts_from_yesterdays_figures_with_nobody_reported(app):
    """Before the periodic task carries the ACs forward, readers of the new day read the frontier's
    rows without writing; the task then gives every AC the day's row; the first report counts."""
    from app.figures.models import ConstituencyDay, RollupFrontier
    from app.progress.tasks import carry_days_forward

    def rows_on(day):
        return db.session.scalar(
            select(func.count()).select_from(ConstituencyDay).where(ConstituencyDay.day == day)
        )

    with app.app_context():
        today = campaign_today()
        db.session.execute(DailyReport.__table__.delete().where(DailyReport.report_date == today))
        db.session.execute(ConstituencyDay.__table__.delete().where(ConstituencyDay.day == today))
        db.session.get(RollupFrontier, 1).dense_through = today - timedelta(days=1)
        db.session.commit()

        districts = district_rows(today, Decimal(10), true())
        assert total_row(districts).figures == direct_sums(today) == direct_sums(today - timedelta(days=1))
        assert sum(d.parts_reported for d in districts) == 0
        assert rows_on(today) == 0  # the read wrote nothing

        carry_days_forward.call_local()
        carry_days_forward.call_local()  # a second run changes nothing
        assert rows_on(today) == 4
        assert db.session.get(RollupFrontier, 1).dense_through == today
        districts = district_rows(today, Decimal(10), true())
        assert total_row(districts).figures == direct_sums(today)
        assert sum(d.parts_reported for d in districts) == 0

        part = db.session.scalar(
            select(Part).join(User, Part.blo_id == User.id).where(User.login == "blo.1.1")
        )
        previous = db.session.scalar(
            select(DailyReport).where(DailyReport.part_id == part.id).order_by(DailyReport.report_date.desc())
        )
        submit_report(db.session.get(User, part.blo_id), part, today, previous.figures())
        db.session.commit()
        districts = district_rows(today, Decimal(10), true())
        assert sum(d.parts_reported for d in districts) == 1
        assert total_row(districts).figures == direct_sums(today)


def test_days_beyond_the_roll_up_frontier_read_right_without_the_periodic_task(app):
    """Two days past the frontier, with reports on each from different ACs: every reader agrees
    with the reports, and only parts that reported that very day count as reported."""
    from app.figures.models import ConstituencyDay, RollupFrontier
    from app.figures.queries import digitized_series

    with app.app_context():
        today = campaign_today()
        frontier = today - timedelta(days=2)
        db.session.execute(DailyReport.__table__.delete().where(DailyReport.report_date > frontier))
        db.session.execute(ConstituencyDay.__table__.delete().where(ConstituencyDay.day > frontier))
        db.session.get(RollupFrontier, 1).dense_through = frontier
        db.session.commit()
        for login, day in (("blo.1.1", today - timedelta(days=1)), ("blo.5.1", today)):
            part = db.session.scalar(
                select(Part).join(User, Part.blo_id == User.id).where(User.login == login)
            )
            previous = db.session.scalar(
                select(DailyReport)
                .where(DailyReport.part_id == part.id)
                .order_by(DailyReport.report_date.desc())
            )
            figures = {**previous.figures(), "digitized": previous.digitized + 7}
            figures["collected"] = max(figures["collected"], figures["digitized"])
            figures["distributed"] = max(figures["distributed"], figures["collected"])
            submit_report(db.session.get(User, part.blo_id), part, day, figures)
            db.session.commit()
        writes = db.session.scalar(select(func.count()).select_from(ConstituencyDay))

        for back, reported in ((2, None), (1, 1), (0, 1)):
            day = today - timedelta(days=back)
            districts = district_rows(day, Decimal(10), true())
            assert total_row(districts).figures == direct_sums(day), day
            if reported is not None:
                assert sum(d.parts_reported for d in districts) == reported
            acs = constituency_rows(day, Decimal(10), true())
            assert total_row(acs).figures == direct_sums(day)
        series = digitized_series(frontier - timedelta(days=3), today, true())
        assert [total for _, total in series] == [direct_sums(day)["digitized"] for day, _ in series]
        assert series[-1][1] > series[-3][1]
        assert db.session.scalar(select(func.count()).select_from(ConstituencyDay)) == writes
