"""A public sign-up with a mobile number already registered: kept for the approvers of the number's
district, audited; it creates no volunteer and touches no account."""

from __future__ import annotations

from sqlalchemy import select

from app import audit
from app.extensions import db
from app.models import User
from app.timeutil import utcnow
from app.volunteers import intake
from app.volunteers.models import RepeatRegistration, Volunteer


def note_repeat(data: intake.NewVolunteer, mobile: str, token: str | None) -> RepeatRegistration | None:
    """Keep a sign-up with a number already registered for the approvers of the number's district
    (the district typed, when the number signs in an official's account); audited. Creates no
    volunteer and touches no account. The caller commits."""
    volunteer = db.session.scalar(select(Volunteer).where(Volunteer.mobile == mobile))
    user_id = (
        volunteer.user_id
        if volunteer is not None
        else db.session.scalar(select(User.id).where(User.login == mobile))
    )
    if volunteer is None and user_id is None:
        return None
    repeat = RepeatRegistration(
        district_id=volunteer.district_id if volunteer is not None else data.district_id,
        volunteer_id=volunteer.id if volunteer is not None else None,
        user_id=user_id,
        mobile=mobile,
        name=" ".join(data.name.split())[: intake.NAME_MAX],
        typed_district_id=data.district_id,
        at=utcnow(),
        form_token=token,
    )
    db.session.add(repeat)
    db.session.flush()
    audit.record(
        None,
        "volunteer.register_again",
        repeat,
        None,
        {
            "volunteer_id": repeat.volunteer_id,
            "user_id": repeat.user_id,
            "district_id": repeat.district_id,
            "typed_district_id": repeat.typed_district_id,
            "name": repeat.name,
        },
    )
    return repeat
