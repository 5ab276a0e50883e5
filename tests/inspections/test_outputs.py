"""The inspections' outputs: open flags on every progress page (one grouped query) and on the part
pages, and the coverage page (table, htmx fragment, window, scope, map points)."""

from __future__ import annotations

import re

from sqlalchemy import event, select, update

from app.campaign.clock import campaign_today
from app.extensions import db
from app.inspections import services
from app.inspections.models import PartFlag
from app.models import Constituency, District
from app.timeutil import utcnow
from tests.conftest import hindi
from tests.inspections.support import bhopal, part, plan, user


def _client(app, login: str, lang: str = "en"):
    from tests.conftest import AuthActions

    client = app.test_client()
    AuthActions(client).login(login, lang=lang)
    return client


def _ids(app) -> dict:
    with app.app_context():
        return {
            "bhopal": bhopal().id,
            "ac1": db.session.scalar(select(Constituency.id).where(Constituency.number == 1)),
            "ac2": db.session.scalar(select(Constituency.id).where(Constituency.number == 2)),
            "p13": part(1, 3).id,
            "p24": part(2, 4).id,
            "p25": part(2, 5).id,
            "p11": part(1, 1).id,
        }


def _flag_part_1_3(app) -> None:
    """A collector's visit today to part 1-3 that counts far fewer digitized forms than reported."""
    with app.test_request_context():
        target = part(1, 3)
        inspection = plan([target])
        stop = inspection.stops[0]
        report = services.reported_as_of(target.id, campaign_today())
        services.record_visit(
            user("collector.bhopal"),
            stop,
            services.VisitInput(verified={"digitized": report.digitized // 2}),
            services.settings_for(target.district_id),
            None,
            stop.version,
            campaign_today(),
        )
        db.session.commit()


def _row(html: str, row_id: int) -> str:
    found = re.search(rf'<tr id="row-{row_id}">(.*?)</tr>', html, re.S)
    assert found, f"no row {row_id}"
    return found[1]


def _flagged_cell(row: str) -> str:
    found = re.search(r'<td class="num flagged">(.*?)</td>', row, re.S)
    assert found, "no flagged column"
    return re.sub(r"<.*?>", "", found[1]).strip()


class Statements:
    """The SQL a request sends, to count those reading the flags."""

    def __init__(self, app):
        with app.app_context():
            self.engine = db.engine
        self.seen: list[str] = []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._watch)
        return self

    def __exit__(self, *_):
        event.remove(self.engine, "before_cursor_execute", self._watch)

    def _watch(self, _conn, _cursor, statement, *_):
        self.seen.append(statement)

    def reading(self, table: str) -> int:
        return sum(1 for s in self.seen if table in s)


def test_flag_counts_show_at_state_district_and_ac_level_in_one_query_each(app):
    _flag_part_1_3(app)
    ids = _ids(app)
    state = _client(app, "state")
    with Statements(app) as sql:
        html = state.get("/progress/state").get_data(as_text=True)
    assert _flagged_cell(_row(html, ids["bhopal"])) == "2"  # 1-3 and the seeded 2-4
    with app.app_context():
        raisen = db.session.scalar(select(District.id).where(District.name_en == "Raisen"))
    assert _flagged_cell(_row(html, raisen)) == "0"
    assert sql.reading("inspection_flags") == 1

    collector = _client(app, "collector.bhopal")
    with Statements(app) as sql:
        html = collector.get(f"/progress/districts/{ids['bhopal']}").get_data(as_text=True)
    assert _flagged_cell(_row(html, ids["ac1"])) == "1"
    assert _flagged_cell(_row(html, ids["ac2"])) == "1"
    footer = re.search(r"<tfoot>(.*?)</tfoot>", html, re.S)[1]
    assert _flagged_cell(footer) == "2"
    assert sql.reading("inspection_flags") == 1

    with Statements(app) as sql:
        html = collector.get(f"/progress/constituencies/{ids['ac2']}").get_data(as_text=True)
    flagged = _row(html, ids["p24"])
    assert "Figures flagged by an inspection on" in flagged and "Forms digitized: counted" in flagged
    assert "Figures flagged by an inspection" not in _row(html, ids["p25"])
    assert sql.reading("inspection_flags") == 1
    # the htmx fragment carries the badge too
    fragment = collector.get(f"/progress/constituencies/{ids['ac2']}", headers={"HX-Request": "true"})
    text = fragment.get_data(as_text=True)
    assert "<html" not in text and "Figures flagged by an inspection on" in _row(text, ids["p24"])


def test_a_cleared_flag_leaves_the_tables(app):
    ids = _ids(app)
    with app.app_context():
        db.session.execute(update(PartFlag).values(cleared_at=utcnow(), cleared_by="report"))
        db.session.commit()
    collector = _client(app, "collector.bhopal")
    html = collector.get(f"/progress/districts/{ids['bhopal']}").get_data(as_text=True)
    assert _flagged_cell(_row(html, ids["ac2"])) == "0"
    html = collector.get(f"/progress/constituencies/{ids['ac2']}").get_data(as_text=True)
    assert "Figures flagged by an inspection" not in html


def test_the_part_pages_show_the_flag_with_its_findings_and_difficulty(app):
    ids = _ids(app)
    with app.app_context():
        flag = db.session.scalar(select(PartFlag).where(PartFlag.part_id == ids["p24"]))
        difficulty_id = flag.difficulty_id
        finding = flag.findings[0]
    assert difficulty_id
    blo = _client(app, "blo.2.4")
    for url in (f"/progress/parts/{ids['p24']}", f"/places/parts/{ids['p24']}"):
        html = blo.get(url).get_data(as_text=True)
        notice = re.search(r'<section class="flash flash-error flag-notice".*?</section>', html, re.S)[0]
        assert f"Forms digitized: counted {finding['verified']}, reported {finding['reported']}" in notice
        assert f'href="/difficulties/{difficulty_id}"' in notice
    assert "flag-notice" not in blo.get(f"/progress/parts/{ids['p25']}").get_data(as_text=True)
    in_hindi = _client(app, "blo.2.4", lang="hi").get(f"/progress/parts/{ids['p24']}").get_data(as_text=True)
    assert (
        hindi(app, "The flag clears when the next report or visit agrees with what was counted.") in in_hindi
    )


def _coverage_rows(html: str) -> dict[int, list[str]]:
    rows = {}
    for ac_id, cells in re.findall(r'<tr id="ac-(\d+)">(.*?)</tr>', html, re.S):
        rows[int(ac_id)] = [
            re.sub(r"<.*?>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)
        ]
    return rows


def test_coverage_counts_the_parts_inspected_in_the_window(app):
    ids = _ids(app)
    collector = _client(app, "collector.bhopal")
    page = collector.get("/inspections/coverage")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in html
    rows = _coverage_rows(html)
    # yesterday's finished inspection visited 2-4 (flagged) and 2-5; the district's window is 14 days
    assert rows[ids["ac2"]] == ["6", "2", "33.3 %", "1"]
    assert rows[ids["ac1"]] == ["6", "0", "0.0 %", "0"]
    assert "data-points-url" in html
    # today only: yesterday's visits fall outside
    fragment = collector.get("/inspections/coverage?days=1", headers={"HX-Request": "true"})
    text = fragment.get_data(as_text=True)
    assert (
        fragment.status_code == 200
        and "<html" not in text
        and text.lstrip().startswith('<div id="coverage">')
    )
    assert _coverage_rows(text)[ids["ac2"]] == ["6", "0", "0.0 %", "1"]
    assert (
        _coverage_rows(collector.get("/inspections/coverage?days=2").get_data(as_text=True))[ids["ac2"]][1]
        == "2"
    )


def test_the_window_defaults_to_the_districts_stale_days_and_is_bounded(app):
    ids = _ids(app)
    with app.test_request_context():
        services.save_settings(
            user("collector.bhopal"),
            bhopal().id,
            {**services.Settings().__dict__, "stale_after_days": 1},
        )
        db.session.commit()
    collector = _client(app, "collector.bhopal")
    html = collector.get("/inspections/coverage").get_data(as_text=True)
    assert 'name="days" value="1"' in html
    assert _coverage_rows(html)[ids["ac2"]][1] == "0"
    for bad in ("0", "91", "abc", "-3"):
        answer = collector.get(f"/inspections/coverage?days={bad}")
        assert answer.status_code == 400, bad
    assert "Choose a number of days from 1 to 90." in collector.get("/inspections/coverage?days=91").get_data(
        as_text=True
    )
    assert collector.get("/inspections/coverage?days=90").status_code == 200


def test_coverage_stays_within_the_readers_scope(app):
    ids = _ids(app)
    ero = _client(app, "ero.1")
    rows = _coverage_rows(ero.get("/inspections/coverage").get_data(as_text=True))
    assert list(rows) == [ids["ac1"]]
    assert ero.get(f"/inspections/coverage?constituency_id={ids['ac2']}").status_code in (403, 404)
    state = _client(app, "state")
    html = state.get("/inspections/coverage").get_data(as_text=True)
    assert len(_coverage_rows(html)) == 4 and "data-points-url" not in html  # no map until a district
    html = state.get(f"/inspections/coverage?district_id={ids['bhopal']}").get_data(as_text=True)
    assert set(_coverage_rows(html)) == {ids["ac1"], ids["ac2"]} and "data-points-url" in html
    assert _client(app, "sup.1.1").get("/inspections/coverage").status_code == 403
    assert _client(app, "blo.1.1").get("/inspections/coverage").status_code == 403


def test_the_map_marks_parts_inspected_not_inspected_and_flagged(app):
    ids = _ids(app)
    collector = _client(app, "collector.bhopal")
    data = collector.get("/inspections/coverage/data.json").get_json()
    assert (data["parts"], data["inspected"], data["flagged"], data["unlocated"]) == (12, 2, 1, 0)
    bands = {p["id"]: p["band"] for p in data["points"]}
    assert bands[ids["p24"]] == "inspect-flagged"
    assert bands[ids["p25"]] == "inspect-yes"
    assert bands[ids["p11"]] == "inspect-no"
    assert collector.get("/inspections/coverage/data.json?days=95").status_code == 400
    assert (
        _client(app, "state").get("/inspections/coverage/data.json").status_code == 400
    )  # choose a district


def test_coverage_reads_a_handful_of_queries(app):
    collector = _client(app, "collector.bhopal")
    with Statements(app) as sql:
        assert collector.get("/inspections/coverage").status_code == 200
    assert len(sql.seen) <= 14, len(sql.seen)
    with Statements(app) as sql:
        assert collector.get("/inspections/coverage/data.json").status_code == 200
    assert len(sql.seen) <= 8, len(sql.seen)


def test_the_blos_report_page_shows_the_flag_where_the_figures_are_entered(app):
    ids = _ids(app)
    blo = _client(app, "blo.2.4")
    for url in ("/reports/", f"/reports/parts/{ids['p24']}"):
        html = blo.get(url).get_data(as_text=True)
        assert "Figures flagged by an inspection on" in html and "Forms digitized: counted" in html, url
    assert "flag-notice" not in _client(app, "blo.2.5").get("/reports/").get_data(as_text=True)
    with Statements(app) as sql:
        blo.get("/reports/")
    assert sql.reading("inspection_flags") == 1
