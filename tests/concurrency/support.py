"""The state each race needs, built through the app's services on the servers' database, and what
got saved, read back from it afterwards.

Every race takes volunteers and parts of its own from the tiny demo's Bhopal district (collector
`collector.bhopal`, AC 1's ERO `ero.1`), so the races of one run never meet.
"""

from __future__ import annotations

from collections import deque
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from app.campaign.clock import campaign_now, campaign_today
from app.difficulties import services as difficulty_services
from app.difficulties.models import Difficulty, DifficultyEvent, EventKind, Source
from app.difficulties.workflow import Action
from app.extensions import db
from app.models import AuditEntry, Constituency, Part, User
from app.timeutil import utcnow
from app.volunteers import services
from app.volunteers.models import HOLDING, Assignment, VisitDay, Volunteer, VolunteerStatus

COLLECTOR = "collector.bhopal"
ERO = "ero.1"  # AC 1's
TASKS = ("form_filling",)
HOURS = (time(10), time(14))


def offer_form(day: date, hours: tuple[time, time] = HOURS) -> dict:
    """The offer form's fields as the page sends them."""
    return {
        "starts_on": day.isoformat(),
        "ends_on": day.isoformat(),
        "start_time": hours[0].strftime("%H:%M"),
        "end_time": hours[1].strftime("%H:%M"),
        "tasks": list(TASKS),
        "note": "",
    }


