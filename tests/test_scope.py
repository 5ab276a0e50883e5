"""`Scope.of(Model)`: one rule for every model, checked on each scoped model for every role.

Each model gets a row in Bhopal (AC 1, part 1, held by sup.1.1 and blo.1.1) and a row in Raisen
(AC 5, part 1); every role must see exactly the rows its place contains.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Integer, String, func, inspect, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.extensions import db
from app.figures.models import ConstituencyDay, DailyReport
from app.imports.models import ImportJob
from app.models import AuditEntry, Constituency, District, Job, Part, Role, User
from app.models.scoping import Scoped
from app.reviews.models import BloReview, ReviewKind
from app.scope import Scope, scoped_by
from app.volunteers.models import Organisation, Volunteer
from tests.conftest import LOGINS

DAY = date(2000, 1, 1)  # far from the demo's campaign, so no seeded row is in the way
ROLES = sorted(LOGINS)
BOTH, IN, NONE = {"in", "out"}, {"in"}, set()


def _user(login: str) -> User:
    return db.session.scalar(select(User).where(User.login == login))


def _part(ac_number: int, number: int) -> Part:
    return db.session.scalar(
        select(Part)
        .join(Constituency, Part.constituency_id == Constituency.id)
        .where(Constituency.number == ac_number, Part.number == number)
    )


def _report(part: Part) -> DailyReport:
    return DailyReport(
        part_id=part.id, constituency_id=part.constituency_id, district_id=part.district_id, report_date=DAY
    )


def _constituency_day(part: Part) -> ConstituencyDay:
    return ConstituencyDay(constituency_id=part.constituency_id, district_id=part.district_id, day=DAY)


def _review(part: Part) -> BloReview:
    return BloReview(
        part_id=part.id,
        constituency_id=part.constituency_id,
        district_id=part.district_id,
        blo_id=part.blo_id,
        reviewer_id=part.supervisor_id,
        review_date=DAY,
        kind=ReviewKind.CALL,
        outcome="Spoke to the BLO",
    )


def _collector(part: Part) -> User:
    return db.session.scalar(
        select(User).where(User.role == "collector", User.district_id == part.district_id)
    )


def _import_job(part: Part) -> ImportJob:
    return ImportJob(
        user_id=_collector(part).id, district_id=part.district_id, filename="f.csv", stored_path="/dev/null"
    )


def _job(part: Part) -> Job:
    return Job(kind="export", user_id=_collector(part).id, district_id=part.district_id, params={})


def _volunteer(part: Part) -> Volunteer:
    """A district's volunteer (whose own account is vol.<district>.1): the district's officers see it,
    EROs included, since volunteers are approved and placed district-wide."""
    district = db.session.get(District, part.district_id)
    user = _user(f"vol.{district.name_en.lower()}.1")
    seeded = db.session.scalar(select(Volunteer).where(Volunteer.user_id == user.id))
    if seeded is not None:
        return seeded
    return Volunteer(
        user_id=user.id,
        district_id=district.id,
        name=user.name,
        mobile=f"98{part.id:08d}",
        organisation=Organisation.NSS,
    )


def _existing(model):
    def find(part: Part):
        if model is Part:
            return part
        if model is Constituency:
            return db.session.get(Constituency, part.constituency_id)
        if model is District:
            return db.session.get(District, part.district_id)
        return _user(f"blo.{db.session.get(Constituency, part.constituency_id).number}.2")  # User

    return find


# model: (how to build the row of a part, which rows each role sees)
MODELS = {
    Part: (_existing(Part), {"state": BOTH, "collector": IN, "ero": IN, "supervisor": IN, "blo": IN}),
    Constituency: (
        _existing(Constituency),
        {"state": BOTH, "collector": IN, "ero": IN, "supervisor": IN, "blo": IN},
    ),
    District: (_existing(District), {"state": BOTH, "collector": IN, "ero": IN, "supervisor": IN, "blo": IN}),
    User: (_existing(User), {"admin": BOTH, "collector": IN}),
    DailyReport: (_report, {"state": BOTH, "collector": IN, "ero": IN, "supervisor": IN, "blo": IN}),
    BloReview: (_review, {"state": BOTH, "collector": IN, "ero": IN, "supervisor": IN, "blo": IN}),
    # An AC's roll-up lies inside a collector's district and an ERO's AC, not inside a BLO's parts.
    ConstituencyDay: (_constituency_day, {"state": BOTH, "collector": IN, "ero": IN}),
    # A district's row: only those who hold the whole district.
    ImportJob: (_import_job, {"state": BOTH, "collector": IN}),
    # Jobs of a district's collector: the state and that collector (their own); see the owner test.
    Job: (_job, {"state": BOTH, "collector": IN}),
    # A district's volunteers: its collector and every ERO of the district, and the volunteer themself.
    Volunteer: (_volunteer, {"state": BOTH, "collector": IN, "ero": IN, "volunteer": IN}),
}


def _visible(model, role: str, rows: dict) -> set[str]:
    """Which of the rows the role's `scope.of(model)` lets through, each found by its primary key."""
    scope = Scope(_user(LOGINS[role]))
    key = inspect(model).primary_key

    def visible(row) -> bool:
        same_row = [column == value for column, value in zip(key, inspect(row).identity, strict=True)]
        return (
            db.session.scalar(select(func.count()).select_from(model).where(scope.of(model), *same_row)) == 1
        )

    return {where for where, row in rows.items() if visible(row)}


