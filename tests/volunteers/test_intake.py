"""The bulk import of institutions' lists (a dry run listing every problem, then all or nothing, on
the job queue) and the small readers the sign-up and the import share."""

from __future__ import annotations

import io
import re
from datetime import time, timedelta

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app.campaign.clock import campaign_today
from app.extensions import db
from app.models import AuditEntry, Job, User
from app.volunteers import intake
from app.volunteers.models import AvailabilityWindow, Organisation, Volunteer, VolunteerStatus
from tests.volunteers.registration_support import make_volunteer

pytestmark = pytest.mark.usefixtures("without_seeded_volunteers")

HEADER = "Name,Mobile,Organisation,Institution,Languages,Latitude,Longitude,First day,Last day,From,To"


@pytest.mark.parametrize(
    ("typed", "mobile"),
    [
        ("9826012345", "9826012345"),
        ("+91 98260 12345", "9826012345"),
        ("098260-12345", "9826012345"),
        ("९८२६०१२३४५", "9826012345"),
        (9826012345.0, "9826012345"),
        ("5826012345", None),
        ("98260123", None),
        ("", None),
    ],
)
def test_mobile_numbers_are_normalised(typed, mobile):
    assert intake.normalise_mobile(typed) == mobile


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("09:00", time(9)),
        ("9", time(9)),
        ("14.30", time(14, 30)),
        (0.375, time(9)),
        (time(8, 15), time(8, 15)),
    ],
)
def test_times_of_day_are_read(cell, expected):
    assert intake.parse_time_of_day(cell) == expected


@pytest.mark.parametrize("cell", ["25:00", "9:75", "noon", None])
def test_a_time_that_is_not_one_is_refused(cell):
    with pytest.raises(ValueError):
        intake.parse_time_of_day(cell)


def test_languages_are_codes_for_hindi_and_english_and_words_for_the_others():
    assert intake.languages_of(["en"], "हिंदी, Bundeli; english") == ["en", "hi", "bundeli"]


def test_india_bounds():
    assert (
        intake.in_india(23.26, 77.41) and not intake.in_india(51.5, -0.1) and not intake.in_india(23.0, 60.0)
    )


# -- the import through its pages -------------------------------------------------------------


@pytest.fixture
def collector(app, client, auth, tmp_path):
    app.config["IMPORTS_DIR"] = str(tmp_path)
    auth.login("collector.bhopal")
    return auth


def _days(app):
    with app.app_context():
        today = campaign_today()
    return (today + timedelta(days=1)).isoformat(), (today + timedelta(days=10)).isoformat()


def _upload(client, auth, content: bytes, filename="list.csv"):
    data = {"csrf_token": auth.token("/volunteers/import"), "file": (io.BytesIO(content), filename)}
    response = client.post("/volunteers/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)
    page = client.get(response.headers["Location"])
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1]), page.get_data(as_text=True)


def _apply(client, auth, job_id):
    return client.post(
        f"/volunteers/import/{job_id}/apply", data={"csrf_token": auth.token(f"/volunteers/import/{job_id}")}
    )


def _good_csv(app, rows=3) -> bytes:
    first, last = _days(app)
    lines = [HEADER] + [
        f"Student {n},98930000{n:02d},NSS,Govt. Hamidia College,Hindi;English,23.25,77.41,"
        f"{first},{last},09:00,13:00"
        for n in range(rows)
    ]
    return ("\n".join(lines) + "\n").encode()


def test_the_page_lists_the_columns_in_both_languages(client, collector):
    html = client.get("/volunteers/import").get_data(as_text=True)
    assert "First day" in html and "पहला दिन" in html and "मोबाइल" in html


def test_a_dry_run_lists_every_problem_by_row_and_saves_nothing(app, client, collector):
    first, last = _days(app)
    with app.app_context():
        make_volunteer("Registered Already", "9893000077")
    content = "\n".join(
        [
            HEADER,
            f"Good One,9893000001,NCC,College,,,,{first},{last},09:00,12:00",
            f"Bad Mobile,12345,NSS,College,,,,{first},{last},09:00,12:00",
            f"Bad Place,9893000003,NSS,College,,51.5,-0.1,{first},{last},09:00,12:00",
            f"Bad Kind,9893000004,Scouts,College,,,,{first},{last},09:00,12:00",
            f"Bad Time,9893000005,NSS,College,,,,{first},{last},noon,12:00",
            f"Twice,9893000001,NSS,College,,,,{first},{last},09:00,12:00",
            f"Taken,9893000077,NSS,College,,,,{first},{last},09:00,12:00",
            f"Backwards,9893000008,NSS,College,,,,{last},{first},09:00,12:00",
        ]
    ).encode()
    job_id, html = _upload(client, collector, content)
    assert "7 problems found. Nothing was saved" in html
    rows = re.findall(
        r'<tr><td class="num">(\d+)</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>', html
    )
    by_row = {int(row): (name, column, message) for row, name, column, message in rows}
    assert sorted(by_row) == [3, 4, 5, 6, 7, 8, 9]
    assert by_row[3][1] == "Mobile / मोबाइल" and "10-digit" in by_row[3][2]
    assert "not in India" in by_row[4][2]
    assert "Unknown organisation “Scouts”" in by_row[5][2]
    assert "Not a time: “noon”" in by_row[6][2]
    assert "already in row 2" in by_row[7][2]
    assert "registered already" in by_row[8][2]
    assert "cannot come before" in by_row[9][2]
    assert "Apply" not in html
    response = _apply(client, collector, job_id)
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Volunteer)) == 1  # the one made above
        assert db.session.scalar(select(func.count()).select_from(Job).where(Job.kind == intake.APPLY)) == 0


