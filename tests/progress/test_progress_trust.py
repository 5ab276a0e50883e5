"""Figures people can trust at a glance: missing is not zero, behind means behind what is still
possible, rankings on one page, and the dashboards just after midnight (a frozen clock)."""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, true

from app.campaign.clock import campaign_today
from app.extensions import db
from app.figures.models import FIGURES, DailyReport
from app.figures.queries import district_rows, part_rows, parts_needing_a_call, total_row
from app.models import District, Part, User
from app.reports.services import submit_report
from tests.conftest import make_app, reset_database
from tests.progress.test_progress import _row as progress_row

IST = ZoneInfo("Asia/Kolkata")


def _row(electors, digitized, yesterday, earlier=0, reported=1):
    return progress_row(electors, digitized, yesterday, earlier, reported)


def test_a_day_without_any_report_has_no_pace_rather_than_zero():
    row = _row(1000, 500, 500, 400, reported=0)
    assert row.daily_pace is None and row.pace_status == "missing" and not row.behind_target


def test_a_finished_part_is_never_behind_reported_or_not():
    assert _row(1000, 1000, 1000).pace_status == "done"
    assert _row(1000, 1000, 1000, reported=0).pace_status == "done"
    assert _row(1000, 1005, 990).pace_status == "done"  # electors added after the freeze


def test_clearing_what_was_left_meets_the_target():
    last_forms = _row(1000, 1000, 960)  # 40 left, target 100 forms: cleared
    assert last_forms.target_forms == 40 and last_forms.target_capped
    nearly = _row(1000, 990, 960)  # 30 of the 40 left
    assert nearly.pace_status == "close" and nearly.behind_target
    assert _row(1000, 980, 970).pace_status == "behind"  # 10 of 30 left
    assert _row(1000, 600, 500).pace_status == "ahead" and not _row(1000, 600, 500).target_capped


def _part_with_history(login="blo.1.1"):
    part = db.session.scalar(select(Part).join(User, Part.blo_id == User.id).where(User.login == login))
    return part, db.session.get(User, part.blo_id)


def _write(part, day, digitized):
    """A consistent report of `digitized` forms on `day`, written straight to the table."""
    report = db.session.scalar(
        select(DailyReport).where(DailyReport.part_id == part.id, DailyReport.report_date == day)
    )
    if report is None:
        report = DailyReport(
            part_id=part.id,
            constituency_id=part.constituency_id,
            district_id=part.district_id,
            report_date=day,
        )
        db.session.add(report)
    for name in FIGURES:
        setattr(report, name, 0)
    report.distributed = report.collected = report.digitized = digitized