@pytest.mark.parametrize("model", list(MODELS), ids=lambda m: m.__name__)
@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_the_rows_its_place_contains(app, model, role):
    build, sees = MODELS[model]
    with app.app_context():
        rows = {"in": build(_part(1, 1)), "out": build(_part(5, 1))}
        db.session.add_all(rows.values())
        db.session.flush()
        assert _visible(model, role, rows) == sees.get(role, NONE)
        db.session.rollback()


WITH_ID = [model for model in MODELS if "id" in model.__table__.columns]


@pytest.mark.parametrize("model", WITH_ID, ids=lambda m: m.__name__)
@pytest.mark.parametrize("role", ROLES)
def test_require_lets_through_what_the_scope_lets_through(app, model, role):
    """require's statement, built once per kind of user with the ids bound, is scope.of itself."""
    from werkzeug.exceptions import Forbidden

    build, sees = MODELS[model]
    with app.app_context():
        rows = {"in": build(_part(1, 1)), "out": build(_part(5, 1))}
        db.session.add_all(rows.values())
        db.session.flush()
        scope = Scope(_user(LOGINS[role]))
        for where, row in rows.items():
            if where in sees.get(role, NONE):
                assert scope.require(model, row.id) is row, (where, role)
            else:
                with pytest.raises(Forbidden):
                    scope.require(model, row.id)
        db.session.rollback()


def test_require_finds_nothing_for_an_officer_without_a_place(app):
    """A collector or ERO whose account names no place sees none: the bound statement is the
    scope's own rule for a missing place, not a comparison with a null that might match."""
    from werkzeug.exceptions import Forbidden

    with app.app_context():
        part = _part(1, 1)
        for role, kept in ((Role.COLLECTOR, "constituency_id"), (Role.ERO, "district_id")):
            placeless = User(id=10**6, login=f"nowhere-{role.value}", name="Nowhere", role=role)
            setattr(placeless, kept, 1)
            with pytest.raises(Forbidden):
                Scope(placeless).require(Part, part.id)


@pytest.mark.parametrize("role", ROLES)
def test_a_user_sees_their_own_jobs_wherever_they_are(app, role):
    with app.app_context():
        user = _user(LOGINS[role])
        own = Job(kind="export", user_id=user.id, district_id=_part(5, 1).district_id, params={})
        other = Job(kind="export", user_id=_user("collector.raisen").id, district_id=None, params={})
        db.session.add_all([own, other])
        db.session.flush()
        assert _visible(Job, role, {"own": own, "other": other}) == (
            {"own", "other"} if role == "state" else {"own"}
        )
        db.session.rollback()


def test_require_answers_404_for_no_row_and_403_for_a_row_out_of_scope(app):
    from werkzeug.exceptions import Forbidden, NotFound

    with app.app_context():
        scope = Scope(_user("collector.bhopal"))
        inside, outside = _import_job(_part(1, 1)), _import_job(_part(5, 1))
        db.session.add_all([inside, outside])
        db.session.flush()
        assert scope.require(ImportJob, inside.id) is inside
        with pytest.raises(Forbidden):
            scope.require(ImportJob, outside.id)
        with pytest.raises(NotFound):
            scope.require(ImportJob, outside.id + 1000)
        db.session.rollback()


class _Elsewhere(DeclarativeBase):
    """Its own metadata, so the app's tables (and the migrations test) never see this one."""


class Visit(_Elsewhere):
    """A model of a feature to come, declared with other column names and open to volunteers."""

    __tablename__ = "test_scope_visits"
    __scope__ = Scoped(part="polling_part", district="home_district", volunteers=True)

    id: Mapped[int] = mapped_column(primary_key=True)
    polling_part: Mapped[int] = mapped_column(Integer)
    home_district: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(20), default="")


@pytest.fixture
def visits(app):
    with app.app_context():
        Visit.__table__.create(db.engine)
    yield
    with app.app_context():
        Visit.__table__.drop(db.engine)


@pytest.mark.parametrize("role", ROLES)
def test_a_declared_scope_names_its_columns_and_may_open_rows_to_volunteers(app, visits, role):
    with app.app_context():
        rows = {
            where: Visit(polling_part=part.id, home_district=part.district_id)
            for where, part in (("in", _part(1, 1)), ("out", _part(5, 1)))
        }
        db.session.add_all(rows.values())
        db.session.flush()
        sees = {"state": BOTH, "collector": IN, "ero": IN, "supervisor": IN, "blo": IN, "volunteer": IN}
        assert _visible(Visit, role, rows) == sees.get(role, NONE)
        db.session.rollback()


def test_a_model_that_carries_no_place_must_declare_one(app):
    with pytest.raises(TypeError, match="AuditEntry"):
        scoped_by(AuditEntry)
