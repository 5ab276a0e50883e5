"""A part with only its last form left is nearly done, not behind: the BLO's report check, the
home page, the progress tables, the rankings and the calls list all say so (issue 23, point 11)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from app.campaign.clock import campaign_today
from app.extensions import db
from app.figures.queries import part_rows, parts_needing_a_call, total_row
from app.figures.rows import day_status, nearly_done
from app.models import Part, User
from tests.progress.test_progress_trust import _row, _write


def test_the_last_form_left_for_another_day_is_nearly_done_not_behind():
    last = _row(1000, 999, 999)  # 99.9 % digitized, nothing gained today
    assert last.daily_pace == 0 and last.forms_left == 1
    assert last.pace_status == "nearly" and not last.behind_target
    few = _row(1000, 997, 995)  # 5 left this morning (a twentieth of the day's 100), 2 cleared
    assert few.pace_status == "nearly" and few.forms_left == 3
    assert _row(1000, 1000, 999).pace_status == "done"
    assert _row(1000, 994, 994).pace_status == "behind"  # 6 left: still a day's work to judge
    assert _row(1000, 980, 970).pace_status == "behind"  # 10 of 30 left
    assert _row(1000, 999, 999, reported=0).pace_status == "missing"
    # a small part: its single last form is nearly done too
    assert _row(100, 99, 99).pace_status == "nearly"


def test_the_rule_is_one_function_of_the_forms_left():
    assert nearly_done(1000, 999, Decimal(10)) and nearly_done(1000, 995, Decimal(10))
    assert not nearly_done(1000, 994, Decimal(10)) and not nearly_done(1000, 1000, Decimal(10))
    assert day_status(1000, 999, 1000, Decimal(10)) == "ahead"
    assert day_status(1000, 999, 999, Decimal(10)) == "nearly"
    assert day_status(1000, 500, 520, Decimal(10)) == "behind"


def _nearly_finished_blo(app):
    """Every part of blo.1.1 at its last form since yesterday, with a report today; its AC's roll-ups
    recomputed. Answers the parts."""
    from app.figures.rollups import recompute_constituency_days

    with app.app_context():
        today = campaign_today()
        blo = db.session.scalar(select(User).where(User.login == "blo.1.1"))
        parts = db.session.scalars(select(Part).where(Part.blo_id == blo.id).order_by(Part.id)).all()
        for part in parts:
            for back in range(4):
                _write(part, today - timedelta(days=back), part.electors - 1)
        recompute_constituency_days({p.constituency_id for p in parts}, today - timedelta(days=3))
        db.session.commit()
        return [(p.id, p.electors) for p in parts], today


def test_the_blos_home_report_and_tables_say_nearly_done(app, client, auth):
    parts, today = _nearly_finished_blo(app)
    auth.login("blo.1.1")
    home = client.get("/").get_data(as_text=True)
    assert "pace-nearly" in home and "pace-behind" not in home
    count = len(parts)
    assert (f"nearly done: {count} form left" if count == 1 else f"nearly done: {count} forms left") in home

    report = client.get("/reports/").get_data(as_text=True)
    assert report.count('class="pace pace-nearly"') == count and "Below the target" not in report
    assert "Nearly done: 1 form left" in report

    table = client.get("/progress/parts").get_data(as_text=True)
    for part_id, _electors in parts:
        row = table.split(f'id="row-{part_id}"')[1].split("</tr>")[0]
        assert "pace-nearly" in row and "nearly done" in row and "far behind" not in row

    auth.logout()
    auth.login("sup.1.1")
    behind = client.get("/progress/parts?filter=behind").get_data(as_text=True)
    for part_id, _electors in parts:
        assert f'id="row-{part_id}"' not in behind
    calls = client.get("/progress/calls").get_data(as_text=True)
    for part_id, _electors in parts:
        assert f'/progress/parts/{part_id}"' not in calls


def test_the_rows_and_their_total_judge_the_same_way(app):
    parts, today = _nearly_finished_blo(app)
    ids = [part_id for part_id, _ in parts]
    with app.app_context():
        rows = part_rows(today, Decimal(10), Part.id.in_(ids))
        assert {r.pace_status for r in rows} == {"nearly"}
        assert total_row(rows).pace_status == "nearly"
        assert not parts_needing_a_call(today, Decimal(10), Part.id.in_(ids))
