"""The BLO's daily report: saved once per part per day, checked against the rules, audited, rolled up."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, select

from app.campaign.clock import campaign_today
from app.extensions import db
from app.figures.models import FIGURES, ConstituencyDay, DailyReport
from app.figures.rollups import recompute_constituency_days
from app.models import AuditEntry, Campaign, Constituency, Part, User
from app.reports.services import previous_report


def _part_id(app, ac: int, number: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(Part.id)
            .join(Constituency, Part.constituency_id == Constituency.id)
            .where(Constituency.number == ac, Part.number == number)
        )


@pytest.fixture
def part_1_1(app):
    """Part 1-1 with no report today or yesterday, so the test decides them; its id and the
    figures of its previous report (from the seeded history)."""
    part_id = _part_id(app, 1, 1)
    with app.app_context():
        today = campaign_today()
        part = db.session.get(Part, part_id)
        db.session.execute(
            delete(DailyReport).where(
                DailyReport.part_id == part_id, DailyReport.report_date >= today - timedelta(days=1)
            )
        )
        recompute_constituency_days([part.constituency_id], today - timedelta(days=1))
        db.session.commit()
        previous = previous_report(part_id, today).figures()
        electors = part.electors
    return part_id, previous, electors


def _advance(previous: dict[str, int], electors: int, step: int = 10) -> dict[str, int]:
    """Figures a little further than `previous` that keep every rule."""
    figures = dict(previous)
    asd = sum(previous[name] for name in FIGURES if name.startswith("asd_"))
    figures["distributed"] = min(previous["distributed"] + 2 * step, electors)
    figures["collected"] += min(step, figures["distributed"] - previous["collected"] - asd)
    figures["digitized"] += min(step, figures["collected"] + asd - previous["digitized"])
    mapped = previous["mapped_self"] + previous["mapped_progeny"] + previous["unmapped"]
    figures["mapped_self"] += min(step // 2, figures["digitized"] - mapped)
    return figures


def _post(client, auth, part_id: int, figures: dict, htmx: bool = True, path: str = "", **extra):
    token = auth.token(f"/reports/parts/{part_id}")
    data = {name: str(value) for name, value in figures.items()}
    data.update(csrf_token=token, **extra)
    headers = {"HX-Request": "true", "X-CSRFToken": token} if htmx else {}
    return client.post(f"/reports/parts/{part_id}{path}", data=data, headers=headers)


def _reports(app, part_id: int, day=None) -> list[DailyReport]:
    with app.app_context():
        day = day or campaign_today()
        reports = db.session.scalars(
            select(DailyReport).where(DailyReport.part_id == part_id, DailyReport.report_date == day)
        ).all()
        for report in reports:
            db.session.expunge(report)
        return reports


def _field_error(html: str, part_id: int, name: str) -> str:
    match = re.search(rf'<small id="e{part_id}-{name}" class="field-error"[^>]*>([^<]*)</small>', html)
    assert match, f"no message slot for {name}"
    return match[1]


def _shown_beside(html: str, label: str) -> str:
    """The previous report's figure shown under a field's label ("Yesterday: 512" or "26 Nov: 512")."""
    match = re.search(rf'{label}\s*<small id="[^"]+" class="previous[^"]*">[^<:]*: ([\d,]+)', html)
    assert match, f"nothing shown beside {label}"
    return match[1]


def _open_yesterday(app) -> None:
    """Yesterday stays open until 23:00: pick a campaign time zone where it is not yet 23:00."""
    with app.app_context():
        campaign = db.session.scalar(select(Campaign))
        for zone in ("Asia/Kolkata", "UTC"):
            if datetime.now(ZoneInfo(zone)).hour < 23:
                campaign.timezone = zone
                break
        campaign.report_cutoff_hour = 23
        db.session.commit()


def _close_yesterday(app) -> None:
    with app.app_context():
        db.session.scalar(select(Campaign)).report_cutoff_hour = 0
        db.session.commit()


# -- saving -----------------------------------------------------------------------------------


def test_submitting_twice_keeps_one_report_and_the_rollup_adds_up(app, client, auth, part_1_1):
    part_id, previous, electors = part_1_1
    auth.login("blo.1.1")
    first = _advance(previous, electors, step=4)
    response = _post(client, auth, part_id, first)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert "Saved at" in html and "Pace:" in html  # the confirmation, with the pace
    # the form stays as typed in the page: the answer goes into its check, the rest out of band
    assert response.headers["HX-Retarget"] == f"#confirm-{part_id}" and "<form" not in html
    assert f'id="saved-{part_id}"' in html and 'hx-swap-oob="true"' in html
    assert len(html.encode()) < 4000

    second = _advance(previous, electors, step=8)
    assert _post(client, auth, part_id, second).status_code == 200
    reports = _reports(app, part_id)
    assert len(reports) == 1 and reports[0].figures() == second
    assert reports[0].entered_by_id is not None and reports[0].on_behalf is False

    with app.app_context():
        today = campaign_today()
        ac_id = db.session.get(Part, part_id).constituency_id
        rollup = db.session.get(ConstituencyDay, (ac_id, today))
        # the sum computed directly: each part's latest report on or before today
        latest = (
            select(DailyReport.part_id, func.max(DailyReport.report_date).label("day"))
            .where(DailyReport.constituency_id == ac_id, DailyReport.report_date <= today)
            .group_by(DailyReport.part_id)
            .subquery()
        )
        direct = db.session.execute(
            select(*(func.sum(getattr(DailyReport, name)) for name in FIGURES)).join(
                latest,
                (DailyReport.part_id == latest.c.part_id) & (DailyReport.report_date == latest.c.day),
            )
        ).one()
        assert {name: getattr(rollup, name) for name in FIGURES} == dict(zip(FIGURES, direct, strict=True))
        reported_today = db.session.scalar(
            select(func.count()).where(DailyReport.constituency_id == ac_id, DailyReport.report_date == today)
        )
        assert rollup.parts_reported == reported_today



def _shown_digest(html: str, part_id: int) -> str:
    match = re.search(rf'id="shown-{part_id}" name="check_shown" value="([0-9a-f]*)"', html)
    assert match, "no check_shown in the answer"
    return match[1]


def test_a_save_of_what_the_check_shows_is_answered_without_the_check(app, client, auth, part_1_1):
    """The live check's answer says what it was drawn from; a save of exactly that gets the
    confirmation alone (a quarter of the bytes), any other save the check and the marks again."""
    part_id, previous, electors = part_1_1
    auth.login("blo.1.1")
    figures = _advance(previous, electors, step=4)
    token = auth.token(f"/reports/parts/{part_id}")
    data = {name: str(value) for name, value in figures.items()}
    checked = client.post(
        f"/reports/parts/{part_id}/check",
        data={**data, "csrf_token": token},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    ).get_data(as_text=True)
    shown = _shown_digest(checked, part_id)
    assert len(shown) == 24 and f'id="check-{part_id}"' not in checked

    full = _post(client, auth, part_id, figures).get_data(as_text=True)
    assert f'id="check-{part_id}"' in full and f'id="p{part_id}-digitized"' in full
    assert _shown_digest(full, part_id) == shown  # what the saved figures' check is drawn from

    trimmed = _post(client, auth, part_id, figures, check_shown=shown)
    html = trimmed.get_data(as_text=True)
    assert trimmed.status_code == 200 and "Saved at" in html and f'id="seen-{part_id}"' in html
    assert f'id="check-{part_id}"' not in html and f'id="p{part_id}-digitized"' not in html
    assert len(html.encode()) * 3 < len(full.encode())

    # other figures than those the check was drawn from: the check and the marks again
    moved = _advance(previous, electors, step=6)
    again = _post(client, auth, part_id, moved, check_shown=shown).get_data(as_text=True)
    assert f'id="check-{part_id}"' in again and _shown_digest(again, part_id) != shown
    # a digest the server did not draw (forged, or from an older page): the check again
    assert f'id="check-{part_id}"' in _post(client, auth, part_id, moved, check_shown="0" * 24).get_data(
        as_text=True
    )
    assert len(_reports(app, part_id)) == 1 and _reports(app, part_id)[0].figures() == moved


def test_a_check_showing_a_broken_rule_is_never_taken_as_current(app, client, auth, part_1_1):
    part_id, previous, electors = part_1_1
    auth.login("blo.1.1")
    token = auth.token(f"/reports/parts/{part_id}")
    broken = {**{name: str(value) for name, value in previous.items()}, "digitized": str(electors * 2)}
    checked = client.post(
        f"/reports/parts/{part_id}/check",
        data={**broken, "csrf_token": token},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    ).get_data(as_text=True)
    assert "cannot be saved yet" in checked and _shown_digest(checked, part_id) == ""


def test_a_plain_post_redirects_with_the_confirmation(app, client, auth, part_1_1):
    part_id, previous, electors = part_1_1
    auth.login("blo.1.1")
    figures = _advance(previous, electors)
    response = _post(client, auth, part_id, figures, htmx=False)
    assert response.status_code == 303 and f"/reports/parts/{part_id}" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<html" in page and "Saved at" in page
    # a second visit shows the saved figures in the form, the previous ones beside them
    again = client.get("/reports/").get_data(as_text=True)
    assert f'name="distributed" value="{figures["distributed"]}"' in again
    assert _shown_beside(again, "Distributed") == f"{previous['distributed']:,}"


def test_every_change_is_audited(app, client, auth, part_1_1):
    part_id, previous, electors = part_1_1
    auth.login("blo.1.1")
    first, second = _advance(previous, electors, 2), _advance(previous, electors, 6)
    _post(client, auth, part_id, first)
    _post(client, auth, part_id, second)
    report_id = str(_reports(app, part_id)[0].id)
    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.object_type == "DailyReport", AuditEntry.object_id == report_id)
            .order_by(AuditEntry.id)
        ).all()
        assert [e.action for e in entries] == ["report.create", "report.update"]
        assert entries[0].after["digitized"] == first["digitized"]
        assert entries[1].before["digitized"] == first["digitized"]
        assert entries[1].after["digitized"] == second["digitized"]
        blo = db.session.scalar(select(User.id).where(User.login == "blo.1.1"))
        assert {e.actor_id for e in entries} == {blo}


# -- the rules --------------------------------------------------------------------------------


def test_broken_rules_come_back_next_to_the_field_and_nothing_is_saved(app, client, auth, part_1_1):
    part_id, previous, electors = part_1_1
    auth.login("blo.1.1")
    figures = _advance(previous, electors)
    figures["distributed"] = electors * 2
    figures["digitized"] = figures["collected"] + 999
    figures["asd_dead"] = -1
    response = _post(client, auth, part_id, figures)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in html
    assert _field_error(html, part_id, "asd_dead") == "Cannot be negative."
    assert f'id="f{part_id}-asd_dead" name="asd_dead" value="-1"' in html  # kept as typed

    figures["asd_dead"] = previous["asd_dead"]
    html = _post(client, auth, part_id, figures).get_data(as_text=True)
    assert f"More than the {electors:,} electors of this part." in _field_error(html, part_id, "distributed")
    assert "Digitized cannot exceed collected plus ASD" in _field_error(html, part_id, "digitized")
    assert 'aria-invalid="true"' in html

    figures = _advance(previous, electors)
    figures["collected"] = "ten"
    figures["unmapped"] = ""
    html = _post(client, auth, part_id, figures).get_data(as_text=True)
    assert _field_error(html, part_id, "collected") == "Enter a whole number, like 250."
    assert _reports(app, part_id) == []


def test_mapping_beyond_digitized_is_refused(app, client, auth, part_1_1):
    part_id, previous, electors = part_1_1
    auth.login("blo.1.1")
    figures = _advance(previous, electors)
    figures["unmapped"] = figures["digitized"]
    response = _post(client, auth, part_id, figures)
    assert response.status_code == 422
    message = _field_error(response.get_data(as_text=True), part_id, "unmapped")
    assert "cannot exceed digitized" in message
    assert _reports(app, part_id) == []


def test_a_lower_figure_needs_a_reason_and_is_saved_as_a_correction(app, client, auth, part_1_1):
    part_id, previous, electors = part_1_1
    assert previous["mapped_self"] > 0
    auth.login("blo.1.1")
    figures = dict(previous, mapped_self=previous["mapped_self"] - 1)
    response = _post(client, auth, part_id, figures)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Lower than the last report" in _field_error(html, part_id, "mapped_self")
    assert 'name="correction_reason"' in html  # the reason field appears
    assert _reports(app, part_id) == []

    reason = "Recount at the booth: two forms entered twice"
    response = _post(client, auth, part_id, figures, correction_reason=reason)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Correction" in html and reason in html
    [report] = _reports(app, part_id)
    assert report.correction_reason == reason and report.mapped_self == previous["mapped_self"] - 1


def test_the_live_check_shows_the_pace_and_saves_nothing(app, client, auth, part_1_1):
    part_id, previous, electors = part_1_1
    auth.login("blo.1.1")
    figures = _advance(previous, electors)
    response = _post(client, auth, part_id, figures, path="/check")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert "<form" not in html and f'id="check-{part_id}"' not in html  # the inside of the check only
    pace = (figures["digitized"] - previous["digitized"]) * 100 / electors
    assert f"Pace: {pace:.1f} % of electors" in html and "Target: 10 % a day" in html
    assert f"Digitized in all: {figures['digitized'] * 100 / electors:.1f} %" in html
    assert 'hx-swap-oob="true"' in html  # the field messages, emptied

    # a figure not typed yet is no error; a lowered one is, with the reason field
    partial = {"distributed": previous["distributed"], "digitized": previous["digitized"] - 1}
    html = _post(client, auth, part_id, partial, path="/check").get_data(as_text=True)
    assert "Figures still to fill: 8" in html
    assert _field_error(html, part_id, "collected") == ""
    assert "Lower than the last report" in _field_error(html, part_id, "digitized")
    assert 'name="correction_reason"' in html
    assert _reports(app, part_id) == []

    # without htmx the check answers with the whole page, the figures kept
    page = _post(client, auth, part_id, figures, htmx=False, path="/check").get_data(as_text=True)
    assert "<html" in page and f'name="digitized" value="{figures["digitized"]}"' in page and "Pace:" in page


# -- dates ------------------------------------------------------------------------------------


def test_yesterday_is_open_until_the_cutoff_hour(app, client, auth, part_1_1):
    part_id, _, electors = part_1_1
    _open_yesterday(app)
    auth.login("blo.1.1")
    with app.app_context():
        yesterday = campaign_today() - timedelta(days=1)
        before_yesterday = previous_report(part_id, yesterday).figures()
    page = client.get("/reports/").get_data(as_text=True)
    assert f'value="{yesterday.isoformat()}"' in page and "Yesterday, " in page  # the date choice

    fragment = client.get(
        f"/reports/parts/{part_id}?report_date={yesterday.isoformat()}", headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)

    figures = _advance(before_yesterday, electors)
    response = _post(client, auth, part_id, figures, report_date=yesterday.isoformat())
    assert response.status_code == 200
    assert len(_reports(app, part_id, yesterday)) == 1
    today_form = client.get(f"/reports/parts/{part_id}").get_data(as_text=True)
    assert f"Yesterday: {figures['digitized']:,}" in today_form  # yesterday's figures beside today's

    _close_yesterday(app)
    page = client.get("/reports/").get_data(as_text=True)
    assert 'type="radio"' not in page  # no date choice once yesterday is closed
    response = _post(client, auth, part_id, _advance(figures, electors), report_date=yesterday.isoformat())
    assert response.status_code == 422 and "are closed" in response.get_data(as_text=True)
    assert _reports(app, part_id, yesterday)[0].figures() == figures  # unchanged
    check = _post(client, auth, part_id, figures, path="/check", report_date=yesterday.isoformat())
    assert check.status_code == 200 and "are closed" in check.get_data(as_text=True)  # said while typing


@pytest.mark.parametrize("offset", [1, -3, None])
def test_future_old_and_bad_dates_are_refused(app, client, auth, part_1_1, offset):
    part_id, previous, electors = part_1_1
    auth.login("blo.1.1")
    with app.app_context():
        day = campaign_today() + timedelta(days=offset) if offset is not None else None
        count = db.session.scalar(select(func.count(DailyReport.id)))
    text = day.isoformat() if day else "2025-02-30"
    response = _post(client, auth, part_id, _advance(previous, electors), report_date=text)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "are closed" in html or "not a date" in html
    with app.app_context():
        assert db.session.scalar(select(func.count(DailyReport.id))) == count
    assert client.get(f"/reports/parts/{part_id}?report_date={text}").status_code == 422


# -- who may enter ----------------------------------------------------------------------------


def test_supervisor_enters_on_behalf_and_it_is_recorded(app, client, auth, part_1_1):
    part_id, previous, electors = part_1_1
    auth.login("sup.1.1")
    page = client.get(f"/reports/parts/{part_id}").get_data(as_text=True)
    assert "on behalf of" in page
    assert _post(client, auth, part_id, _advance(previous, electors)).status_code == 200
    [report] = _reports(app, part_id)
    with app.app_context():
        supervisor = db.session.scalar(select(User).where(User.login == "sup.1.1"))
        assert report.on_behalf is True and report.entered_by_id == supervisor.id
        supervisor_name = supervisor.name
    auth.logout()
    auth.login("blo.1.1")
    page = client.get("/reports/").get_data(as_text=True)
    assert f"entered on behalf by {supervisor_name}" in page


def test_a_blo_cannot_report_for_another_part(app, client, auth, part_1_1):
    _, previous, electors = part_1_1
    auth.login("blo.1.1")
    other = _part_id(app, 5, 1)
    assert _post(client, auth, other, _advance(previous, electors)).status_code == 403
    assert _post(client, auth, other, previous, path="/check").status_code == 403
    assert client.get(f"/reports/parts/{other}").status_code == 403
    assert client.get("/reports/parts/999999").status_code == 404
    assert all(r.source == "seed" for r in _reports(app, other))  # nothing entered by the BLO


def test_state_does_not_enter_figures(app, client, auth):
    auth.login("state")
    assert client.get("/reports/").status_code == 403
    assert client.get(f"/reports/parts/{_part_id(app, 1, 1)}").status_code == 403


# -- pages ------------------------------------------------------------------------------------


def test_blo_today_page_has_a_phone_form_per_part(app, client, auth, part_1_1):
    part_id, previous, _ = part_1_1
    auth.login("blo.1.1")
    html = client.get("/reports/").get_data(as_text=True)
    assert html.count('class="report-card"') == 1 and f'id="report-{part_id}"' in html
    inputs = re.findall(r'<input type="number" inputmode="numeric" min="0"[^>]*name="(\w+)"', html)
    assert inputs == list(FIGURES)  # every figure, in the order of the groups
    for legend in ("Forms", "Mapping to the old roll", "ASD: forms that cannot be collected"):
        assert f"<legend>{legend}</legend>" in html
    assert _shown_beside(html, "Digitized") == f"{previous['digitized']:,}"
    assert 'hx-trigger="input changed delay:400ms"' in html
    assert len(html.encode()) < 20_000  # small on a weak network


def test_part_form_as_page_and_as_fragment(app, client, auth, part_1_1):
    part_id, _, _ = part_1_1
    auth.login("ero.1")
    page = client.get(f"/reports/parts/{part_id}")
    assert page.status_code == 200 and "<html" in page.get_data(as_text=True)
    fragment = client.get(f"/reports/parts/{part_id}", headers={"HX-Request": "true"})
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "HX-Request" in fragment.headers["Vary"]
    assert "<html" not in html and html.strip().startswith(
        f'<article class="report-card" id="report-{part_id}"'
    )


def test_officers_find_a_part_to_enter_for(app, client, auth, part_1_1):
    part_id, _, _ = part_1_1
    auth.login("sup.1.1")
    html = client.get("/reports/").get_data(as_text=True)
    assert f'href="/reports/parts/{part_id}"' in html  # 1-1 has not reported today
    with app.app_context():
        supervisor = db.session.scalar(select(User.id).where(User.login == "sup.1.1"))
        parts = set(db.session.scalars(select(Part.id).where(Part.supervisor_id == supervisor)))
        reported = set(
            db.session.scalars(
                select(DailyReport.part_id).where(
                    DailyReport.part_id.in_(parts), DailyReport.report_date == campaign_today()
                )
            )
        )
    assert reported and parts - reported  # the seed leaves both kinds
    listed = {int(i) for i in re.findall(r'href="/reports/parts/(\d+)"', html)}
    assert listed == parts - reported
    assert re.search(r"Not reported yet for [^:<]+: (\d+)", html)[1] == str(len(parts - reported))
    response = client.get("/reports/?part=1-1")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/reports/parts/{part_id}")
    response = client.get("/reports/?part=5-1")
    assert response.status_code == 404 and "No part 5-1 in your area." in response.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["en", "hi"])
def test_a_part_report_page_has_one_top_heading_naming_the_part(app, client, auth, part_1_1, lang):
    """Screen readers jump to a page's <h1>: the BLO's report page had none (axe's one violation)."""
    part_id = part_1_1[0]
    auth.login("blo.1.1", lang=lang)
    html = client.get(f"/reports/parts/{part_id}").get_data(as_text=True)
    headings = re.findall(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert len(headings) == 1
    assert ("Daily report, part 1-1" if lang == "en" else "दैनिक रिपोर्ट, भाग 1-1") in headings[0]
