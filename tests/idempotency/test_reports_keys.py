"""The BLO's daily report under an idempotency key: sent twice, saved once; the rules of the key."""

from __future__ import annotations

from tests.idempotency.support import (
    advance,
    audit_count,
    clear_today,
    key_count,
    new_key,
    part_id,
    refusal,
    report_count,
)


def _post(client, auth, pid, figures, key=None, htmx=True, as_field=False, **extra):
    token = auth.token(f"/reports/parts/{pid}")
    data = {name: str(value) for name, value in figures.items()} | {"csrf_token": token, **extra}
    headers = {"HX-Request": "true"} if htmx else {}
    if key and as_field:
        data["idempotency_key"] = key
    elif key:
        headers["Idempotency-Key"] = key
    return client.post(f"/reports/parts/{pid}", data=data, headers=headers)


def test_same_key_same_payload_gives_the_original_answer_and_saves_once(app, client, auth):
    pid = part_id(app, 1, 1)
    previous, electors = clear_today(app, pid)
    auth.login("blo.1.1")
    figures = advance(previous, electors)
    key = new_key()
    audits = audit_count(app, "report.")
    first = _post(client, auth, pid, figures, key)
    assert first.status_code == 200
    assert "Idempotent-Replay" not in first.headers
    again = _post(client, auth, pid, figures, key)
    assert again.status_code == 200
    assert again.headers["Idempotent-Replay"] == "true"
    assert again.get_data() == first.get_data()
    for name in ("HX-Retarget", "HX-Reswap", "Content-Type"):
        assert again.headers[name] == first.headers[name]
    assert report_count(app, pid) == 1
    assert audit_count(app, "report.") == audits + 1
    assert key_count(app) == 1


def test_the_key_may_come_as_a_form_field(app, client, auth):
    pid = part_id(app, 1, 1)
    previous, electors = clear_today(app, pid)
    auth.login("blo.1.1")
    figures, key = advance(previous, electors), new_key()
    assert _post(client, auth, pid, figures, key, as_field=True).status_code == 200
    again = _post(client, auth, pid, figures, key, as_field=True)
    assert again.headers["Idempotent-Replay"] == "true"
    # The header and the field are the same key: the payload without the field is the same too.
    assert _post(client, auth, pid, figures, key).headers["Idempotent-Replay"] == "true"
    assert report_count(app, pid) == 1 and key_count(app) == 1


def test_a_plain_post_replays_its_redirect_and_the_message_it_flashed(app, client, auth):
    pid = part_id(app, 1, 1)
    previous, electors = clear_today(app, pid)
    auth.login("blo.1.1")
    figures, key = advance(previous, electors), new_key()
    first = _post(client, auth, pid, figures, key, htmx=False)
    assert first.status_code == 303
    client.get(first.headers["Location"])  # the flash is shown once, then gone
    again = _post(client, auth, pid, figures, key, htmx=False)
    assert again.status_code == 303 and again.headers["Idempotent-Replay"] == "true"
    assert again.headers["Location"] == first.headers["Location"]
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "Saved at" in page
    assert report_count(app, pid) == 1


def test_same_key_other_payload_is_refused_with_422_and_saves_nothing(app, client, auth):
    pid = part_id(app, 1, 1)
    previous, electors = clear_today(app, pid)
    auth.login("blo.1.1")
    key = new_key()
    first = advance(previous, electors, step=4)
    assert _post(client, auth, pid, first, key).status_code == 200
    audits = audit_count(app, "report.")
    other = advance(previous, electors, step=8)
    for htmx in (True, False):
        refused = _post(client, auth, pid, other, key, htmx=htmx)
        assert refused.status_code == 422
        html = refused.get_data(as_text=True)
        assert "already sent with other contents under the same key" in html
        assert ("<html" in html) is not htmx
        assert refusal(refused) == "Nothing was saved: this key was already used for another form."
    assert audit_count(app, "report.") == audits
    assert report_count(app, pid) == 1
    with app.app_context():
        from app.extensions import db
        from app.figures.models import DailyReport

        assert db.session.get(DailyReport, _today_report_id(app, pid)).figures() == first


def _today_report_id(app, pid):
    from sqlalchemy import select

    from app.campaign.clock import campaign_today
    from app.extensions import db
    from app.figures.models import DailyReport

    return db.session.scalar(
        select(DailyReport.id).where(DailyReport.part_id == pid, DailyReport.report_date == campaign_today())
    )


def _set_claim(app, **values):
    from sqlalchemy import update

    from app.extensions import db
    from app.models import IdempotencyKey

    with app.app_context():
        db.session.execute(update(IdempotencyKey).values(**values))
        db.session.commit()


def test_a_key_still_being_processed_is_409_and_a_dead_workers_claim_is_taken_over(app, client, auth):
    from datetime import timedelta

    from app.timeutil import utcnow

    pid = part_id(app, 1, 1)
    previous, electors = clear_today(app, pid)
    auth.login("blo.1.1")
    figures, key = advance(previous, electors), new_key()
    assert _post(client, auth, pid, figures, key).status_code == 200
    audits = audit_count(app, "report.")
    # As if another worker had just claimed the key and not finished yet.
    with app.app_context():
        now = utcnow()
    _set_claim(app, status="processing", response_status=None, response_body=None, claimed_at=now)
    busy = _post(client, auth, pid, figures, key)
    assert busy.status_code == 409
    assert "being saved right now" in busy.get_data(as_text=True)
    assert refusal(busy) == "Still being saved: send it again in a moment."
    assert audit_count(app, "report.") == audits
    # The claim is ten minutes old: its worker died; this request takes it over and answers.
    _set_claim(app, claimed_at=now - timedelta(minutes=10))
    taken = _post(client, auth, pid, figures, key)
    assert taken.status_code == 200 and "Idempotent-Replay" not in taken.headers
    assert _post(client, auth, pid, figures, key).headers["Idempotent-Replay"] == "true"
    assert report_count(app, pid) == 1 and key_count(app) == 1


