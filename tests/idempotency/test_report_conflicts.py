"""A queued report that arrives after an officer entered the day for the BLO: both shown, the BLO chooses."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.campaign.clock import campaign_today
from app.extensions import db
from app.figures.models import FIGURES, DailyReport
from app.models import AuditEntry, User
from tests.conftest import AuthActions, hindi
from tests.idempotency.support import advance, audit_count, clear_today, new_key, part_id, refusal


@pytest.fixture
def setting(app, client, auth):
    """Part 1-1 with nothing today; the BLO's form as it was filled (its `report_seen`); then the
    supervisor saves other figures on the BLO's behalf from another phone."""
    pid = part_id(app, 1, 1)
    previous, electors = clear_today(app, pid)
    auth.login("blo.1.1")
    page = client.get(f"/reports/parts/{pid}").get_data(as_text=True)
    seen = re.search(r'name="report_seen" value="([^"]*)"', page)[1]
    officer = app.test_client()
    officer.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    officer_auth = AuthActions(officer)
    officer_auth.login("sup.1.1")
    theirs = advance(previous, electors, step=10)
    token = officer_auth.token(f"/reports/parts/{pid}")
    saved = officer.post(
        f"/reports/parts/{pid}",
        data={**{n: str(v) for n, v in theirs.items()}, "csrf_token": token, "report_seen": ""},
    )
    assert saved.status_code == 303
    mine = advance(previous, electors, step=6)
    assert mine != theirs
    return {
        "pid": pid,
        "seen": seen,
        "theirs": theirs,
        "mine": mine,
        "officer": officer,
        "officer_auth": officer_auth,
    }


def _send(client, auth, pid, figures, htmx=False, key=None, path="", **extra):
    token = auth.token(f"/reports/parts/{pid}")
    data = {n: str(v) for n, v in figures.items()} | {"csrf_token": token, **extra}
    headers = {"HX-Request": "true"} if htmx else {}
    if key:
        headers["Idempotency-Key"] = key
    return client.post(f"/reports/parts/{pid}{path}", data=data, headers=headers)


def _saved(app, pid):
    with app.app_context():
        report = db.session.scalar(
            select(DailyReport).where(DailyReport.part_id == pid, DailyReport.report_date == campaign_today())
        )
        return report.figures(), report.entered_by_id, report.updated_at.isoformat()


def _user_id(app, login):
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.login == login))


def _choices(html: str) -> dict[str, dict[str, str]]:
    """The conflict page's two forms: action → their fields."""
    forms = {}
    for action, body in re.findall(r'<form method="post" action="([^"]+)">(.*?)</form>', html, re.S):
        forms[action] = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', body))
        reason = re.search(r'name="correction_reason"[^>]*>([^<]*)<', body)
        if reason:
            forms[action]["correction_reason"] = reason[1]
    return forms


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_a_late_report_does_not_replace_the_officers_figures_and_shows_both(app, client, auth, setting, htmx):
    pid, theirs, mine = setting["pid"], setting["theirs"], setting["mine"]
    before = _saved(app, pid)
    audits = audit_count(app, "report.")
    answer = _send(client, auth, pid, mine, htmx=htmx, key=new_key(), report_seen=setting["seen"])
    assert answer.status_code == 409
    html = answer.get_data(as_text=True)
    assert ("<html" in html) is not htmx
    assert f'id="report-{pid}"' in html
    assert "Two sets of figures" in html
    with app.app_context():
        name = db.session.scalar(select(User.name).where(User.login == "sup.1.1"))
    assert f"{name} (BLO supervisor)" in html or name in html
    # Both figures side by side: the officer's then the BLO's, for every figure.
    rows = re.findall(r'<th scope="row">[^<]+</th>\s*<td>([^<]+)</td>\s*<td>([^<]+)', html)
    assert [(int(a.replace(",", "")), int(b.replace(",", ""))) for a, b in rows] == [
        (theirs[n], mine[n]) for n in FIGURES
    ]
    assert name in refusal(answer)
    assert _saved(app, pid) == before
    assert audit_count(app, "report.") == audits
    choices = _choices(html)
    assert set(choices) == {f"/reports/parts/{pid}/keep", f"/reports/parts/{pid}"}
    assert choices[f"/reports/parts/{pid}"]["report_seen"] == before[2]
    assert choices[f"/reports/parts/{pid}"]["override"] == "1"


