"""The daily BLO review log (संवाद): recording, history, not contacted today, follow-ups due."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import event, func, select

from app.campaign.clock import campaign_today
from app.extensions import db
from app.models import AuditEntry, Constituency, District, Part, User
from app.reviews.models import BloReview, Difficulty, ReviewKind
from app.reviews.services import latest_reviews


def _part_id(app, ac: int, number: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(Part.id)
            .join(Constituency, Part.constituency_id == Constituency.id)
            .where(Constituency.number == ac, Part.number == number)
        )


def _today(app) -> date:
    with app.app_context():
        return campaign_today()


def _add_review(app, ac: int, number: int, *, days_ago: int = 0, follow_up_in: int | None = None, **extra):
    """A review written straight to the database, as if recorded `days_ago` days ago by sup.1.1."""
    part_id = _part_id(app, ac, number)
    with app.app_context():
        part = db.session.get(Part, part_id)
        today = campaign_today()
        reviewer = db.session.scalar(select(User.id).where(User.login == "sup.1.1"))
        review = BloReview(
            part_id=part.id,
            district_id=part.district_id,
            constituency_id=part.constituency_id,
            blo_id=part.blo_id,
            reviewer_id=reviewer,
            review_date=today - timedelta(days=days_ago),
            kind=extra.pop("kind", ReviewKind.CALL),
            outcome=extra.pop("outcome", f"Review of {ac}-{number}"),
            follow_up_on=None if follow_up_in is None else today + timedelta(days=follow_up_in),
            **extra,
        )
        db.session.add(review)
        db.session.commit()
        return review.id


def _reviews_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(BloReview.id)))


def _row_ids(html: str) -> set[str]:
    return set(re.findall(r'<tr id="part-(\d+)"', html))


def _counts(html: str) -> tuple[int, int]:
    match = re.search(r"Contacted today: ([\d,]+) of ([\d,]+) parts", html)
    assert match, "no contacted / total line"
    return int(match[1].replace(",", "")), int(match[2].replace(",", ""))


# -- recording ----------------------------------------------------------------------------------


def test_recording_a_review_shows_it_in_history_and_leaves_the_not_contacted_list(app, client, auth):
    auth.login("sup.1.1")
    part_id = _part_id(app, 1, 1)
    before = client.get("/reviews/not-contacted").get_data(as_text=True)
    assert str(part_id) in _row_ids(before)
    assert _counts(before) == (0, 6)

    url = f"/reviews/parts/{part_id}"
    follow_up = _today(app) + timedelta(days=2)
    response = client.post(
        url + "?next=/reviews/not-contacted",
        data={
            "csrf_token": auth.token(url),
            "kind": "call",
            "outcome": "Forms run out at house 120.\nERO to send 200 more by Friday.",
            "difficulty": "forms_short",
            "follow_up_on": follow_up.isoformat(),
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/reviews/not-contacted")

    with app.app_context():
        review = db.session.scalar(select(BloReview))
        part = db.session.get(Part, part_id)
        supervisor = db.session.scalar(select(User).where(User.login == "sup.1.1"))
        assert review.part_id == part_id and review.blo_id == part.blo_id
        assert review.reviewer_id == supervisor.id and review.review_date == campaign_today()
        assert review.kind == ReviewKind.CALL and review.difficulty.value == "forms_short"
        assert review.follow_up_on == follow_up
        assert (review.district_id, review.constituency_id) == (part.district_id, part.constituency_id)

    after = client.get("/reviews/not-contacted").get_data(as_text=True)
    assert str(part_id) not in _row_ids(after)
    assert str(_part_id(app, 1, 2)) in _row_ids(after)
    assert _counts(after) == (1, 6)
    assert "Review of 1-1 recorded." in after  # the flash message

    history = client.get(f"/reviews/parts/{part_id}/history").get_data(as_text=True)
    assert "ERO to send 200 more by Friday." in history
    assert "Forms short" in history and "Phone call" in history
    assert "by " + supervisor.name in history


def test_the_review_is_audited_in_the_same_transaction(app, client, auth):
    auth.login("ero.1")
    part_id = _part_id(app, 1, 3)
    url = f"/reviews/parts/{part_id}"
    client.post(url, data={"csrf_token": auth.token(url), "kind": "visit", "outcome": "Met at the booth."})
    with app.app_context():
        review = db.session.scalar(select(BloReview))
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "review.create"))
        ero = db.session.scalar(select(User).where(User.login == "ero.1"))
        assert entry is not None and entry.actor_id == ero.id
        assert (entry.object_type, entry.object_id) == ("BloReview", str(review.id))
        assert entry.before is None
        assert entry.after["outcome"] == "Met at the booth." and entry.after["kind"] == "visit"
        assert entry.after["part_id"] == part_id and entry.after["follow_up_on"] is None


def test_an_htmx_save_redirects_with_hx_redirect(app, client, auth):
    auth.login("collector.bhopal")
    part_id = _part_id(app, 2, 4)
    url = f"/reviews/parts/{part_id}"
    response = client.post(
        url,
        data={"csrf_token": auth.token(url), "kind": "meeting", "outcome": "Weekly meeting at the tehsil."},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == f"/reviews/parts/{part_id}/history"
    assert _reviews_count(app) == 1


def test_next_may_only_lead_back_into_this_site(app, client, auth):
    auth.login("sup.1.1")
    part_id = _part_id(app, 1, 2)
    url = f"/reviews/parts/{part_id}"
    response = client.post(
        url + "?next=https://evil.example/steal",
        data={"csrf_token": auth.token(url), "kind": "call", "outcome": "Fine."},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/reviews/parts/{part_id}/history")


def test_the_form_and_its_fragment(app, client, auth):
    auth.login("sup.1.1")
    part_id = _part_id(app, 1, 1)
    page = client.get(f"/reviews/parts/{part_id}").get_data(as_text=True)
    assert (
        "<html" in page
        and 'Review the BLO of <span class="nowrap">1-1</span>' in page
        and 'href="tel:+91' in page
    )
    assert "Harassment or safety" in page and "Electors absent, locked houses, migrants" in page
    assert f'min="{_today(app).isoformat()}"' in page  # the date picker starts today
    fragment = client.get(f"/reviews/parts/{part_id}", headers={"HX-Request": "true"})
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "HX-Request" in fragment.headers["Vary"]
    assert html.lstrip().startswith('<form method="post" id="review-form"') and "<html" not in html


def test_the_form_shows_the_latest_review(app, client, auth):
    _add_review(app, 1, 1, days_ago=2, outcome="Older talk")
    _add_review(app, 1, 1, days_ago=1, outcome="Network down near the river", difficulty=Difficulty.NETWORK)
    auth.login("sup.1.1")
    page = client.get(f"/reviews/parts/{_part_id(app, 1, 1)}").get_data(as_text=True)
    section = page[page.index('id="latest-review"') :]
    assert "Network down near the river" in section and "No network" in section
    assert "Older talk" not in page


# -- who may record -----------------------------------------------------------------------------


def test_a_part_out_of_scope_is_refused_and_nothing_saved(app, client, auth):
    auth.login("sup.1.1")
    for ac, number in [(5, 1), (2, 1)]:  # another district; the same district, another supervisor
        url = f"/reviews/parts/{_part_id(app, ac, number)}"
        assert client.get(url).status_code == 403
        response = client.post(url, data={"csrf_token": auth.token("/"), "kind": "call", "outcome": "x"})
        assert response.status_code == 403
    assert client.get("/reviews/parts/999999").status_code == 404
    auth.logout()
    auth.login("ero.1")
    assert client.get(f"/reviews/parts/{_part_id(app, 2, 1)}").status_code == 403
    assert client.get(f"/reviews/parts/{_part_id(app, 1, 6)}").status_code == 200
    assert _reviews_count(app) == 0


def test_state_and_blo_may_not_record(app, client, auth):
    part_id = _part_id(app, 1, 1)
    for login in ("state", "blo.1.1", "vol.bhopal.1"):
        auth.login(login)
        url = f"/reviews/parts/{part_id}"
        assert client.get(url).status_code == 403, login
        response = client.post(url, data={"csrf_token": auth.token("/"), "kind": "call", "outcome": "x"})
        assert response.status_code == 403, login
        auth.logout()
    assert _reviews_count(app) == 0


# -- validation ---------------------------------------------------------------------------------


def test_invalid_reviews_are_answered_422_and_nothing_is_saved(app, client, auth):
    auth.login("sup.1.1")
    part_id = _part_id(app, 1, 1)
    url = f"/reviews/parts/{part_id}"
    token = auth.token(url)
    yesterday = (_today(app) - timedelta(days=1)).isoformat()
    cases = [
        ({"kind": "call", "outcome": "   "}, "Write what was said and agreed."),
        ({"kind": "call", "outcome": "x" * 1001}, "Keep it to 1,000 characters or fewer."),
        ({"outcome": "Talked."}, "Choose call, visit or meeting."),
        ({"kind": "telegram", "outcome": "Talked."}, "Choose call, visit or meeting."),
        ({"kind": "call", "outcome": "Talked.", "follow_up_on": yesterday}, "cannot be in the past"),
        (
            {"kind": "call", "outcome": "Talked.", "follow_up_on": "next week"},
            "Enter a date, like 2025-11-20.",
        ),
        (
            {"kind": "call", "outcome": "Talked.", "difficulty": "boredom"},
            "Choose a difficulty from the list.",
        ),
    ]
    for data, message in cases:
        response = client.post(url, data={"csrf_token": token, **data})
        html = response.get_data(as_text=True)
        assert response.status_code == 422, data
        assert message in html, data
        assert 'class="field-error"' in html, data
    with app.app_context():
        assert db.session.scalar(select(func.count(BloReview.id))) == 0
        assert (
            db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "review.create"))
            == 0
        )


def test_an_invalid_htmx_post_gets_the_form_fragment_back(app, client, auth):
    auth.login("sup.1.1")
    url = f"/reviews/parts/{_part_id(app, 1, 1)}"
    response = client.post(
        url,
        data={"csrf_token": auth.token(url), "kind": "call", "outcome": ""},
        headers={"HX-Request": "true"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in html
    assert html.lstrip().startswith("<form") and "Write what was said and agreed." in html
    assert 'aria-invalid="true"' in html
    assert _reviews_count(app) == 0


def test_a_follow_up_today_is_accepted(app, client, auth):
    auth.login("sup.1.1")
    url = f"/reviews/parts/{_part_id(app, 1, 1)}"
    today = _today(app).isoformat()
    data = {
        "csrf_token": auth.token(url),
        "kind": "call",
        "outcome": "Call back tonight.",
        "follow_up_on": today,
    }
    assert client.post(url, data=data).status_code == 303
    assert _reviews_count(app) == 1


# -- history ------------------------------------------------------------------------------------


def test_history_is_newest_first_and_the_blo_sees_their_own(app, client, auth):
    _add_review(app, 1, 1, days_ago=3, outcome="First talk")
    _add_review(app, 1, 1, days_ago=1, outcome="Second talk")
    _add_review(app, 1, 1, days_ago=1, outcome="Third talk, same day")
    _add_review(app, 1, 2, days_ago=1, outcome="Another part")
    auth.login("blo.1.1")
    html = client.get(f"/reviews/parts/{_part_id(app, 1, 1)}/history").get_data(as_text=True)
    assert html.index("Third talk") < html.index("Second talk") < html.index("First talk")
    assert "Another part" not in html
    assert "Record a review" not in html  # a BLO reads what was agreed; they do not record
    assert client.get(f"/reviews/parts/{_part_id(app, 1, 2)}/history").status_code == 403
    fragment = client.get(f"/reviews/parts/{_part_id(app, 1, 1)}/history", headers={"HX-Request": "true"})
    text = fragment.get_data(as_text=True)
    assert text.lstrip().startswith('<div id="history">') and "<html" not in text and "First talk" in text


def test_the_state_reads_any_history(app, client, auth):
    _add_review(app, 5, 1, outcome="Raisen talk")
    auth.login("state")
    html = client.get(f"/reviews/parts/{_part_id(app, 5, 1)}/history").get_data(as_text=True)
    assert "Raisen talk" in html and "Record a review" not in html
    auth.logout()
    auth.login("collector.bhopal")
    assert client.get(f"/reviews/parts/{_part_id(app, 5, 1)}/history").status_code == 403


# -- not contacted today ------------------------------------------------------------------------


def test_not_contacted_is_scoped_and_counted(app, client, auth):
    _add_review(app, 1, 1)
    _add_review(app, 2, 3)
    _add_review(app, 2, 3)  # twice the same day still counts once
    _add_review(app, 1, 2, days_ago=1)  # yesterday does not count for today
    _add_review(app, 5, 1)
    auth.login("collector.bhopal")
    html = client.get("/reviews/not-contacted").get_data(as_text=True)
    assert _counts(html) == (2, 12)
    rows = _row_ids(html)
    assert len(rows) == 10
    assert str(_part_id(app, 1, 1)) not in rows and str(_part_id(app, 2, 3)) not in rows
    assert str(_part_id(app, 1, 2)) in rows and str(_part_id(app, 2, 6)) in rows
    assert str(_part_id(app, 5, 2)) not in rows  # Raisen is not the collector's
    assert ">1-2<" in html and "Last review:" in html and "Never reviewed" in html
    assert 'href="tel:+91' in html and "?next=/reviews/not-contacted" in html
    # ordered by AC and part number
    assert html.index(">1-2<") < html.index(">1-6<") < html.index(">2-1<") < html.index(">2-6<")

    auth.logout()
    auth.login("state")
    html = client.get("/reviews/not-contacted").get_data(as_text=True)
    assert _counts(html) == (3, 24)
    assert ">5-2<" in html and "Record</a>" not in html  # the state watches; it does not record

    auth.logout()
    auth.login("sup.1.1")
    assert _counts(client.get("/reviews/not-contacted").get_data(as_text=True)) == (1, 6)


def test_not_contacted_narrows_to_a_district_or_an_ac_through_the_scope(app, client, auth):
    _add_review(app, 2, 1)
    with app.app_context():
        raisen = db.session.scalar(select(District.id).where(District.name_en == "Raisen"))
        bhopal = db.session.scalar(select(District.id).where(District.name_en == "Bhopal"))
        ac2 = db.session.scalar(select(Constituency.id).where(Constituency.number == 2))
        ac5 = db.session.scalar(select(Constituency.id).where(Constituency.number == 5))
    auth.login("state")
    html = client.get(f"/reviews/not-contacted?district_id={raisen}").get_data(as_text=True)
    assert _counts(html) == (0, 12) and ">5-1<" in html and ">1-1<" not in html
    html = client.get(f"/reviews/not-contacted?district_id={bhopal}&constituency_id={ac2}").get_data(
        as_text=True
    )
    assert _counts(html) == (1, 6) and ">2-2<" in html and ">1-1<" not in html
    auth.logout()
    auth.login("collector.bhopal")
    html = client.get(f"/reviews/not-contacted?constituency_id={ac2}").get_data(as_text=True)
    assert _counts(html) == (1, 6) and ">2-1<" not in html
    assert client.get(f"/reviews/not-contacted?district_id={raisen}").status_code == 403
    assert client.get(f"/reviews/not-contacted?constituency_id={ac5}").status_code == 403


def test_not_contacted_paginates_and_searches_as_a_fragment(app, client, auth):
    app.config["PAGE_SIZE"] = 4
    auth.login("ero.1")
    first = client.get("/reviews/not-contacted").get_data(as_text=True)
    assert "<html" in first and ">1-4<" in first and ">1-5<" not in first and "Page 1 of 2" in first
    second = client.get("/reviews/not-contacted?page=2").get_data(as_text=True)
    assert ">1-5<" in second and ">1-1<" not in second
    # a page past the end (its parts were all contacted meanwhile) shows the last page
    assert ">1-5<" in client.get("/reviews/not-contacted?page=9").get_data(as_text=True)

    response = client.get("/reviews/not-contacted?q=1-3", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    assert html.lstrip().startswith('<div id="not-contacted">') and "<html" not in html
    assert ">1-3<" in html and ">1-4<" not in html
    assert _counts(html) == (0, 6)  # the counts are of the whole scope, not of the search


def test_not_contacted_costs_the_same_few_queries_whatever_the_rows(app, client, auth):
    auth.login("state")
    statements = []

    def count(*args):
        statements.append(args[2])

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        client.get("/reviews/not-contacted")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    reviews_queries = [s for s in statements if "blo_reviews" in s]
    assert len(reviews_queries) == 4, reviews_queries  # counts, page count, page rows, latest reviews
    assert len(statements) <= 12, statements


def test_not_contacted_shows_hindi_labels(app, client, auth):
    auth.login("sup.1.1", lang="hi")
    html = client.get("/reviews/not-contacted").get_data(as_text=True)
    assert 'lang="hi"' in html
    assert "वि.स.-भाग" in html and "बीएलओ" in html  # "AC-part" and "BLO" in Hindi


def test_not_contacted_is_for_officers_only(app, client, auth):
    auth.login("blo.1.1")
    assert client.get("/reviews/not-contacted").status_code == 403
    assert client.get("/reviews/follow-ups").status_code == 403


# -- follow-ups -----------------------------------------------------------------------------------


def test_follow_ups_due_today_or_overdue_oldest_first(app, client, auth):
    _add_review(app, 1, 1, days_ago=3, follow_up_in=-1, outcome="Overdue: send forms")
    _add_review(app, 1, 2, days_ago=1, follow_up_in=0, outcome="Due today: check the app")
    _add_review(app, 1, 3, days_ago=1, follow_up_in=1, outcome="Not yet: tomorrow")
    _add_review(app, 1, 4, days_ago=4, follow_up_in=-2, outcome="Superseded promise")
    _add_review(app, 1, 4, days_ago=1, outcome="Forms arrived, done")  # the follow-up took place
    _add_review(app, 5, 1, days_ago=2, follow_up_in=-1, outcome="Raisen overdue")
    auth.login("sup.1.1")
    html = client.get("/reviews/follow-ups").get_data(as_text=True)
    assert "<html" in html and "Follow-ups due: 2" in html
    assert html.index("Overdue: send forms") < html.index("Due today: check the app")
    assert "Overdue since" in html and "Due today" in html
    assert "Not yet" not in html and "Superseded promise" not in html and "Raisen overdue" not in html
    assert "Record the follow-up" in html and 'href="tel:+91' in html

    fragment = client.get("/reviews/follow-ups", headers={"HX-Request": "true"})
    text = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in text
    assert text.lstrip().startswith('<div id="follow-ups">') and "Overdue: send forms" in text

    auth.logout()
    auth.login("state")
    html = client.get("/reviews/follow-ups").get_data(as_text=True)
    assert "Follow-ups due: 3" in html and "Raisen overdue" in html
    assert "Record the follow-up" not in html
    assert html.index("Overdue: send forms") < html.index("Raisen overdue") < html.index("Due today")


def test_recording_the_follow_up_clears_it(app, client, auth):
    _add_review(app, 1, 1, days_ago=2, follow_up_in=0, outcome="Check again today")
    auth.login("sup.1.1")
    assert "Check again today" in client.get("/reviews/follow-ups").get_data(as_text=True)
    url = f"/reviews/parts/{_part_id(app, 1, 1)}"
    client.post(url, data={"csrf_token": auth.token(url), "kind": "call", "outcome": "Checked; all well."})
    html = client.get("/reviews/follow-ups").get_data(as_text=True)
    assert "Check again today" not in html and "No follow-up is due." in html


# -- the service the part page uses -----------------------------------------------------------------


def test_latest_reviews_takes_one_query_for_many_parts(app):
    _add_review(app, 1, 1, days_ago=2)
    newest = _add_review(app, 1, 1, days_ago=1, outcome="Newest")
    _add_review(app, 1, 2, days_ago=1, outcome="Recorded first that day")
    later_that_day = _add_review(app, 1, 2, days_ago=1, outcome="Recorded later that day")
    _add_review(app, 1, 2, days_ago=5, outcome="Entered late for an older day")
    ids = [_part_id(app, 1, n) for n in (1, 2, 3)]
    with app.app_context():
        statements = []

        def count(*args):
            statements.append(args[2])

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            latest = latest_reviews(ids)
            names = [review.reviewer.name for review in latest.values()]
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        assert len(statements) == 1 and all(names)
        assert set(latest) == {ids[0], ids[1]}  # 1-3 has no review
        assert latest[ids[0]].id == newest
        assert latest[ids[1]].id == later_that_day
        assert latest_reviews([]) == {}


# -- a double tap saves once ------------------------------------------------------------------------


def _form_token(html: str) -> str:
    match = re.search(r'name="form_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'type="hidden" name="form_token" value="([^"]+)"', html
    )
    assert match, "no form_token on the review form"
    return match[1]


def _audited_reviews(app) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.action == "review.create")
        )


def test_a_review_form_sent_twice_is_saved_once_and_answered_alike(app, client, auth):
    auth.login("sup.1.1")
    part_id = _part_id(app, 1, 1)
    url = f"/reviews/parts/{part_id}?next=/reviews/not-contacted"
    page = client.get(url).get_data(as_text=True)
    data = {
        "csrf_token": auth.token(url),
        "form_token": _form_token(page),
        "kind": "call",
        "outcome": "Forms short at the school booth.",
    }
    first = client.post(url, data=data)
    second = client.post(url, data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert first.headers["Location"].endswith("/reviews/not-contacted")
    assert _reviews_count(app) == 1 and _audited_reviews(app) == 1

    headers = {"HX-Request": "true", "X-CSRFToken": data["csrf_token"]}
    third = client.post(url, data=data, headers=headers)
    assert third.status_code == 204 and third.headers["HX-Redirect"].endswith("/reviews/not-contacted")
    assert _reviews_count(app) == 1

    fresh = _form_token(client.get(url).get_data(as_text=True))
    assert fresh != data["form_token"]  # each rendered form has its own token
    assert client.post(url, data={**data, "form_token": fresh}).status_code == 303
    assert _reviews_count(app) == 2 and _audited_reviews(app) == 2


def test_the_form_token_survives_a_rerender_with_errors(app, client, auth):
    auth.login("sup.1.1")
    url = f"/reviews/parts/{_part_id(app, 1, 2)}"
    token = _form_token(client.get(url).get_data(as_text=True))
    response = client.post(
        url,
        data={"csrf_token": auth.token(url), "form_token": token, "kind": "call", "outcome": ""},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert _form_token(response.get_data(as_text=True)) == token
    assert _reviews_count(app) == 0


def test_two_simultaneous_sends_of_one_review_form_save_once(app, client, auth, monkeypatch):
    """Both requests looked before either saved: the unique token decides, and both answers agree."""
    import app.reviews.services as services

    auth.login("ero.1")
    part_id = _part_id(app, 1, 3)
    url = f"/reviews/parts/{part_id}"
    data = {
        "csrf_token": auth.token(url),
        "form_token": _form_token(client.get(url).get_data(as_text=True)),
        "kind": "visit",
        "outcome": "Met at the booth.",
    }
    assert client.post(url, data=data).status_code == 303
    monkeypatch.setattr(services, "review_from_form", lambda token: None)
    response = client.post(url, data=data)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/reviews/parts/{part_id}/history")
    assert _reviews_count(app) == 1 and _audited_reviews(app) == 1
