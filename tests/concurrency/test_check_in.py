"""A volunteer's day raced by many hands: four check-ins at once (from tabs with and without an
Idempotency-Key), and a double tap on Check in."""

from __future__ import annotations

import uuid

from tests.concurrency.racing import Race, answer_of, timings

# Two taps closer than this are one thumb tapping twice.
DOUBLE_TAP_SECONDS = 0.9


def _accepted_today(demo) -> tuple[int, str]:
    ((volunteer_id, login),) = demo.volunteers(1)
    assignment_id, _version = demo.offer(
        volunteer_id, demo.part(2), demo.today(), hours=demo.hours_around_now(), accept=True
    )
    return assignment_id, login


def test_four_check_ins_at_once_make_one_day_with_one_check_in(demo, sign_in, race, record, verdict):
    assignment_id, login = _accepted_today(demo)
    tabs = sign_in(*[login] * 4)
    keys = [None, None, str(uuid.uuid4()), str(uuid.uuid4())]
    path = f"/volunteers/assignments/{assignment_id}/check-in"

    def tap(tab, key):
        return lambda headers: tab.post(path, {}, {**headers, **({"Idempotency-Key": key} if key else {})})

    result = race(
        "check_in",
        [(f"{tab.login}{' key' if key else ''}", tap(tab, key)) for tab, key in zip(tabs, keys, strict=True)],
    )
    days = demo.days(assignment_id)
    check_ins = demo.audits("volunteer.check_in", "VisitDay", [d.id for d in days])
    record(result, rows=len(days), audited=check_ins)

    found = verdict(result)
    found.expect(bool(result.winners), "no check-in answered 2xx")
    found.expect(len(days) == 1, f"{len(days)} volunteer_days rows for today, not 1")
    found.expect(all(d.check_in_at is not None and d.check_out_at is None for d in days), "not checked in")
    found.expect(check_ins == 1, f"{check_ins} volunteer.check_in audit rows, not 1")
    found.done()


def test_a_double_tap_on_check_in_does_not_check_the_volunteer_out(demo, sign_in, servers, record, verdict):
    """The phone's first tap checks in; its answer puts Check out where Check in was, so the same
    thumb's second tap, right behind, lands on Check out. Each tap is its own queued post (its own
    Idempotency-Key). The day must keep its check-in and have no check-out."""
    assignment_id, login = _accepted_today(demo)
    (phone,) = sign_in(login)
    tag = f"double_tap:{uuid.uuid4().hex}"
    taps = [("check-in", f"/volunteers/assignments/{assignment_id}/check-in")]
    taps.append(("check-out", f"/volunteers/assignments/{assignment_id}/check-out"))
    answers = []
    for who, path in taps:
        response = phone.post(path, {}, {"X-Race": tag, "Idempotency-Key": str(uuid.uuid4())})
        answers.append(answer_of(who, response))
    result = Race("double_tap", tag, answers, timings(servers, tag))
    spans = sorted(result.intervals)
    gap = spans[1][0] - spans[0][1] if len(spans) == 2 else None
    days = demo.days(assignment_id)
    check_outs = demo.audits("volunteer.check_out", "VisitDay", [d.id for d in days])
    record(
        result,
        collided=gap is not None and gap < DOUBLE_TAP_SECONDS,
        gap_seconds=gap,
        checked_out=any(d.check_out_at is not None for d in days),
    )

    found = verdict(result)
    found.expect(answers[0].won, "the check-in tap did not answer 2xx")
    found.expect(len(days) == 1 and days[0].check_in_at is not None, "no day with a check-in")
    checked_out = [d for d in days if d.check_out_at is not None or d.minutes is not None]
    found.expect(not checked_out, "the second tap checked the volunteer out")
    found.expect(check_outs == 0, f"{check_outs} volunteer.check_out audit rows, not 0")
    found.done()
