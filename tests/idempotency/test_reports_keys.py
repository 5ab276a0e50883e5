"""The BLO's daily report under an idempotency key: sent twice, saved once; the rules of the key."""

from __future__ import annotations

from app.figures.models import FIGURES
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
