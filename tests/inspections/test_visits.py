"""The visit pages: the inspector's form at the booth as a page and as an htmx fragment, findings that
flag a part and open a difficulty, an agreeing visit, refusals that save nothing (words in numbers,
huge numbers, collected past distributed, four photos, a file that is no photo, a double tap), skipping,
finishing, the photos' scope and the report with its print styles."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.campaign.clock import campaign_today
from app.difficulties.models import Category, Difficulty, Level, Source
from app.extensions import db
from app.figures.models import DailyReport
from app.inspections.models import (
    ActionItem,
    Inspection,
    InspectionStatus,
    PartFlag,
    Stop,
    StopPhoto,
    StopStatus,
)
from app.models import AuditEntry
from tests.conftest import hindi
from tests.inspections.support import part, plan, user

HX = {"HX-Request": "true"}


def _report(part_id, day):
    return db.session.scalar(
        select(DailyReport)
        .where(DailyReport.part_id == part_id, DailyReport.report_date <= day)
        .order_by(DailyReport.report_date.desc())
        .limit(1)
    )


def _reported_part(app, inspector="collector.bhopal"):
    """A planned one-stop inspection of a part with a report, and that report's figures."""
    with app.test_request_context():
        today = campaign_today()
        target = next(p for p in (part(1, n) for n in range(1, 9)) if _report(p.id, today) is not None)
        figures = _report(target.id, today).figures()
        inspection = plan([target, part(2, 1) if target.number != 1 else part(2, 2)], inspector=inspector)
        stop = next(s for s in inspection.stops if s.part_id == target.id)
        return inspection.id, stop.id, target.id, figures


def _url(inspection_id, stop_id, tail=""):
    return f"/inspections/{inspection_id}/stops/{stop_id}{tail}"


def _fields(client, url) -> dict:
    html = client.get(url).get_data(as_text=True)
    return {
        "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', html)[1],
        "version": re.search(r'name="version" value="(\d+)"', html)[1],
        **({"opened_at": m[1]} if (m := re.search(r'name="opened_at" value="([^"]+)"', html)) else {}),
    }


