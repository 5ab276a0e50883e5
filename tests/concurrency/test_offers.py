"""Offers raced by many hands: the same offer from four officers' tabs, more offers than a part has
places, one offer accepted from five tabs, and an offer cancelled while it is being accepted."""

from __future__ import annotations

from datetime import timedelta

from app.volunteers.models import Assignment, OfferStatus
from tests.concurrency.support import COLLECTOR, ERO, offer_form


def _offer(person, volunteer_id: int, part_id: int, form: dict):
    path = f"/volunteers/offer?part_id={part_id}&volunteer_id={volunteer_id}"
    return lambda headers: person.post(path, form, headers)


def _answer(person, assignment_id: int, version: int):
    path = f"/volunteers/assignments/{assignment_id}/answer"
    return lambda headers: person.post(path, {"accept": "1", "version": str(version)}, headers)


def test_the_same_offer_from_four_tabs_books_the_volunteer_once(demo, sign_in, race, record, verdict):
    ((volunteer_id, _login),) = demo.volunteers(1)
    part_id = demo.part(1)
    day = demo.today() + timedelta(days=1)
    officers = sign_in(COLLECTOR, COLLECTOR, COLLECTOR, ERO)
    form = offer_form(day)

    result = race("double_booking", [(o.login, _offer(o, volunteer_id, part_id, form)) for o in officers])
    made = demo.assignments(volunteer_id=volunteer_id)
    holding = demo.holding(day, volunteer_id=volunteer_id)
    audited = demo.audits("volunteer.offer", "Assignment", [a.id for a in made])
    record(result, rows=len(made), holding=holding, audited=audited)

    found = verdict(result)
    found.expect(len(result.winners) == 1, f"{len(result.winners)} offers answered 2xx, not 1")
    found.expect(all(a.status in (409, 422) for a in result.losers if a.status < 500), "a 4xx not 409/422")
    found.expect(len(made) == 1, f"{len(made)} offers saved for the volunteer, not 1")
    found.expect(holding == 1, f"{holding} offers hold the volunteer at those hours, not 1")
    found.expect(audited == 1, f"{audited} volunteer.offer audit rows, not 1")
    found.done()


def test_more_offers_than_places_at_once_never_pass_the_parts_cap(demo, sign_in, race, record, verdict):
    part_id = demo.part(1)
    cap = demo.cap(part_id)
    day = demo.today() + timedelta(days=1)
    for volunteer_id, _login in demo.volunteers(cap - 1):
        demo.offer(volunteer_id, part_id, day)
    racing = demo.volunteers(5)
    officers = sign_in(COLLECTOR, COLLECTOR, COLLECTOR, ERO, ERO)
    form = offer_form(day)

    result = race(
        "cap_overrun",
        [(o.login, _offer(o, v, part_id, form)) for o, (v, _login) in zip(officers, racing, strict=True)],
    )
    holding = demo.holding(day, part_id=part_id)
    record(result, holding=holding, cap=cap)

    found = verdict(result)
    found.expect(holding <= cap, f"the part holds {holding} volunteers at those hours, past its cap of {cap}")
    found.expect(len(result.winners) == 1, f"{len(result.winners)} offers answered 2xx for the 1 place left")
    found.expect(holding == cap - 1 + len(result.winners), f"{holding} holding after {result.answers}")
    found.expect(all(a.status in (409, 422) for a in result.losers if a.status < 500), "a 4xx not 409/422")
    found.done()


def test_one_offer_accepted_from_five_tabs_is_accepted_once(demo, sign_in, race, record, verdict):
    ((volunteer_id, login),) = demo.volunteers(1)
    assignment_id, version = demo.offer(volunteer_id, demo.part(2), demo.today() + timedelta(days=1))
    tabs = sign_in(*[login] * 5)

    result = race("accept_tabs", [(t.login, _answer(t, assignment_id, version)) for t in tabs])
    accepts = demo.audits("volunteer.accept", "Assignment", assignment_id)
    status = demo.status(Assignment, assignment_id)
    record(result, audited=accepts, status=status.value)

    found = verdict(result)
    found.expect(len(result.winners) == 1, f"{len(result.winners)} accepts answered 2xx, not 1")
    found.expect(all(a.status == 409 for a in result.losers if a.status < 500), "a loser's 4xx is not 409")
    found.expect(status == OfferStatus.ACCEPTED, f"the offer is {status.value}, not accepted")
    found.expect(accepts == 1, f"{accepts} volunteer.accept audit rows, not 1")
    found.done()


def test_a_cancel_and_an_accept_at_once_one_wins_and_the_status_says_which(
    demo, sign_in, race, record, verdict
):
    ((volunteer_id, login),) = demo.volunteers(1)
    assignment_id, version = demo.offer(volunteer_id, demo.part(2), demo.today() + timedelta(days=1))
    collector, volunteer = sign_in(COLLECTOR, login)
    cancel = f"/volunteers/offers/{assignment_id}/cancel"

    result = race(
        "cancel_vs_accept",
        [
            ("cancel", lambda headers: collector.post(cancel, {"version": str(version)}, headers)),
            ("accept", _answer(volunteer, assignment_id, version)),
        ],
    )
    status = demo.status(Assignment, assignment_id)
    audited = demo.audits(("volunteer.accept", "volunteer.cancel"), "Assignment", assignment_id)
    record(result, status=status.value, audited=audited)

    found = verdict(result)
    found.expect(len(result.winners) == 1, f"{len(result.winners)} of cancel and accept answered 2xx, not 1")
    found.expect(all(a.status == 409 for a in result.losers if a.status < 500), "the loser's 4xx is not 409")
    if len(result.winners) == 1:
        winner = result.winners[0].who
        expected = {"cancel": OfferStatus.CANCELLED, "accept": OfferStatus.ACCEPTED}[winner]
        found.expect(status == expected, f"{winner} answered 2xx but the offer is {status.value}")
    found.expect(audited == 1, f"{audited} accept or cancel audit rows, not 1")
    found.done()
