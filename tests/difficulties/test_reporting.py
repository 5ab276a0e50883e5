"""Logging a difficulty in three taps: routing, double taps, htmx and full pages, errors in the
reader's language, scope, photos, duplicate hints, the BLO's own list and home page."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from flask import url_for
from flask_babel import force_locale, gettext
from PIL import Image
from sqlalchemy import func, select

from app.difficulties import services
from app.difficulties.models import Difficulty, DifficultyPhoto, Level, Severity, Source, Status
from app.extensions import db
from app.models import AuditEntry, Constituency, Part, User
from app.photos import TARGET_BYTES
from app.timeutil import utcnow

pytestmark = pytest.mark.usefixtures("without_seeded_difficulties")

HX = {"HX-Request": "true"}


def part_id(app, ac: int, number: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(Part.id)
            .join(Constituency, Part.constituency_id == Constituency.id)
            .where(Constituency.number == ac, Part.number == number)
        )


def user_id(app, login: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.login == login))


def count(app, model=Difficulty) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(model.id)))


def only_difficulty(app) -> Difficulty:
    with app.app_context():
        found = db.session.scalars(select(Difficulty)).all()
        assert len(found) == 1
        db.session.expunge(found[0])
        return found[0]


def form_token(html: str) -> str:
    return re.search(r'name="form_token" type="hidden" value="([^"]+)"', html)[1]


def show_url(app, difficulty_id: int) -> str:
    with app.test_request_context():
        return url_for("difficulties.show", difficulty_id=difficulty_id)


def in_hindi(app, message: str) -> str:
    with app.test_request_context(), force_locale("hi"):
        translated = gettext(message)
    assert translated != message, f"no Hindi for {message!r}"
    return translated


def open_form(client, url="/difficulties/new"):
    html = client.get(url).get_data(as_text=True)
    return {"csrf_token": re.search(r'"X-CSRFToken": "([^"]+)"', html)[1], "form_token": form_token(html)}


def jpeg(width=800, height=600, quality=90) -> bytes:
    buffer = io.BytesIO()
    Image.linear_gradient("L").resize((width, height)).convert("RGB").save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def raise_as(app, login: str, ac: int, number: int, category: str, hours_ago: float = 0) -> int:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.login == login))
        part = db.session.get(Part, part_id(app, ac, number))
        data = services.NewDifficulty(category=category, severity="high")
        found = services.raise_difficulty(user, part, data, Source.BLO, utcnow() - timedelta(hours=hours_ago))
        db.session.commit()
        return found.id


# -- three taps --------------------------------------------------------------------------------


def test_three_taps_save_one_difficulty_routed_to_the_supervisor(app, client, auth):
    auth.login("blo.1.1")
    fields = open_form(client)
    response = client.post("/difficulties/new", data={**fields, "category": "app", "severity": "high"})
    assert response.status_code == 303
    saved = only_difficulty(app)
    assert response.headers["Location"].endswith(show_url(app, saved.id))
    assert saved.part_id == part_id(app, 1, 1)
    assert (saved.category.value, saved.severity, saved.source) == ("app", Severity.HIGH, Source.BLO)
    assert saved.status == Status.OPEN
    assert saved.level == Level.SUPERVISOR and saved.owner_id == user_id(app, "sup.1.1")
    assert saved.reporter_id == saved.blo_id == user_id(app, "blo.1.1")
    assert saved.acknowledge_due_at - saved.opened_at == timedelta(hours=4)
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count(AuditEntry.id)).where(AuditEntry.action == "difficulty.create")
            )
            == 1
        )
    page = client.get(response.headers["Location"], follow_redirects=False)
    assert page.status_code == 200


def test_health_goes_straight_to_the_ero(app, client, auth):
    auth.login("blo.1.1")
    fields = open_form(client)
    client.post("/difficulties/new", data={**fields, "category": "health", "severity": "urgent"})
    saved = only_difficulty(app)
    assert saved.level == Level.ERO and saved.owner_id == user_id(app, "ero.1")
    assert saved.acknowledge_due_at - saved.opened_at == timedelta(hours=1)


def test_a_double_tap_saves_one(app, client, auth):
    auth.login("blo.1.1")
    fields = {**open_form(client), "category": "network", "severity": "low"}
    first = client.post("/difficulties/new", data=fields)
    second = client.post("/difficulties/new", data=fields)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert count(app) == 1
    again = client.post("/difficulties/new", data=fields, headers=HX)
    assert again.status_code == 200 and f"#{only_difficulty(app).id}" in again.get_data(as_text=True)
    assert count(app) == 1


def test_htmx_send_answers_the_confirmation(app, client, auth):
    auth.login("blo.1.1")
    fields = open_form(client)
    response = client.post(
        "/difficulties/new", data={**fields, "category": "forms_short", "severity": "high"}, headers=HX
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    saved = only_difficulty(app)
    assert "<html" not in html
    assert f"Difficulty #{saved.id} sent" in html
    with app.app_context():
        supervisor = db.session.get(User, user_id(app, "sup.1.1")).name
    assert supervisor in html and "BLO supervisor" in html
    assert "They must acknowledge it by" in html
    assert show_url(app, saved.id) in html
    assert "HX-Request" in response.headers["Vary"]


def test_a_missing_category_is_422_in_hindi_and_saves_nothing(app, client, auth):
    auth.login("blo.1.1", lang="hi")
    fields = open_form(client)
    message = in_hindi(app, "Choose what the difficulty is about.")
    full = client.post("/difficulties/new", data={**fields, "severity": "high"})
    assert full.status_code == 422
    html = full.get_data(as_text=True)
    assert message in html and "<html" in html
    assert "Choose what the difficulty is about." not in html
    fragment = client.post("/difficulties/new", data={**fields, "severity": "high"}, headers=HX)
    assert fragment.status_code == 422
    body = fragment.get_data(as_text=True)
    assert message in body and "<html" not in body and 'id="difficulty-form"' in body
    # The severity tapped is kept, and the same form token, so the next Send still counts once.
    assert re.search(r'<input checked[^>]* value="high"', body)
    assert form_token(body) == fields["form_token"]
    assert count(app) == 0


def test_missing_severity_and_too_long_text_are_refused(app, client, auth):
    auth.login("blo.1.1")
    fields = open_form(client)
    response = client.post(
        "/difficulties/new", data={**fields, "category": "app", "description": "x" * 501}, headers=HX
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Choose how badly it stops the work." in html
    assert "Keep it to 500 characters or fewer." in html
    assert count(app) == 0


def test_a_blo_cannot_raise_for_another_part(app, client, auth):
    auth.login("blo.1.1")
    fields = open_form(client)
    other = part_id(app, 1, 2)
    assert client.get(f"/difficulties/new?part_id={other}").status_code == 403
    response = client.post(
        f"/difficulties/new?part_id={other}", data={**fields, "category": "app", "severity": "high"}
    )
    assert response.status_code == 403
    response = client.post(
        "/difficulties/new", data={**fields, "part_id": other, "category": "app", "severity": "high"}
    )
    assert response.status_code == 403
    assert count(app) == 0


def test_an_officer_raises_on_the_blos_behalf(app, client, auth):
    auth.login("sup.1.1")
    part = part_id(app, 1, 1)
    fields = open_form(client, f"/difficulties/new?part_id={part}")
    response = client.post(
        f"/difficulties/new?part_id={part}", data={**fields, "category": "mapping", "severity": "low"}
    )
    assert response.status_code == 303
    saved = only_difficulty(app)
    assert saved.source == Source.OFFICER
    assert saved.reporter_id == user_id(app, "sup.1.1")
    assert saved.blo_id == user_id(app, "blo.1.1")
    outside = part_id(app, 5, 1)
    refused = client.post(
        f"/difficulties/new?part_id={outside}", data={**fields, "category": "app", "severity": "low"}
    )
    assert refused.status_code == 403


def test_officers_find_the_link_on_the_part_page(app, client, auth):
    part = part_id(app, 1, 1)
    for login in ("sup.1.1", "ero.1", "collector.bhopal"):
        auth.login(login)
        html = client.get(f"/progress/parts/{part}").get_data(as_text=True)
        assert f"/difficulties/new?part_id={part}" in html, login
        assert "Raise a difficulty for this part" in html
        auth.logout()
    auth.login("state")
    assert "/difficulties/new" not in client.get(f"/progress/parts/{part}").get_data(as_text=True)


def test_a_blo_with_several_parts_chooses_one(app, client, auth):
    second = part_id(app, 1, 2)
    with app.app_context():
        db.session.get(Part, second).blo_id = user_id(app, "blo.1.1")
        db.session.commit()
    auth.login("blo.1.1")
    fields = open_form(client)
    html = client.get("/").get_data(as_text=True)
    assert html.count('name="part_id" type="radio"') == 2
    refused = client.post("/difficulties/new", data={**fields, "category": "app", "severity": "high"})
    assert refused.status_code == 422
    assert "Choose the part the difficulty is about." in refused.get_data(as_text=True)
    assert count(app) == 0
    sent = client.post(
        "/difficulties/new", data={**fields, "part_id": second, "category": "app", "severity": "high"}
    )
    assert sent.status_code == 303
    assert only_difficulty(app).part_id == second


# -- photos ------------------------------------------------------------------------------------


def test_a_png_named_jpg_is_kept_as_a_clean_jpeg(app, client, auth):
    auth.login("blo.1.1")
    fields = open_form(client)
    buffer = io.BytesIO()
    Image.linear_gradient("L").resize((2400, 1800)).save(buffer, "PNG")
    response = client.post(
        "/difficulties/new",
        data={
            **fields,
            "category": "forms_short",
            "severity": "high",
            "photo": (io.BytesIO(buffer.getvalue()), "forms.jpg", "image/jpeg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    saved = only_difficulty(app)
    shown = client.get(f"/difficulties/{saved.id}/photo")
    assert shown.status_code == 200
    assert shown.headers["Content-Type"] == "image/jpeg"
    assert "private" in shown.headers["Cache-Control"]
    assert len(shown.data) <= TARGET_BYTES
    with Image.open(io.BytesIO(shown.data)) as out:
        assert out.format == "JPEG" and (out.width, out.height) == (1600, 1200)
        assert len(out.getexif()) == 0
    # Another BLO of the same AC may not see it.
    auth.logout()
    auth.login("blo.1.2")
    assert client.get(f"/difficulties/{saved.id}/photo").status_code == 403


def test_a_difficulty_without_a_photo_has_none_to_show(app, client, auth):
    auth.login("blo.1.1")
    fields = open_form(client)
    client.post("/difficulties/new", data={**fields, "category": "app", "severity": "low"})
    assert client.get(f"/difficulties/{only_difficulty(app).id}/photo").status_code == 404


def test_a_truncated_jpeg_is_refused_and_nothing_saved(app, client, auth):
    auth.login("blo.1.1", lang="hi")
    fields = open_form(client)
    data = jpeg()
    for headers in ({}, HX):
        response = client.post(
            "/difficulties/new",
            data={
                **fields,
                "category": "app",
                "severity": "high",
                "photo": (io.BytesIO(data[: len(data) // 2]), "photo.jpg", "image/jpeg"),
            },
            content_type="multipart/form-data",
            headers=headers,
        )
        assert response.status_code == 422
        assert in_hindi(app, "This file is not a photo we can read. Send a JPEG or PNG photo, or none.") in (
            response.get_data(as_text=True)
        )
    assert count(app) == 0 and count(app, DifficultyPhoto) == 0


def test_a_20_mb_image_gets_a_clear_message(app, client, auth):
    auth.login("blo.1.1", lang="hi")
    fields = open_form(client)
    big = io.BytesIO()
    Image.frombytes("RGB", (2650, 2650), bytes(2650 * 2650 * 3)).save(big, "PNG", compress_level=0)
    assert big.tell() > 20 * 1024 * 1024
    response = client.post(
        "/difficulties/new",
        data={
            **fields,
            "category": "app",
            "severity": "high",
            "photo": (io.BytesIO(big.getvalue()), "big.png", "image/png"),
        },
        content_type="multipart/form-data",
        headers=HX,
    )
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    expected = in_hindi(app, "The photo is larger than %(size)s MB. Send a smaller photo, or none.") % {
        "size": "12"
    }
    assert expected in html
    assert count(app) == 0


def test_an_upload_past_the_server_limit_gets_the_form_back(app, client, auth):
    auth.login("blo.1.1")
    fields = open_form(client)
    huge = b"\xff\xd8" + b"\x00" * app.config["MAX_CONTENT_LENGTH"]
    for headers in ({}, HX):
        response = client.post(
            "/difficulties/new",
            data={**fields, "category": "app", "severity": "high", "photo": (io.BytesIO(huge), "x.jpg")},
            content_type="multipart/form-data",
            headers=headers,
        )
        assert response.status_code == 413
        html = response.get_data(as_text=True)
        assert "The photo is larger than 12 MB." in html
        assert 'id="difficulty-form"' in html and 'name="category"' in html
        assert ("<html" in html) == (not headers)
    assert count(app) == 0


# -- duplicate hints ---------------------------------------------------------------------------


def test_hints_show_the_same_category_in_the_ac_from_the_last_day(app, client, auth):
    recent = raise_as(app, "blo.1.2", 1, 2, "app")
    old = raise_as(app, "blo.1.2", 1, 2, "app", hours_ago=25)
    other_category = raise_as(app, "blo.1.2", 1, 2, "network")
    other_ac = raise_as(app, "blo.2.1", 2, 1, "app")
    auth.login("blo.1.1")
    fragment = client.get("/difficulties/hints?category=app", headers=HX)
    assert fragment.status_code == 200
    html = fragment.get_data(as_text=True)
    assert "<html" not in html and 'id="duplicate-hints"' in html
    assert f"Same problem as #{recent}" in html
    for absent in (old, other_category, other_ac):
        assert f"Same problem as #{absent}" not in html
    assert "Same problem" not in client.get("/difficulties/hints?category=mapping", headers=HX).get_data(
        as_text=True
    )
    # Without htmx the same address is the form with the category chosen and its hints.
    full = client.get("/difficulties/hints?category=app").get_data(as_text=True)
    assert "<html" in full and f"Same problem as #{recent}" in full
    assert re.search(r'<input checked[^>]* value="app"', full)


def test_same_problem_sends_the_form_as_a_duplicate(app, client, auth):
    original = raise_as(app, "blo.1.2", 1, 2, "app")
    auth.login("blo.1.1")
    fields = open_form(client)
    response = client.post(
        "/difficulties/new", data={**fields, "category": "app", "duplicate_of_id": original}, headers=HX
    )
    assert response.status_code == 200
    with app.app_context():
        saved = db.session.scalar(select(Difficulty).where(Difficulty.id != original))
        assert saved.duplicate_of_id == original
        assert saved.severity == Severity.HIGH  # the original's, no severity was tapped


def test_a_duplicate_from_another_ac_is_refused(app, client, auth):
    elsewhere = raise_as(app, "blo.2.1", 2, 1, "app")
    auth.login("blo.1.1")
    fields = open_form(client)
    response = client.post(
        "/difficulties/new",
        data={**fields, "category": "app", "severity": "low", "duplicate_of_id": elsewhere},
        headers=HX,
    )
    assert response.status_code == 422
    assert "That difficulty is not one of your AC" in response.get_data(as_text=True)
    assert count(app) == 1


# -- the BLO's own ------------------------------------------------------------------------------


def test_my_difficulties_lists_the_blos_own_newest_first(app, client, auth):
    older = raise_as(app, "blo.1.1", 1, 1, "network", hours_ago=30)
    newer = raise_as(app, "blo.1.1", 1, 1, "app")
    someone_else = raise_as(app, "blo.1.2", 1, 2, "app")
    with app.app_context():
        db.session.get(Difficulty, older).overdue_since = utcnow()
        db.session.commit()
    auth.login("blo.1.1")
    html = client.get("/difficulties/mine").get_data(as_text=True)
    assert html.index(f'id="difficulty-{newer}"') < html.index(f'id="difficulty-{older}"')
    assert f'id="difficulty-{someone_else}"' not in html
    assert show_url(app, newer) in html
    assert "Overdue" in html and "BLO supervisor" in html and "Not yet acknowledged" in html
    fragment = client.get("/difficulties/mine", headers=HX).get_data(as_text=True)
    assert "<html" not in fragment and f'id="difficulty-{newer}"' in fragment
    assert client.get("/difficulties/mine?page=x").status_code == 400


def test_my_difficulties_pages(app, client, auth):
    app.config["PAGE_SIZE"] = 2
    ids = [raise_as(app, "blo.1.1", 1, 1, "other", hours_ago=h) for h in (3, 2, 1)]
    auth.login("blo.1.1")
    first = client.get("/difficulties/mine").get_data(as_text=True)
    second = client.get("/difficulties/mine?page=2").get_data(as_text=True)
    assert f'id="difficulty-{ids[0]}"' not in first and f'id="difficulty-{ids[0]}"' in second
    assert "/difficulties/mine?page=2" in first


def test_the_blos_home_page_has_the_three_taps_and_the_latest(app, client, auth):
    raised = raise_as(app, "blo.1.1", 1, 1, "workload")
    auth.login("blo.1.1")
    html = client.get("/").get_data(as_text=True)
    assert html.count('name="category" type="radio"') == 9
    assert html.count('name="severity" type="radio"') == 3
    assert 'hx-post="/difficulties/new' in html and 'accept="image/*"' in html
    assert f'id="difficulty-{raised}"' in html and "Workload and targets" in html
    # Sent from the home page over htmx, the form gives way to the confirmation.
    fields = {"csrf_token": re.search(r'"X-CSRFToken": "([^"]+)"', html)[1], "form_token": form_token(html)}
    response = client.post(
        "/difficulties/new", data={**fields, "category": "safety", "severity": "urgent"}, headers=HX
    )
    assert response.status_code == 200 and "sent" in response.get_data(as_text=True)
    assert count(app) == 2


def test_officers_home_pages_have_no_three_taps(app, client, auth):
    auth.login("sup.1.1")
    assert 'name="category"' not in client.get("/").get_data(as_text=True)