def test_keeping_the_officers_figures_changes_nothing_and_is_audited(app, client, auth, setting):
    pid, mine = setting["pid"], setting["mine"]
    before = _saved(app, pid)
    html = _send(client, auth, pid, mine, key=new_key(), report_seen=setting["seen"]).get_data(as_text=True)
    keep = _choices(html)[f"/reports/parts/{pid}/keep"]
    answer = client.post(f"/reports/parts/{pid}/keep", data=keep)
    assert answer.status_code == 303
    assert _saved(app, pid) == before
    followed = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "The figures already saved stand; yours were dropped." in followed
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "report.conflict_kept"))
        assert entry.actor_id == _user_id(app, "blo.1.1")
        assert entry.after["dropped"] == mine
        assert entry.after["kept_entered_by_id"] == _user_id(app, "sup.1.1")


def test_saving_mine_replaces_them_deliberately_and_is_audited_as_an_override(app, client, auth, setting):
    pid, theirs, mine = setting["pid"], setting["theirs"], setting["mine"]
    html = _send(client, auth, pid, mine, key=new_key(), report_seen=setting["seen"]).get_data(as_text=True)
    choice = _choices(html)[f"/reports/parts/{pid}"]
    choice["correction_reason"] = "Recounted the forms at the booth."
    answer = client.post(f"/reports/parts/{pid}", data=choice)
    assert answer.status_code == 303
    figures, entered_by, _stamp = _saved(app, pid)
    assert figures == mine and entered_by == _user_id(app, "blo.1.1")
    with app.app_context():
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "report.update").order_by(AuditEntry.id.desc())
        ).first()
        assert entry.before == theirs
        assert {k: entry.after[k] for k in FIGURES} == mine
        assert entry.after["override"]["replaced_entered_by_id"] == _user_id(app, "sup.1.1")
        assert entry.after["override"]["reason"] == "Recounted the forms at the booth."
    # The same choice sent again (a double tap) is the same answer, not a second save.
    again = client.post(f"/reports/parts/{pid}", data=choice)
    assert again.status_code == 303 and again.headers["Idempotent-Replay"] == "true"


def test_saving_mine_after_the_officer_changed_them_again_is_a_new_conflict(app, client, auth, setting):
    pid, mine = setting["pid"], setting["mine"]
    html = _send(client, auth, pid, mine, report_seen=setting["seen"]).get_data(as_text=True)
    choice = _choices(html)[f"/reports/parts/{pid}"]
    theirs_again = {**setting["theirs"], "distributed": setting["theirs"]["distributed"] + 1}
    officer, officer_auth = setting["officer"], setting["officer_auth"]
    assert _send(officer, officer_auth, pid, theirs_again).status_code == 303
    answer = client.post(f"/reports/parts/{pid}", data=choice)
    assert answer.status_code == 409
    assert _saved(app, pid)[0] == theirs_again


def test_no_conflict_when_the_figures_agree_or_the_form_is_older_than_the_field(app, client, auth, setting):
    pid, theirs = setting["pid"], setting["theirs"]
    # The same figures as the officer's: nothing to choose between.
    assert _send(client, auth, pid, theirs, key=new_key(), report_seen=setting["seen"]).status_code == 303
    # A form that does not say what it saw saves as before.
    assert _send(client, auth, pid, setting["mine"]).status_code == 303
    assert _saved(app, pid)[0] == setting["mine"]


def test_own_earlier_save_is_not_a_conflict(app, client, auth):
    pid = part_id(app, 1, 1)
    previous, electors = clear_today(app, pid)
    auth.login("blo.1.1")
    first = advance(previous, electors, step=4)
    assert _send(client, auth, pid, first, report_seen="").status_code == 303
    # The same page sends again (its form still says it saw no report): the BLO's own save is no conflict.
    second = advance(previous, electors, step=8)
    assert _send(client, auth, pid, second, report_seen="").status_code == 303
    assert _saved(app, pid)[0] == second


def test_the_conflict_in_hindi(app, client, auth, setting):
    pid = setting["pid"]
    client.post("/auth/language", data={"lang": "hi", "csrf_token": auth.token()})
    answer = _send(client, auth, pid, setting["mine"], report_seen=setting["seen"])
    assert answer.status_code == 409
    html = answer.get_data(as_text=True)
    assert hindi(app, "Two sets of figures for %(day)s").split("%(day)s")[0].strip() in html
    assert hindi(app, "Save mine instead") in html
    with app.app_context():
        name = db.session.scalar(select(User.name).where(User.login == "sup.1.1"))
    expected = hindi(
        app,
        "Not saved: %(name)s entered other figures for this day. Open the report to choose which stand.",
        name=name,
    )
    assert refusal(answer) == expected
