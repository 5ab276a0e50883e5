"""The read side of registration: the sign-up page's districts, a form already answered, the
officers' approval queue with the numbers that tried to register again, and the bulk import's
pages. Nothing here reads the request.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.formatting import lang
from app.lists import ListForm
from app.models import District, Job, JobStatus
from app.scope import Scope
from app.timeutil import utcnow
from app.volunteers import intake
from app.volunteers.labels import ORGANISATION_CHOICES
from app.volunteers.models import RepeatRegistration, Volunteer, VolunteerStatus

# How far back the approvals page lists the numbers of approved or rejected volunteers (and of
# officials) that tried to register again; a pending volunteer's card shows all of its own.
REPEATS_SHOWN_FOR = timedelta(days=30)
REPEATS_SHOWN = 50


# -- the sign-up form ------------------------------------------------------------------------------


def district_choices() -> list[tuple[int, str]]:
    """Every district, by its name in the reader's language."""
    districts = db.session.scalars(select(District).order_by(District.name_en)).all()
    return sorted(((d.id, d.name(lang())) for d in districts), key=lambda choice: choice[1])


def register_context() -> dict:
    """What the sign-up page shows beside its form: the map and each district's headquarters."""
    return {
        "tile_url": current_app.config.get("MAP_TILE_URL", ""),
        "tile_attribution": current_app.config.get("MAP_TILE_ATTRIBUTION", ""),
        "districts": {d.id: (d.hq_lat, d.hq_lon) for d in db.session.scalars(select(District))},
    }


def registered_context(name: str, mobile: str, district_id: int) -> dict:
    """The one answer to a registration received: the same for a new number and for one already
    registered, so that the page tells nobody which numbers are registered."""
    return {"name": name, "mobile": mobile, "district": db.session.get(District, district_id)}


def answered_before(token: str) -> dict | None:
    """A second tap of a form already answered: the first answer's context again; None when the
    form was never answered."""
    done = db.session.scalar(select(Volunteer).where(Volunteer.form_token == token))
    if done is not None:
        return registered_context(done.name, done.mobile, done.district_id)
    again = db.session.scalar(select(RepeatRegistration).where(RepeatRegistration.form_token == token))
    if again is not None:
        return registered_context(again.name, again.mobile, again.typed_district_id)
    return None


# -- the approval queue ----------------------------------------------------------------------------


def _pending_query(scope: Scope, search: str):
    query = (
        select(Volunteer)
        .options(selectinload(Volunteer.windows))
        .where(scope.of(Volunteer), Volunteer.status == VolunteerStatus.PENDING)
        .order_by(Volunteer.registered_at, Volunteer.id)
    )
    if search:
        like = f"%{search}%"
        query = query.where(
            or_(Volunteer.name.ilike(like), Volunteer.mobile.like(like), Volunteer.institution.ilike(like))
        )
    return query


def _repeats_of(volunteer_ids) -> dict[int, list[RepeatRegistration]]:
    """Each volunteer's tries to register again with their number, newest first, in one query."""
    found: dict[int, list[RepeatRegistration]] = {}
    ids = list(volunteer_ids)
    if ids:
        for repeat in db.session.scalars(
            select(RepeatRegistration)
            .where(RepeatRegistration.volunteer_id.in_(ids))
            .order_by(RepeatRegistration.at.desc(), RepeatRegistration.id.desc())
        ):
            found.setdefault(repeat.volunteer_id, []).append(repeat)
    return found


def _other_repeats(scope: Scope) -> list[tuple[RepeatRegistration, Volunteer | None]]:
    """The last days' tries to register with the number of a volunteer no longer waiting (approved
    or rejected) or of an official's account, in the officer's district, newest first."""
    since = utcnow() - REPEATS_SHOWN_FOR
    return list(
        db.session.execute(
            select(RepeatRegistration, Volunteer)
            .outerjoin(Volunteer, Volunteer.id == RepeatRegistration.volunteer_id)
            .where(
                scope.of(RepeatRegistration),
                RepeatRegistration.at >= since,
                or_(RepeatRegistration.volunteer_id.is_(None), Volunteer.status != VolunteerStatus.PENDING),
            )
            .order_by(RepeatRegistration.at.desc(), RepeatRegistration.id.desc())
            .limit(REPEATS_SHOWN)
        ).all()
    )


def _district_names(repeats) -> dict[int, District]:
    ids = {r.typed_district_id for r in repeats}
    if not ids:
        return {}
    return {d.id: d for d in db.session.scalars(select(District).where(District.id.in_(ids)))}


def back_after_no_shows(volunteer: Volunteer) -> bool:
    """Pending again after two no-shows: approved once before."""
    return volunteer.status == VolunteerStatus.PENDING and volunteer.approved_at is not None


def approvals_context(scope: Scope, form: ListForm, with_others: bool = True) -> dict:
    """The registrations waiting, oldest first (searched by name, mobile or institution), each with
    its tries to register again; and, on the whole page, the others' tries of the last days."""
    pages = form.paginate(_pending_query(scope, form.q.data), current_app.config["PAGE_SIZE"])
    repeats = _repeats_of(v.id for v in pages)
    others = _other_repeats(scope) if with_others else []
    shown = [r for rows in repeats.values() for r in rows] + [r for r, _v in others]
    return {
        "pages": pages,
        "q": form.q.data,
        "organisations": ORGANISATION_CHOICES,
        "languages": intake.LANGUAGE_LABELS,
        "back_after_no_shows": back_after_no_shows,
        "repeats": repeats,
        "others": others,
        "districts": _district_names(shown),
        "repeats_days": REPEATS_SHOWN_FOR.days,
    }


def decision_context(volunteer: Volunteer, notice: str, kind: str) -> dict:
    """One registration's card again, after a decision on it (or a refused one)."""
    repeats = _repeats_of([volunteer.id])
    return {
        "volunteer": volunteer,
        "notice": notice,
        "notice_kind": kind,
        "organisations": ORGANISATION_CHOICES,
        "languages": intake.LANGUAGE_LABELS,
        "repeats": repeats,
        "districts": _district_names(repeats.get(volunteer.id, [])),
    }


# -- the bulk import -------------------------------------------------------------------------------


def import_context(scope: Scope) -> dict:
    """The upload page: the last imports and the columns a file may have."""
    jobs = db.session.scalars(
        select(Job)
        .options(selectinload(Job.user))
        .where(scope.of(Job), Job.kind.in_(intake.KINDS))
        .order_by(Job.id.desc())
        .limit(10)
    )
    return {
        "job": None,
        "jobs": list(jobs),
        "columns": intake.COLUMNS,
        "hindi_names": intake.HINDI_NAMES,
        "required": intake.REQUIRED,
    }


def import_status_context(job: Job, form: ListForm, notice: str | None = None) -> dict:
    """An import's check or its applying: where it stands, and its problems (by page)."""
    result = job.result or {}
    if job.status == JobStatus.FAILED and not result:
        result = {
            "state": "failed",
            "message": _("The import stopped because of an error on the server. Nothing was saved."),
        }
    return {
        "job": job,
        "result": result,
        "errors": form.paginate_list(result.get("errors") or [], 50),
        "notice": notice,
        "can_apply": intake.can_apply(job),
        "check_id": job.params.get("check_job_id"),
        "jobs": [],
    }
