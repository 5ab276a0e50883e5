"""The volunteers' forms read numbers as every form does (Devanagari digits, Indian grouping, the
same bounds), and the open-offer rule reads the same in Python and in SQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.volunteers.models import Assignment, OfferStatus, VisitDay
from tests.volunteers.mine_support import START, days_of, freeze, fresh, make_offer, post, signed_in

pytestmark = pytest.mark.usefixtures("without_seeded_volunteers")


def test_the_work_log_reads_devanagari_digits_and_indian_grouping_within_its_bound(app):
    freeze(app, START)
    assignment = make_offer(app, accept=True)
    client = signed_in(app, "vol.bhopal.1")
    post(client, f"/volunteers/assignments/{assignment}/check-in")
    day_id = days_of(app, assignment)[0].id
    url = f"/volunteers/days/{day_id}/work"

    response = post(client, url, forms_helped="१२", electors_helped="1,00,000")
    assert response.status_code == 200
    visit = fresh(app, VisitDay, day_id)
    assert (visit.forms_helped, visit.electors_helped) == (12, 100_000)

    # A lakh of forms in a day is the most; one more is a typing error, refused as before.
    response = post(client, url, forms_helped="1,00,001", electors_helped="३०")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="forms_helped-error"' in html
    assert 'value="1,00,001"' in html  # what was typed stays in the form
    assert fresh(app, VisitDay, day_id).forms_helped == 12


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