def test_the_calls_list_leaves_out_finished_parts_and_those_that_cleared_what_was_left(app):
    from app.figures.rollups import recompute_constituency_days

    with app.app_context():
        today = campaign_today()
        bhopal = db.session.scalar(select(District.id).where(District.name_en == "Bhopal"))
        parts = db.session.scalars(
            select(Part).where(Part.district_id == bhopal).order_by(Part.id).limit(3)
        ).all()
        finished, cleared, slow = parts
        for back in range(4):
            day = today - timedelta(days=back)
            _write(finished, day, finished.electors)
            # the last 3 % of the part each day: less than the 10 % target, but all there was
            _write(cleared, day, cleared.electors - 3 * back * cleared.electors // 100)
            _write(slow, day, 100 + 3 * (3 - back))
        recompute_constituency_days({p.constituency_id for p in parts}, today - timedelta(days=3))
        db.session.commit()
        needing = {r.id for r in parts_needing_a_call(today, Decimal(10), Part.district_id == bhopal)}
        assert finished.id not in needing and slow.id in needing
        rows = {r.id: r for r in part_rows(today, Decimal(10), Part.id.in_([p.id for p in parts]))}
        assert rows[finished.id].pace_status == "done"
        assert rows[slow.id].pace_status == "behind"
        # yesterday it digitized 3 % of electors with 3 % left: target met, so not two days running
        assert cleared.id not in needing


def test_the_state_ranking_and_the_district_ranking_are_never_split(app, client, auth):
    app.config["PAGE_SIZE"] = 1
    auth.login("state")
    html = client.get("/progress/state").get_data(as_text=True)
    with app.app_context():
        districts = district_rows(campaign_today(), Decimal(10), true())
    assert len(districts) > 1
    for row in districts:
        assert f'id="row-{row.id}"' in html
    assert "page=2" not in html
    bhopal = next(r for r in districts if r.place.name_en == "Bhopal")
    html = client.get(f"/progress/districts/{bhopal.id}", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    with app.app_context():
        from app.models import Constituency

        acs = db.session.scalar(
            select(func.count(Constituency.id)).where(Constituency.district_id == bhopal.id)
        )
    assert acs > 1 and html.count('<tr id="row-') == acs and "page=2" not in html


def test_the_parts_of_an_ac_may_page_but_keep_their_global_rank(app, client, auth):
    app.config["PAGE_SIZE"] = 2
    auth.login("ero.1")
    first = client.get("/progress/").headers["Location"]
    second = client.get(first + "?page=2", headers={"HX-Request": "true"}).get_data(as_text=True)
    ranks = [int(r) for r in re.findall(r'<td class="num">(\d+)', second.split("<tbody>")[1])[:2]]
    assert ranks and min(ranks) >= 2  # ranks 1… are on page 1


class FrozenClock:
    """A clock the test moves by hand."""

    def __init__(self, moment: datetime):
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def frozen(database_url):
    """An app whose clock stands at 23:55 in Bhopal; the demo is seeded as of that day."""
    clock = FrozenClock(datetime(2025, 11, 28, 23, 55, tzinfo=IST))
    app = make_app(database_url, {"CLOCK": clock})
    reset_database(app)
    yield app, clock
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_just_after_midnight_every_dashboard_says_no_reports_yet(frozen):
    app, clock = frozen
    with app.app_context():
        assert campaign_today() == date(2025, 11, 28)
    clock.moment = datetime(2025, 11, 29, 0, 5, tzinfo=IST)
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    from tests.conftest import AuthActions

    auth = AuthActions(client)
    pages = {
        "state": ["/", "/progress/state"],
        "collector.bhopal": ["/", "/progress/"],
        "ero.1": ["/", "/progress/"],
        "sup.1.1": ["/", "/progress/parts"],
        "blo.1.1": ["/", "/progress/parts"],
    }
    for login, urls in pages.items():
        auth.login(login)
        for url in urls:
            response = client.get(url, follow_redirects=True)
            html = response.get_data(as_text=True)
            assert response.status_code == 200, (login, url)
            assert "No reports have arrived yet today" in html, (login, url)
            assert "0.00 %" not in html, (login, url)
            assert "pace-behind" not in html and "pace-close" not in html, (login, url)
        auth.logout()
    with app.app_context():
        assert campaign_today() == date(2025, 11, 29)
        state = total_row(district_rows(date(2025, 11, 29), Decimal(10), true()))
        last = total_row(district_rows(date(2025, 11, 28), Decimal(10), true()))
        three_before = total_row(district_rows(date(2025, 11, 25), Decimal(10), true()))
        # the projection reads the 3 complete days 26–28 Nov, not the empty day just begun
        pace = (last.digitized - three_before.digitized) / 3
        expected = date(2025, 11, 28) + timedelta(days=math.ceil((state.electors - last.digitized) / pace))
        assert state.projected_finish == expected
        # and the day's first reports do not move it
        part, blo = _part_with_history()
        previous = db.session.scalar(
            select(DailyReport).where(DailyReport.part_id == part.id).order_by(DailyReport.report_date.desc())
        )
        figures = previous.figures()
        figures["digitized"] = min(part.electors, figures["collected"])
        figures["distributed"] = max(figures["distributed"], figures["digitized"])
        figures["collected"] = max(figures["collected"], figures["digitized"])
        submit_report(blo, part, date(2025, 11, 29), figures)
        db.session.commit()
        assert total_row(district_rows(date(2025, 11, 29), Decimal(10), true())).projected_finish == expected


def test_a_part_page_without_a_report_today_says_so(app, client, auth):
    with app.app_context():
        today = campaign_today()
        silent = db.session.scalar(
            select(Part)
            .where(Part.id.not_in(select(DailyReport.part_id).where(DailyReport.report_date == today)))
            .order_by(Part.id)
        )
        row = part_rows(today, Decimal(10), Part.id == silent.id)[0]
        assert row.pace_status in ("missing", "done")
    auth.login("state")
    html = client.get(f"/progress/parts/{silent.id}").get_data(as_text=True)
    if row.pace_status == "missing":
        assert "No reports have arrived yet today" in html and "pace-missing" in html


def test_submitting_a_report_turns_missing_into_a_pace(app):
    with app.app_context():
        today = campaign_today()
        part, blo = _part_with_history()
        db.session.execute(
            DailyReport.__table__.delete().where(
                DailyReport.part_id == part.id, DailyReport.report_date == today
            )
        )
        from app.figures.rollups import recompute_constituency_days

        recompute_constituency_days([part.constituency_id], today)
        db.session.commit()
        assert part_rows(today, Decimal(10), Part.id == part.id)[0].pace_status in ("missing", "done")
        previous = db.session.scalar(
            select(DailyReport).where(DailyReport.part_id == part.id).order_by(DailyReport.report_date.desc())
        )
        submit_report(blo, part, today, previous.figures())
        db.session.commit()
        row = part_rows(today, Decimal(10), Part.id == part.id)[0]
        assert row.reported and (row.daily_pace == 0 or row.finished)