def _jpeg(color=(120, 140, 160), size=(80, 60), fmt="JPEG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return buffer.getvalue()


def _state(app, stop_id):
    """What a refusal must leave untouched: the stop, its photos, actions, flags, difficulties, audit."""
    with app.app_context():
        stop = db.session.get(Stop, stop_id)
        return (
            stop.status,
            stop.version,
            db.session.scalar(select(func.count(StopPhoto.id))),
            db.session.scalar(select(func.count(ActionItem.id))),
            db.session.scalar(select(func.count(PartFlag.id))),
            db.session.scalar(select(func.count(Difficulty.id))),
            db.session.scalar(
                select(func.count(AuditEntry.id)).where(AuditEntry.action == "inspection.visit")
            ),
        )


def test_the_visit_form_as_a_page_and_as_a_fragment(app, client, auth):
    inspection_id, stop_id, _part_id, figures = _reported_part(app)
    auth.login("collector.bhopal")
    page = client.get(_url(inspection_id, stop_id))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in html
    assert 'id="visit-form"' in html and 'enctype="multipart/form-data"' in html
    assert "Arrived at" in html and "data-visit-location" in html
    for name in ("latitude", "longitude", "accuracy_m"):
        assert f'name="{name}"' in html
    # the figures reported that day beside each box
    assert f"<strong>{figures['digitized']}</strong>" in html
    assert html.count('class="visit-reported"') == 3
    assert 'name="photos"' in html and 'accept="image/*"' in html
    assert 'name="action_1_owner"' in html and 'name="action_5_what"' in html
    fragment = client.get(_url(inspection_id, stop_id), headers=HX)
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in body
    assert body.lstrip().startswith('<div id="visit"')
    assert "HX-Request" in fragment.headers["Vary"]


def test_the_plan_links_its_stops_to_the_visit_pages_for_the_inspector_only(app, client, auth):
    inspection_id, stop_id, _part_id, _ = _reported_part(app, inspector="ero.1")
    auth.login("collector.bhopal")
    html = client.get(f"/inspections/{inspection_id}").get_data(as_text=True)
    assert f'href="{_url(inspection_id, stop_id)}"' not in html  # the collector planned it; the ERO inspects
    assert f"/inspections/{inspection_id}/report" in html
    # the collector may read the stop, not record it
    read = client.get(_url(inspection_id, stop_id)).get_data(as_text=True)
    assert 'id="visit-form"' not in read and "Not visited yet" in read
    fields = _fields(client, f"/inspections/{inspection_id}")
    assert client.post(_url(inspection_id, stop_id), data={**fields, "blo_present": "yes"}).status_code == 403
    auth.logout()
    auth.login("ero.1")
    html = client.get(f"/inspections/{inspection_id}").get_data(as_text=True)
    assert f'href="{_url(inspection_id, stop_id)}"' in html


@pytest.mark.parametrize("login", ["state", "ero.1", "collector.raisen", "blo.1.1"])
def test_only_the_inspector_may_post_a_visit(app, client, auth, login):
    inspection_id, stop_id, _part_id, _ = _reported_part(app)
    auth.login(login)
    token = auth.token()
    before = _state(app, stop_id)
    response = client.post(
        _url(inspection_id, stop_id), data={"csrf_token": token, "version": "1", "blo_present": "yes"}
    )
    assert response.status_code == 403
    assert _state(app, stop_id) == before


def test_a_visit_with_a_discrepancy_flags_the_part_and_opens_an_ero_difficulty(
    app, client, auth, without_seeded_difficulties
):
    inspection_id, stop_id, part_id, figures = _reported_part(app)
    auth.login("collector.bhopal")
    fields = _fields(client, _url(inspection_id, stop_id))
    far = figures["digitized"] // 2
    response = client.post(
        _url(inspection_id, stop_id),
        data={
            **fields,
            "blo_present": "yes",
            "id_card_shown": "no",
            "forms_in_stock": "yes",
            "distributed": str(figures["distributed"]),
            "collected": str(figures["collected"]),
            "digitized": str(far),
            "households_sampled": "10",
            "households_confirmed": "10",
            "mapping": "under_way",
            "network": "weak",
            "notes": "Register seen; digitized count far below the report.",
            "latitude": "23.2599",
            "longitude": "77.4126",
            "accuracy_m": "12",
            "photos": (io.BytesIO(_jpeg()), "stock.jpg", "image/jpeg"),
        },
        headers=HX,
        content_type="multipart/form-data",
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200, body
    assert "<html" not in body and "The figures disagree" in body
    with app.app_context():
        stop = db.session.get(Stop, stop_id)
        assert stop.status == StopStatus.VISITED and [f["kind"] for f in stop.findings] == ["digitized"]
        assert (stop.verified_digitized, stop.reported_digitized) == (far, figures["digitized"])
        assert stop.arrival_distance_m is not None and stop.arrival_accuracy_m == 12
        assert stop.id_card_shown is False and stop.network.value == "weak"
        flag = db.session.scalar(
            select(PartFlag).where(PartFlag.part_id == part_id, PartFlag.cleared_at.is_(None))
        )
        assert flag is not None and flag.stop_id == stop_id
        difficulty = db.session.get(Difficulty, stop.difficulty_id)
        assert (difficulty.source, difficulty.category, difficulty.level) == (
            Source.INSPECTION,
            Category.DISCREPANCY,
            Level.ERO,
        )
        assert difficulty.owner_id == user("ero.1").id
        photo = db.session.scalar(select(StopPhoto).where(StopPhoto.stop_id == stop_id))
        photo_id = photo.id
        assert db.session.get(Inspection, inspection_id).status == InspectionStatus.UNDER_WAY
    assert f"/difficulties/{difficulty.id}" in body and f"#{difficulty.id}" in body
    assert "Next stop" in body
    assert "m from the part" in body
    shown = client.get(_url(inspection_id, stop_id, f"/photos/{photo_id}"))
    assert shown.status_code == 200 and shown.headers["Content-Type"] == "image/jpeg"
    assert "private" in shown.headers["Cache-Control"]
    with Image.open(io.BytesIO(shown.data)) as image:
        assert image.format == "JPEG" and len(image.getexif()) == 0
    # the collector's progress page counts the flag
    progress = client.get("/progress/", follow_redirects=True).get_data(as_text=True)
    assert re.search(r'<td class="num flagged"><mark>1</mark></td>', progress)


def test_an_agreeing_visit_finds_nothing_and_raises_nothing(app, client, auth, without_seeded_difficulties):
    inspection_id, stop_id, part_id, figures = _reported_part(app)
    auth.login("collector.bhopal")
    fields = _fields(client, _url(inspection_id, stop_id))
    response = client.post(
        _url(inspection_id, stop_id),
        data={
            **fields,
            "blo_present": "yes",
            **{name: str(figures[name]) for name in ("distributed", "collected", "digitized")},
        },
    )
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "No discrepancy found" in page and "The visit is recorded." in page
    assert "The phone&#39;s position was not shared." in page or "position was not shared" in page
    with app.app_context():
        stop = db.session.get(Stop, stop_id)
        assert stop.status == StopStatus.VISITED and stop.findings == [] and stop.difficulty_id is None
        assert db.session.scalar(select(func.count(Difficulty.id))) == 0
        assert db.session.scalar(select(PartFlag).where(PartFlag.part_id == part_id)) is None


@pytest.mark.parametrize(
    ("sent", "field", "message"),
    [
        ({"digitized": "99999999999999999999"}, "digitized", "Enter a whole number from 0 to"),
        ({"collected": "twelve"}, "collected", "is not a whole number"),
        ({"distributed": "10", "collected": "20"}, "collected", "Collected cannot be more than distributed."),
        ({"households_sampled": "5", "households_confirmed": "7"}, "households_confirmed", "More confirmed"),
        ({"blo_present": "maybe"}, "blo_present", "Choose yes or no."),
        ({"action_2_what": "Send forms"}, "action_2_owner", "Choose who will do it from the list."),
    ],
)
def test_bad_inputs_are_refused_with_a_message_and_nothing_saved(app, client, auth, sent, field, message):
    inspection_id, stop_id, _part_id, _ = _reported_part(app)
    auth.login("collector.bhopal")
    fields = _fields(client, _url(inspection_id, stop_id))
    before = _state(app, stop_id)
    response = client.post(_url(inspection_id, stop_id), data={**fields, **sent}, headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in body and "Nothing was saved" in body
    assert f'name="{field}"' in body
    if field == "blo_present":  # the yes/no pair's fieldset carries the message
        assert 'aria-invalid="true" aria-describedby="blo_present-help"' in body
    else:
        assert re.search(rf'name="{field}"[^>]*aria-invalid="true"', body), field
    assert _state(app, stop_id) == before
    # what was typed comes back in the form
    for name, value in sent.items():
        if name != "blo_present":
            assert f'value="{value[:40]}"' in body


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([(_jpeg(), f"p{n}.jpg") for n in range(4)], "At most 3 photos."),
        ([(b"not a photo at all", "notes.jpg")], "is not a photo we can read"),
        ([(_jpeg()[:200], "cut.jpg")], "is not a photo we can read"),
    ],
)
def test_photos_that_cannot_be_kept_are_refused(app, client, auth, files, message):
    inspection_id, stop_id, _part_id, _ = _reported_part(app)
    auth.login("collector.bhopal")
    fields = _fields(client, _url(inspection_id, stop_id))
    before = _state(app, stop_id)
    response = client.post(
        _url(inspection_id, stop_id),
        data={**fields, "blo_present": "yes", "photos": [(io.BytesIO(d), n, "image/jpeg") for d, n in files]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _state(app, stop_id) == before


def test_a_png_named_jpg_is_kept_as_a_clean_jpeg(app, client, auth):
    """The file's contents decide, not its name (as for a difficulty's photo): a PNG is re-encoded."""
    inspection_id, stop_id, _part_id, _ = _reported_part(app)
    auth.login("collector.bhopal")
    fields = _fields(client, _url(inspection_id, stop_id))
    response = client.post(
        _url(inspection_id, stop_id),
        data={**fields, "photos": (io.BytesIO(_jpeg(fmt="PNG")), "screen.jpg", "image/jpeg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    with app.app_context():
        photo = db.session.scalar(select(StopPhoto).where(StopPhoto.stop_id == stop_id))
        assert photo.data[:3] == b"\xff\xd8\xff"


def test_a_double_tap_saves_once(app, client, auth, without_seeded_difficulties):
    inspection_id, stop_id, _part_id, figures = _reported_part(app)
    auth.login("collector.bhopal")
    fields = _fields(client, _url(inspection_id, stop_id))
    data = {**fields, "blo_present": "yes", "digitized": str(figures["digitized"] // 2)}
    first = client.post(_url(inspection_id, stop_id), data=data, headers=HX)
    assert first.status_code == 200
    after_first = _state(app, stop_id)
    second = client.post(_url(inspection_id, stop_id), data=data, headers=HX)
    assert second.status_code == 409
    assert "already recorded" in second.get_data(as_text=True)
    assert _state(app, stop_id) == after_first
    with app.app_context():
        assert db.session.scalar(select(func.count(Difficulty.id))) == 1
    # without the version the page cannot be saved either
    third = client.post(_url(inspection_id, stop_id), data={"csrf_token": fields["csrf_token"]})
    assert third.status_code == 422


def test_an_action_item_becomes_a_difficulty_owned_as_chosen(app, client, auth, without_seeded_difficulties):
    inspection_id, stop_id, part_id, _ = _reported_part(app)
    auth.login("collector.bhopal")
    fields = _fields(client, _url(inspection_id, stop_id))
    with app.app_context():
        ero = user("ero.1").id
        due = (campaign_today() + timedelta(days=3)).isoformat()
    response = client.post(
        _url(inspection_id, stop_id),
        data={
            **fields,
            "action_1_what": "Send 200 more forms",
            "action_1_owner": str(ero),
            "action_1_due": due,
        },
        headers=HX,
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200, body
    with app.app_context():
        item = db.session.scalar(select(ActionItem).where(ActionItem.stop_id == stop_id))
        assert (item.what, item.owner_id, item.due_on.isoformat()) == ("Send 200 more forms", ero, due)
        assert db.session.get(Difficulty, item.difficulty_id).owner_id == ero
    assert "Send 200 more forms" in body and f"/difficulties/{item.difficulty_id}" in body


def test_skipping_needs_a_reason(app, client, auth):
    inspection_id, stop_id, _part_id, _ = _reported_part(app)
    auth.login("collector.bhopal")
    fields = _fields(client, _url(inspection_id, stop_id))
    data = {"csrf_token": fields["csrf_token"], "version": fields["version"]}
    refused = client.post(
        _url(inspection_id, stop_id, "/skip"), data={**data, "skip_reason": "  "}, headers=HX
    )
    assert refused.status_code == 422
    assert "Say why this stop is skipped." in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Stop, stop_id).status == StopStatus.PENDING
    done = client.post(
        _url(inspection_id, stop_id, "/skip"),
        data={**data, "skip_reason": "Road shut by the flood"},
        headers=HX,
    )
    body = done.get_data(as_text=True)
    assert done.status_code == 200 and "Road shut by the flood" in body and "Next stop" in body
    with app.app_context():
        stop = db.session.get(Stop, stop_id)
        assert stop.status == StopStatus.SKIPPED and stop.skip_reason == "Road shut by the flood"
    again = client.post(
        _url(inspection_id, stop_id, "/skip"), data={**data, "skip_reason": "again"}, headers=HX
    )
    assert again.status_code == 409


def test_finishing_the_inspection(app, client, auth):
    inspection_id, stop_id, _part_id, _ = _reported_part(app)
    auth.login("collector.bhopal")
    page = client.get(f"/inspections/{inspection_id}/report").get_data(as_text=True)
    version = re.search(r'action="/inspections/\d+/finish".*?name="version" value="(\d+)"', page, re.S)[1]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    assert client.post(f"/inspections/{inspection_id}/finish", data={"csrf_token": token}).status_code == 422
    done = client.post(f"/inspections/{inspection_id}/finish", data={"csrf_token": token, "version": version})
    assert done.status_code == 303 and done.headers["Location"].endswith(
        f"/inspections/{inspection_id}/report"
    )
    with app.app_context():
        inspection = db.session.get(Inspection, inspection_id)
        assert inspection.status == InspectionStatus.FINISHED and inspection.finished_at is not None
    again = client.post(
        f"/inspections/{inspection_id}/finish", data={"csrf_token": token, "version": str(int(version) + 1)}
    )
    assert again.status_code == 409
    # a finished inspection records no visit
    read = client.get(_url(inspection_id, stop_id)).get_data(as_text=True)
    assert 'id="visit-form"' not in read


def test_photos_and_visits_out_of_scope_are_refused(app, client, auth):
    inspection_id, stop_id, _part_id, _ = _reported_part(app)
    auth.login("collector.bhopal")
    fields = _fields(client, _url(inspection_id, stop_id))
    client.post(
        _url(inspection_id, stop_id),
        data={**fields, "photos": (io.BytesIO(_jpeg()), "a.jpg", "image/jpeg")},
        content_type="multipart/form-data",
    )
    with app.app_context():
        photo_id = db.session.scalar(select(StopPhoto.id).where(StopPhoto.stop_id == stop_id))
    url = _url(inspection_id, stop_id, f"/photos/{photo_id}")
    assert client.get(url).status_code == 200
    assert client.get(_url(inspection_id, stop_id, f"/photos/{photo_id + 999}")).status_code == 404
    auth.logout()
    auth.login("collector.raisen")
    assert client.get(url).status_code == 403
    assert client.get(_url(inspection_id, stop_id)).status_code == 403
    auth.logout()
    auth.login("ero.1")  # not the inspector of this one
    assert client.get(url).status_code == 403
    auth.logout()
    auth.login("state")
    assert client.get(url).status_code == 200


def test_the_report_shows_the_findings_and_prints_on_a4(app, client, auth, without_seeded_difficulties):
    inspection_id, stop_id, _part_id, figures = _reported_part(app)
    auth.login("collector.bhopal")
    fields = _fields(client, _url(inspection_id, stop_id))
    client.post(
        _url(inspection_id, stop_id),
        data={
            **fields,
            "blo_present": "no",
            "digitized": str(figures["digitized"] // 2),
            "notes": "Counted twice",
        },
    )
    with app.app_context():
        second = next(s for s in db.session.get(Inspection, inspection_id).stops if s.id != stop_id)
        second_id, version = second.id, second.version
    client.post(
        _url(inspection_id, second_id, "/skip"),
        data={"csrf_token": fields["csrf_token"], "version": version, "skip_reason": "BLO at a training"},
    )
    response = client.get(f"/inspections/{inspection_id}/report")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Forms digitized: counted" in html and "Counted twice" in html
    assert "BLO at a training" in html and "/exports/inspection_visits.csv?" in html
    with app.app_context():
        difficulty_id = db.session.get(Stop, stop_id).difficulty_id
    assert f"/difficulties/{difficulty_id}" in html
    css = client.get("/static/css/desk.css").get_data(as_text=True)
    assert "@media print" in css and "size: A4" in css
    assert "no-print" in html


def test_the_visit_page_in_hindi(app, client, auth):
    inspection_id, stop_id, _part_id, _ = _reported_part(app)
    auth.login("collector.bhopal", lang="hi")
    html = client.get(_url(inspection_id, stop_id)).get_data(as_text=True)
    assert hindi(app, "Save the visit") in html
    assert hindi(app, "Forms counted here") in html
    assert "Save the visit" not in html
