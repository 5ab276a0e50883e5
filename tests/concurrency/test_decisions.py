"""Decisions raced by many hands: one sign-up approved twice and rejected at once, one difficulty
resolved from four sessions at once. Each is decided once; the others are told so."""

from __future__ import annotations

from app.difficulties.models import Status
from app.volunteers.models import Volunteer, VolunteerStatus
from tests.concurrency.support import COLLECTOR, ERO


def test_approve_approve_and_reject_of_one_sign_up_at_once_decide_it_once(
    demo, sign_in, race, record, verdict
):
    volunteer_id, version = demo.pending()
    first, second, third = sign_in(COLLECTOR, ERO, COLLECTOR)

    def decide(person, verb):
        path = f"/volunteers/{volunteer_id}/{verb}"
        return verb, lambda headers: person.post(path, {"version": str(version)}, headers)

    result = race(
        "approve_reject", [decide(first, "approve"), decide(second, "approve"), decide(third, "reject")]
    )
    decided = demo.audits(("volunteer.approve", "volunteer.reject"), "Volunteer", volunteer_id)
    status = demo.status(Volunteer, volunteer_id)
    record(result, audited=decided, status=status.value)

    found = verdict(result)
    found.expect(len(result.winners) == 1, f"{len(result.winners)} decisions answered 2xx, not 1")
    found.expect(all(a.status == 409 for a in result.losers if a.status < 500), "a loser's 4xx is not 409")
    found.expect(decided == 1, f"{decided} approve or reject audit rows, not 1")
    if len(result.winners) == 1:
        winner = result.winners[0].who
        expected = {"approve": VolunteerStatus.APPROVED, "reject": VolunteerStatus.REJECTED}[winner]
        found.expect(status == expected, f"{winner} answered 2xx but the sign-up is {status.value}")
    found.done()


def test_one_difficulty_resolved_from_four_sessions_is_resolved_once(demo, sign_in, race, record, verdict):
    difficulty_id, version = demo.difficulty(demo.part(1))
    officers = sign_in(ERO, ERO, COLLECTOR, COLLECTOR)
    form = {"version": str(version), "resolution": "fixed", "note": "Reinstalled the app with the BLO."}
    path = f"/difficulties/{difficulty_id}/resolve"

    result = race("resolve", [(o.login, lambda headers, o=o: o.post(path, form, headers)) for o in officers])
    resolutions = demo.resolutions(difficulty_id)
    status = demo.difficulty_status(difficulty_id)
    record(result, resolutions=resolutions, status=status.value)

    found = verdict(result)
    found.expect(len(result.winners) == 1, f"{len(result.winners)} resolves answered 2xx, not 1")
    found.expect(all(a.status == 409 for a in result.losers if a.status < 500), "a loser's 4xx is not 409")
    found.expect(resolutions == 1, f"{resolutions} resolutions in the timeline, not 1")
    found.expect(status == Status.RESOLVED, f"the difficulty is {status.value}, not resolved")
    found.done()