class Demo:
    """Hands out the demo's people and places, sets up what a race needs, reads what was saved."""

    def __init__(self, app):
        self.app = app
        with self.context():
            district_id = self._user(COLLECTOR).district_id
            people = select(Volunteer.id, User.login).join(User, User.id == Volunteer.user_id)
            self._approved = deque(
                db.session.execute(
                    people.where(
                        Volunteer.district_id == district_id, Volunteer.status == VolunteerStatus.APPROVED
                    ).order_by(Volunteer.id)
                ).all()
            )
            self._pending = deque(
                db.session.scalars(
                    select(Volunteer.id)
                    .where(Volunteer.district_id == district_id, Volunteer.status == VolunteerStatus.PENDING)
                    .order_by(Volunteer.id)
                ).all()
            )
            self._parts: dict[int, deque] = {}
            for number, part_id in db.session.execute(
                select(Constituency.number, Part.id)
                .join(Constituency, Constituency.id == Part.constituency_id)
                .where(Part.district_id == district_id)
                .order_by(Constituency.number, Part.number)
            ):
                self._parts.setdefault(number, deque()).append(part_id)

    @contextmanager
    def context(self):
        with self.app.app_context():
            try:
                yield
            finally:
                db.session.remove()

    @staticmethod
    def _user(login: str) -> User:
        return db.session.scalar(select(User).where(User.login == login))

    # -- handing out ---------------------------------------------------------------------------

    def volunteers(self, count: int) -> list[tuple[int, str]]:
        """Approved volunteers of the district no race has had yet: (volunteer id, login)."""
        assert len(self._approved) >= count, "the tiny demo has no more approved volunteers to race with"
        return [tuple(self._approved.popleft()) for _ in range(count)]

    def part(self, ac: int) -> int:
        assert self._parts.get(ac), f"the tiny demo has no more parts of AC {ac} to race at"
        return self._parts[ac].popleft()

    def today(self) -> date:
        with self.context():
            return campaign_today()

    def hours_around_now(self) -> tuple[time, time]:
        """Today's hours around the campaign zone's time now: from an hour ago, six hours long."""
        with self.context():
            now = campaign_now()
        start = datetime.combine(now.date(), time(now.hour)) - timedelta(hours=1)
        start = max(start, datetime.combine(now.date(), time(0)))
        end = min(start + timedelta(hours=6), datetime.combine(now.date(), time(23, 59)))
        return start.time(), end.time()

    # -- setting up ----------------------------------------------------------------------------

    def offer(
        self, volunteer_id: int, part_id: int, day: date, hours=HOURS, accept: bool = False
    ) -> tuple[int, int]:
        """The collector's offer (accepted by the volunteer if asked): (assignment id, version)."""
        with self.context():
            volunteer = db.session.get(Volunteer, volunteer_id)
            made = services.offer(
                self._user(COLLECTOR),
                volunteer,
                db.session.get(Part, part_id),
                services.OfferInput(day, day, hours[0], hours[1], TASKS),
                utcnow(),
                campaign_today(),
            )
            db.session.commit()
            if accept:
                services.answer(volunteer.user, made, True)
                db.session.commit()
            return made.id, made.version

    def pending(self) -> tuple[int, int]:
        """A sign-up waiting for approval: (volunteer id, version)."""
        assert self._pending, "the tiny demo has no more pending sign-ups"
        volunteer_id = self._pending.popleft()
        with self.context():
            return volunteer_id, db.session.get(Volunteer, volunteer_id).version

    def difficulty(self, part_id: int) -> tuple[int, int]:
        """A difficulty the part's BLO raised and AC 1's ERO acknowledged: (id, version)."""
        with self.context():
            part = db.session.get(Part, part_id)
            ero = self._user(ERO)
            reporter = db.session.get(User, part.blo_id) if part.blo_id else ero
            raised = difficulty_services.raise_difficulty(
                reporter,
                part,
                difficulty_services.NewDifficulty(
                    category="app", severity="high", description="The app stops."
                ),
                Source.BLO if part.blo_id else Source.OFFICER,
            )
            db.session.commit()
            difficulty_services.perform(
                ero, raised, Action.ACKNOWLEDGE, difficulty_services.ActionInput(version=raised.version)
            )
            db.session.commit()
            return raised.id, raised.version

    # -- reading what was saved ----------------------------------------------------------------

    def scalar(self, statement):
        with self.context():
            return db.session.scalar(statement)

    def audits(self, action: str | tuple[str, ...], object_type: str, object_ids) -> int:
        actions = (action,) if isinstance(action, str) else action
        ids = [str(i) for i in ([object_ids] if isinstance(object_ids, int) else object_ids)]
        if not ids:
            return 0
        return self.scalar(
            select(func.count(AuditEntry.id)).where(
                AuditEntry.action.in_(actions),
                AuditEntry.object_type == object_type,
                AuditEntry.object_id.in_(ids),
            )
        )

    def assignments(self, **where) -> list[Assignment]:
        """The assignments matching `where` (column=value), any status, as detached rows."""
        with self.context():
            found = list(db.session.scalars(select(Assignment).filter_by(**where).order_by(Assignment.id)))
            db.session.expunge_all()
            return found

    def holding(self, day: date, hours=HOURS, **where) -> int:
        """Offers or assignments holding `where` (a volunteer, a part) on the day at those hours."""
        return self.scalar(
            select(func.count(Assignment.id))
            .filter_by(**where)
            .where(
                Assignment.status.in_(HOLDING),
                Assignment.starts_on <= day,
                Assignment.ends_on >= day,
                Assignment.start_time < hours[1],
                Assignment.end_time > hours[0],
            )
        )

    def cap(self, part_id: int) -> int:
        with self.context():
            return services.limits_for(db.session.get(Part, part_id).district_id).max_per_part

    def status(self, model, row_id: int):
        with self.context():
            return db.session.get(model, row_id).status

    def days(self, assignment_id: int) -> list[VisitDay]:
        with self.context():
            found = list(
                db.session.scalars(
                    select(VisitDay).where(VisitDay.assignment_id == assignment_id).order_by(VisitDay.id)
                )
            )
            db.session.expunge_all()
            return found

    def resolutions(self, difficulty_id: int) -> int:
        return self.scalar(
            select(func.count(DifficultyEvent.id)).where(
                DifficultyEvent.difficulty_id == difficulty_id, DifficultyEvent.kind == EventKind.RESOLVED
            )
        )

    def difficulty_status(self, difficulty_id: int):
        return self.status(Difficulty, difficulty_id)
