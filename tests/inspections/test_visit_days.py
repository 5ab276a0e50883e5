"""When a visit can be recorded: from the inspection's day (in the campaign's zone, not the server's)
until it is finished. Before, and after, the pages do not offer it and a forced post is refused with
its reason (409, X-Refusal), photos and all left unsaved."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from sqlalchemy import func, select, update

from app.campaign.clock import campaign_today
from app.extensions import db
from app.inspections import services
from app.inspections.models import ActionItem, Inspection, InspectionStatus, Stop, StopPhoto, StopStatus
from app.models import AuditEntry
from tests.conftest import AuthActions, hindi
from tests.inspections.support import part, plan, user

HX = {"HX-Request": "true"}
KOLKATA = ZoneInfo("Asia/Kolkata")


def _freeze(app, moment: datetime) -> None:
    app.config["CLOCK"] = lambda: moment


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """A moment of the campaign's day `day`, in Kolkata, as an aware UTC datetime."""
    return datetime.combine(day, time(hour, minute), KOLKATA).astimezone(UTC)


def _planned_for_tomorrow(app, inspector: str = "collector.bhopal") -> tuple[int, int, date]:
    """A two-stop inspection planned for the campaign's tomorrow: its id, its first stop's, its day."""
    with app.test_request_context():
        day = campaign_today() + timedelta(days=1)
        inspection = plan([part(1, 1), part(1, 2)], inspector=inspector, day=day)
        return inspection.id, inspection.stops[0].id, day


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (80, 60), (120, 140, 160)).save(buffer, "JPEG")
    return buffer.getvalue()


def _signed_in(app, login: str = "collector.bhopal", lang: str = "en"):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
    assert AuthActions(client).login(login, lang=lang).status_code == 303
    return client


def _token(client, url: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True))[1]


def _visit(client, inspection_id: int, stop_id: int, **extra):
    url = f"/inspections/{inspection_id}/stops/{stop_id}"
    data = {
        "csrf_token": _token(client, url),
        "version": "1",
        "blo_present": "yes",
        "distributed": "100",
        "notes": "Counted the forms.",
        "photos": (io.BytesIO(_jpeg()), "stock.jpg"),
        **extra,
    }
    return client.post(url, data=data, headers=HX, content_type="multipart/form-data")


def _saved(app, stop_id: int):
    """What a refused visit must leave as it was: the stop, the photos, actions and the audit."""
    with app.app_context():
        stop = db.session.get(Stop, stop_id)
        return (
            stop.status,
            stop.version,
            stop.arrived_at,
            stop.notes,
            db.session.scalar(select(func.count(StopPhoto.id))),
            db.session.scalar(select(func.count(ActionItem.id))),
            db.session.scalar(
                select(func.count(AuditEntry.id)).where(
                    AuditEntry.action.in_(("inspection.visit", "inspection.skip"))
                )
            ),
        )


def _refusal(response) -> str:
    return unquote(response.headers.get("X-Refusal", ""))


def test_before_its_day_no_visit_is_offered_nor_recorded(app):
    inspection_id, stop_id, day = _planned_for_tomorrow(app)
    # 23:30 in Kolkata on the day before (18:00 UTC): the server's date is the day before too
    _freeze(app, _at(day - timedelta(days=1), 23, 30))
    client = _signed_in(app)
    page = client.get(f"/inspections/{inspection_id}/stops/{stop_id}").get_data(as_text=True)
    assert 'id="visit-form"' not in page and "Skip this stop" not in page
    assert "can be recorded from" in page
    plan_page = client.get(f"/inspections/{inspection_id}").get_data(as_text=True)
    assert "Record the visit" not in plan_page and "The visits can be recorded from" in plan_page
    report = client.get(f"/inspections/{inspection_id}/report").get_data(as_text=True)
    assert "Finish the inspection" not in report

    before = _saved(app, stop_id)
    response = _visit(client, inspection_id, stop_id)
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "its visits can be recorded from that day, not before. Nothing was saved." in body
    assert "its visits can be recorded from that day, not before" in _refusal(response)
    url = f"/inspections/{inspection_id}/stops/{stop_id}/skip"
    skipped = client.post(
        url, data={"csrf_token": _token(client, url), "version": "1", "skip_reason": "road shut"}, headers=HX
    )
    assert skipped.status_code == 409 and "not before" in _refusal(skipped)
    finish_url = f"/inspections/{inspection_id}/finish"
    finished = client.post(finish_url, data={"csrf_token": _token(client, finish_url), "version": "1"})
    assert finished.status_code == 409 and "it can be finished from that day" in _refusal(finished)
    assert _saved(app, stop_id) == before
    with app.app_context():
        assert db.session.get(Inspection, inspection_id).status == InspectionStatus.PLANNED

    # one minute past midnight in Kolkata (still the day before in UTC): the day has come
    _freeze(app, _at(day, 0, 1))
    page = client.get(f"/inspections/{inspection_id}/stops/{stop_id}").get_data(as_text=True)
    assert 'id="visit-form"' in page
    assert "Record the visit" in client.get(f"/inspections/{inspection_id}").get_data(as_text=True)
    response = _visit(client, inspection_id, stop_id)
    assert response.status_code == 200, _refusal(response)
    with app.app_context():
        stop = db.session.get(Stop, stop_id)
        assert stop.status == StopStatus.VISITED
        assert db.session.scalar(select(func.count(StopPhoto.id)).where(StopPhoto.stop_id == stop_id)) == 1


