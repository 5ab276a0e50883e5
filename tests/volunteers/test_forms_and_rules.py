"""The volunteers' forms read numbers as every form does (Devanagari digits, Indian grouping, the
same bounds), and the open-offer rule reads the same in Python and in SQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.volunteers.models import Assignment, OfferStatus, VisitDay, VolunteerSettings
from tests.volunteers.matrix_mine import part_of
from tests.volunteers.mine_support import START, days_of, freeze, fresh, make_offer, post, signed_in

pytestmark = pytest.mark.usefixtures("without_seeded_volunteers")


def _electors_of(app, ac_number: int, part_number: int, electors: int) -> None:
    with app.app_context():
        part_of(ac_number, part_number).electors = electors
        db.session.commit()


def test_the_work_log_reads_devanagari_digits_and_indian_grouping_within_its_bound(app):
    freeze(app, START)
    _electors_of(app, 1, 1, 1_400)
    assignment = make_offer(app, accept=True)
    client = signed_in(app, "vol.bhopal.1")
    post(client, f"/volunteers/assignments/{assignment}/check-in")
    day_id = days_of(app, assignment)[0].id
    url = f"/volunteers/days/{day_id}/work"

    # Issue 23: a day's counts are bounded by what a volunteer can do there (the part's 1,400
    # electors), no longer by a lakh: the Indian grouping is read within that bound.
    response = post(client, url, forms_helped="१२", electors_helped="1,400")
    assert response.status_code == 200
    visit = fresh(app, VisitDay, day_id)
    assert (visit.forms_helped, visit.electors_helped) == (12, 1_400)

    # Past what the fields read at all (a lakh), a typing error is refused as before.
    response = post(client, url, forms_helped="1,00,001", electors_helped="३०")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="forms_helped-error"' in html
    assert 'value="1,00,001"' in html  # what was typed stays in the form
    assert fresh(app, VisitDay, day_id).forms_helped == 12


def test_the_work_log_is_bounded_by_what_a_volunteer_can_do_in_a_day(app):
    """Issue 23: at most one form a minute of the district's hours a day, and never more forms or
    electors than the part has; a count past it is refused with why, keeping what was typed."""
    freeze(app, START)
    _electors_of(app, 1, 1, 900)
    assignment = make_offer(app, accept=True)
    client = signed_in(app, "vol.bhopal.1")
    post(client, f"/volunteers/assignments/{assignment}/check-in")
    day_id = days_of(app, assignment)[0].id
    url = f"/volunteers/days/{day_id}/work"
    page = client.get(f"/volunteers/assignments/{assignment}").get_data(as_text=True)
    assert "At most 480 in a day." in page and "At most 900 in a day." in page

    for forms, electors, field, reason in (
        ("481", "10", "forms_helped", "At most 480 forms in a day: one a minute for 8 hours."),
        ("50,000", "10", "forms_helped", "At most 480 forms in a day: one a minute for 8 hours."),
        ("12", "901", "electors_helped", "Part 1-1 has 900 electors: at most that many in a day."),
        ("12", "1,00,000", "electors_helped", "Part 1-1 has 900 electors: at most that many in a day."),
    ):
        response = post(client, url, forms_helped=forms, electors_helped=electors)
        html = response.get_data(as_text=True)
        assert response.status_code == 422, (forms, electors)
        assert f'id="{field}-error"' in html and reason in html, (forms, electors)
        assert f'value="{forms}"' in html and f'value="{electors}"' in html  # what was typed stays
        visit = fresh(app, VisitDay, day_id)
        assert (visit.forms_helped, visit.electors_helped) == (0, 0)

    response = post(client, url, forms_helped="480", electors_helped="900")
    assert response.status_code == 200
    saved = fresh(app, VisitDay, day_id)
    assert (saved.forms_helped, saved.electors_helped) == (480, 900)

    # A shorter day in the district, a smaller part: the bound follows both.
    with app.app_context():
        district_id = part_of(1, 1).district_id
        settings = db.session.scalar(
            select(VolunteerSettings).where(VolunteerSettings.district_id == district_id)
        )
        if settings is None:
            settings = VolunteerSettings(district_id=district_id)
            db.session.add(settings)
        settings.daily_hour_cap = 5
        db.session.commit()
    response = post(client, url, forms_helped="301", electors_helped="10")
    assert response.status_code == 422
    assert "At most 300 forms in a day: one a minute for 5 hours." in response.get_data(as_text=True)
    _electors_of(app, 1, 1, 250)
    response = post(client, url, forms_helped="251", electors_helped="10")
    assert response.status_code == 422
    assert "Part 1-1 has 250 electors: at most that many in a day." in response.get_data(as_text=True)


def test_the_open_offer_rule_is_the_same_in_python_and_in_sql(app):
    freeze(app, START)
    ids = [make_offer(app, starts_in=n) for n in (0, 1, 2)]
    with app.app_context():
        overdue, expired = db.session.get(Assignment, ids[1]), db.session.get(Assignment, ids[2])
        overdue.expires_at = START.replace(tzinfo=None) - timedelta(minutes=1)
        expired.status = OfferStatus.EXPIRED
        db.session.commit()
    with app.app_context():
        rows = db.session.scalars(select(Assignment).where(Assignment.id.in_(ids))).all()
        in_python = {a.id for a in rows if a.is_open}
        in_sql = set(
            db.session.scalars(select(Assignment.id).where(Assignment.id.in_(ids), Assignment.is_open))
        )
        assert in_python == in_sql == {ids[0]}
        now = START.replace(tzinfo=None)
        lapsed = set(
            db.session.scalars(select(Assignment.id).where(Assignment.id.in_(ids), Assignment.lapsed_at(now)))
        )
        assert lapsed == {a.id for a in rows if a.lapsed_at(now)} == {ids[1], ids[2]}
        # An hour before its time to answer ends it is open; at that moment it is not.
        first = next(a for a in rows if a.id == ids[0])
        assert first.open_at(first.expires_at - timedelta(hours=1)) and not first.open_at(first.expires_at)