def test_a_refused_post_releases_its_key_so_the_fixed_one_is_saved(app, client, auth):
    pid = part_id(app, 1, 1)
    previous, electors = clear_today(app, pid)
    auth.login("blo.1.1")
    key = new_key()
    wrong = {**advance(previous, electors), "digitized": "ten"}
    refused = _post(client, auth, pid, wrong, key)
    assert refused.status_code == 422
    assert refusal(refused) == "Enter a whole number, like 250."
    html = refused.get_data(as_text=True)
    assert f'id="e{pid}-digitized" class="field-error">Enter a whole number, like 250.' in html
    assert key_count(app) == 0 and report_count(app, pid) == 0
    fixed = _post(client, auth, pid, advance(previous, electors), key)
    assert fixed.status_code == 200 and report_count(app, pid) == 1


def test_a_lowered_figure_without_a_reason_is_refused_with_the_fields_message(app, client, auth):
    pid = part_id(app, 1, 1)
    previous, electors = clear_today(app, pid)
    auth.login("blo.1.1")
    lowered = {**previous, "distributed": previous["distributed"] - 1}
    refused = _post(client, auth, pid, lowered, new_key())
    assert refused.status_code == 422
    assert refusal(refused)  # the first field's message, whatever it is
    assert refusal(refused) in refused.get_data(as_text=True)
    assert key_count(app) == 0


def test_a_failure_releases_the_key(app, client, auth, monkeypatch):
    import app.reports.routes as routes

    pid = part_id(app, 1, 1)
    previous, electors = clear_today(app, pid)
    auth.login("blo.1.1")

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(routes, "submit_report", broken)
    failed = _post(client, auth, pid, advance(previous, electors), new_key())
    assert failed.status_code == 500
    assert key_count(app) == 0 and report_count(app, pid) == 0


def test_an_unreadable_key_is_400(app, client, auth):
    pid = part_id(app, 1, 1)
    previous, electors = clear_today(app, pid)
    auth.login("blo.1.1")
    refused = _post(client, auth, pid, advance(previous, electors), "not-a-uuid")
    assert refused.status_code == 400
    assert refusal(refused) == "Nothing was saved: the form's key is unreadable."
    assert report_count(app, pid) == 0 and key_count(app) == 0


def test_without_a_key_nothing_is_kept_and_a_resend_saves_again(app, client, auth):
    pid = part_id(app, 1, 1)
    previous, electors = clear_today(app, pid)
    auth.login("blo.1.1")
    figures = advance(previous, electors)
    audits = audit_count(app, "report.")
    first, second = _post(client, auth, pid, figures), _post(client, auth, pid, figures)
    assert first.status_code == second.status_code == 200
    assert "Idempotent-Replay" not in second.headers
    assert key_count(app) == 0
    assert audit_count(app, "report.") == audits + 2  # as before: each save is audited
    assert report_count(app, pid) == 1


def test_keys_are_per_user(app, client, auth):
    """Another person's key of the same value is another key: the supervisor's post is worked."""
    from tests.conftest import AuthActions

    pid = part_id(app, 1, 1)
    previous, electors = clear_today(app, pid)
    auth.login("blo.1.1")
    key = new_key()
    assert _post(client, auth, pid, advance(previous, electors, 4), key).status_code == 200
    officer = app.test_client()
    officer_auth = AuthActions(officer)
    officer_auth.login("sup.1.1")
    answer = _post(officer, officer_auth, pid, advance(previous, electors, 8), key)
    assert answer.status_code == 200 and "Idempotent-Replay" not in answer.headers
    assert key_count(app) == 2


def test_the_live_check_is_not_kept(app, client, auth):
    """reports.check saves nothing: it is not a queueable post and keeps no key."""
    pid = part_id(app, 1, 1)
    previous, electors = clear_today(app, pid)
    auth.login("blo.1.1")
    token = auth.token(f"/reports/parts/{pid}")
    data = {name: str(value) for name, value in advance(previous, electors).items()} | {"csrf_token": token}
    answer = client.post(
        f"/reports/parts/{pid}/check", data=data, headers={"HX-Request": "true", "Idempotency-Key": new_key()}
    )
    assert answer.status_code == 200 and key_count(app) == 0


def test_the_refusals_in_hindi(app, client, auth):
    from tests.conftest import hindi

    pid = part_id(app, 1, 1)
    previous, electors = clear_today(app, pid)
    auth.login("blo.1.1", lang="hi")
    key = new_key()
    assert _post(client, auth, pid, advance(previous, electors, 4), key).status_code == 200
    refused = _post(client, auth, pid, advance(previous, electors, 8), key)
    assert refused.status_code == 422
    assert refusal(refused) == hindi(app, "Nothing was saved: this key was already used for another form.")
    assert hindi(
        app,
        "This form was already sent with other contents under the same key. Nothing was saved this time: "
        "fill the form again and send it.",
    ) in refused.get_data(as_text=True)
    wrong = _post(client, auth, pid, {**advance(previous, electors), "digitized": "x"}, new_key())
    assert refusal(wrong) == hindi(app, "Enter a whole number, like 250.")