NOT_YET_PAGE = (
    "Not visited yet: the visits of this inspection can be recorded from %(day)s, its day, not before."
)
NOT_YET_REFUSAL = (
    "This inspection is on %(day)s: its visits can be recorded from that day, not before. Nothing was saved."
)


def test_before_its_day_the_pages_say_so_in_hindi(app):
    inspection_id, stop_id, day = _planned_for_tomorrow(app)
    _freeze(app, _at(day - timedelta(days=1), 12))
    client = _signed_in(app, lang="hi")
    page = client.get(f"/inspections/{inspection_id}/stops/{stop_id}").get_data(as_text=True)
    assert hindi(app, NOT_YET_PAGE).split("%(day)s")[0] in page
    response = _visit(client, inspection_id, stop_id)
    assert response.status_code == 409
    after_the_day = hindi(app, NOT_YET_REFUSAL).split("%(day)s")[-1].strip()
    assert after_the_day in response.get_data(as_text=True) and after_the_day in _refusal(response)


def test_once_finished_no_visit_is_offered_nor_recorded(app):
    with app.test_request_context():
        inspection = plan([part(1, 1), part(1, 2)])
        inspection_id, stop_id = inspection.id, inspection.stops[0].id
        services.finish(user("collector.bhopal"), inspection, inspection.version)
        db.session.commit()
    client = _signed_in(app)
    page = client.get(f"/inspections/{inspection_id}/stops/{stop_id}").get_data(as_text=True)
    assert 'id="visit-form"' not in page and "Skip this stop" not in page
    assert "Record the visit" not in client.get(f"/inspections/{inspection_id}").get_data(as_text=True)
    before = _saved(app, stop_id)
    response = _visit(client, inspection_id, stop_id)
    assert response.status_code == 409
    assert "This inspection was finished on" in response.get_data(as_text=True)
    assert "no visit can be recorded after that" in _refusal(response)
    assert _saved(app, stop_id) == before


def test_a_finish_committed_meanwhile_is_seen_by_the_visit(app):
    """The visit's session read the inspection open; another request finished it before the visit
    was saved. The service reads it again under its lock and refuses."""
    with app.test_request_context():
        inspection = plan([part(1, 1)])
        stop = inspection.stops[0]
        assert inspection.status == InspectionStatus.PLANNED  # as this session read it
        with db.engine.begin() as other:
            other.execute(
                update(Inspection)
                .where(Inspection.id == inspection.id)
                .values(
                    status=InspectionStatus.FINISHED,
                    finished_at=datetime(2025, 11, 20, 12),
                    version=Inspection.version + 1,
                )
            )
        with pytest.raises(services.RecordingClosed) as refused:
            services.record_visit(
                user("collector.bhopal"),
                stop,
                services.VisitInput(blo_present=True),
                services.settings_for(inspection.district_id),
                None,
                stop.version,
                campaign_today(),
            )
        assert refused.value.reason == "finished"
        db.session.rollback()
        assert db.session.get(Stop, stop.id).status == StopStatus.PENDING