def test_a_clean_file_is_applied_all_at_once_as_approved_volunteers(app, client, collector):
    job_id, html = _upload(client, collector, _good_csv(app))
    assert "Checked: 3 volunteers, no problem." in html and "Apply: register 3 volunteers" in html
    with app.app_context():
        assert (
            db.session.scalar(select(func.count()).select_from(Volunteer)) == 0
        )  # the dry run saved nothing
    response = _apply(client, collector, job_id)
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Saved: 3 volunteers registered and approved." in page
    with app.app_context():
        volunteers = db.session.scalars(select(Volunteer).order_by(Volunteer.mobile)).all()
        collector_id = db.session.scalar(select(User.id).where(User.login == "collector.bhopal"))
        assert [v.mobile for v in volunteers] == ["9893000000", "9893000001", "9893000002"]
        assert all(
            v.status == VolunteerStatus.APPROVED and v.approved_by_id == collector_id for v in volunteers
        )
        assert all(v.user.active and v.user.login == v.mobile for v in volunteers)
        assert not volunteers[0].user.check_password("")  # no password until the collector resets it
        assert volunteers[0].languages == ["hi", "en"] and volunteers[0].organisation == Organisation.NSS
        assert db.session.scalar(select(func.count()).select_from(AvailabilityWindow)) == 3
        assert (
            db.session.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "volunteer.import")
            )
            == 3
        )
    again = _apply(client, collector, job_id)  # a second tap on the dry run's page
    assert again.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Volunteer)) == 3


def test_an_apply_that_reports_progress_while_it_writes_is_saved(app, client, collector, monkeypatch):
    """Progress every row (a big file reports every 200): on SQLite the apply's own transaction
    holds the write lock, and a progress write on another connection used to wait on it for the
    busy timeout and fail the whole import."""
    monkeypatch.setattr(intake, "PROGRESS_EVERY", 1)
    job_id, _ = _upload(client, collector, _good_csv(app))
    response = _apply(client, collector, job_id)
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Saved: 3 volunteers registered and approved." in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Volunteer)) == 3


def test_the_apply_saves_nothing_when_a_row_went_wrong_since_the_check(app, client, collector):
    job_id, _ = _upload(client, collector, _good_csv(app))
    with app.app_context():
        make_volunteer("Signed Up Meanwhile", "9893000002")
    response = _apply(client, collector, job_id)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Since the check, 1 problem appeared. Nothing was saved" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Volunteer)) == 1


def test_hindi_headers_and_values_in_an_excel_file(app, client, collector):
    with app.app_context():
        today = campaign_today()
    book = Workbook()
    sheet = book.active
    sheet.append(["नाम", "मोबाइल नंबर", "संगठन", "संस्थान", "भाषाएँ", "पहला दिन", "अंतिम दिन", "समय से", "समय तक"])
    sheet.append(
        [
            "सीमा यादव",
            9893000101,
            "एनसीसी",
            "शासकीय महाविद्यालय",
            "हिंदी",
            today + timedelta(days=2),
            today + timedelta(days=4),
            time(10),
            time(14),
        ]
    )
    sheet.append(
        ["रमेश", "९८९३०००१०२", "पंचायत", "ग्राम पंचायत", "", "01-01-2000", "02-01-2000", "10:00", "14:00"]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    job_id, html = _upload(client, collector, buffer.getvalue(), "सूची.xlsx")
    assert "1 problem found" in html and "The first day cannot be in the past." in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Volunteer)) == 0
    sheet.delete_rows(3)
    buffer = io.BytesIO()
    book.save(buffer)
    job_id, html = _upload(client, collector, buffer.getvalue(), "सूची.xlsx")
    assert "Checked: 1 volunteers" in html
    _apply(client, collector, job_id)
    with app.app_context():
        volunteer = db.session.scalar(select(Volunteer))
        assert (volunteer.name, volunteer.mobile, volunteer.organisation) == (
            "सीमा यादव",
            "9893000101",
            Organisation.NCC,
        )
        assert volunteer.windows[0].start_time == time(10)


def test_a_file_without_the_needed_columns_is_refused_whole(app, client, collector):
    job_id, html = _upload(client, collector, b"Name,Mobile\nA,9893000001\n")
    assert "Columns missing" in html and "First day / पहला दिन" in html


def test_an_upload_that_is_not_a_list_is_answered_with_the_form(app, client, collector):
    data = {"csrf_token": collector.token("/volunteers/import"), "file": (io.BytesIO(b"x"), "list.pdf")}
    response = client.post(
        "/volunteers/import", data=data, content_type="multipart/form-data", headers={"HX-Request": "true"}
    )
    assert response.status_code == 422
    assert "Upload a .csv or .xlsx file." in response.get_data(as_text=True)


def test_the_status_page_polls_while_the_job_runs_and_answers_htmx_with_the_fragment(app, client, collector):
    with app.app_context():
        collector_user = db.session.scalar(select(User).where(User.login == "collector.bhopal"))
        job = intake.start_import(collector_user, "queued.csv", "/nonexistent.csv", "en")
        db.session.commit()
        job_id = job.id
    response = client.get(f"/volunteers/import/{job_id}", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith('<section id="import-status"')
    assert 'hx-trigger="every 1s"' in html and "Checking the rows" in html


def test_another_kind_of_job_is_not_an_import(app, client, collector):
    with app.app_context():
        collector_user = db.session.scalar(select(User).where(User.login == "collector.bhopal"))
        job = Job(kind="export", user_id=collector_user.id, district_id=collector_user.district_id, params={})
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    assert client.get(f"/volunteers/import/{job_id}").status_code == 404
