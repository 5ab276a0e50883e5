"""Synthetic volunteers for the demo: profiles for the volunteer accounts, near their district's
parts, free through the campaign, with offers in every state and days at the booths.

Each district gets a volunteer for each of its parts (at least the 20 accounts of the base seed):
about 65,000 over the state. The first six accounts of a district play fixed parts at its first
AC's first parts (vol.<district>.1 is at part 1 today, checked in once the day has begun); the rest
go to the district's lagging parts, one to three a part. Rows are built in Python from fixed seeds
and inserted in bulk (Core executemany); a profile is made once per account and its offers and
days only with it, so re-running never duplicates anything.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from app.extensions import db
from app.figures.models import DailyReport
from app.models import Constituency, Part, Role, User
from app.volunteers.models import (
    Assignment,
    Attendance,
    AvailabilityWindow,
    OfferStatus,
    Organisation,
    Task,
    VisitDay,
    Volunteer,
    VolunteerStatus,
)

MINIMUM_PER_DISTRICT = 20
FIXED = 6  # the first accounts of a district, at its first parts, one in each state of an offer
LAGGING_SHARE = 0.15  # the worst 15 % of a district's parts get volunteers
CHUNK = 10_000
FIRST_NAMES = [
    "Aarti", "Abhishek", "Ankit", "Deepika", "Gaurav", "Jyoti", "Komal", "Neha", "Nikhil", "Priya",
    "Rahul", "Rohit", "Sakshi", "Shivani", "Sonam", "Vikas", "Vivek", "Yogesh",
]  # fmt: skip
LAST_NAMES = [
    "Ahirwar",
    "Chouhan",
    "Dangi",
    "Jatav",
    "Kushwaha",
    "Lodhi",
    "Malviya",
    "Patel",
    "Sen",
    "Tiwari",
]
DECLINE_REASONS = ["University exams that week", "Family function in the village", "Too far without a bus"]
# Share of each organisation among the demo's volunteers.
ORGANISATIONS = [
    (Organisation.NSS, 30),
    (Organisation.NCC, 15),
    (Organisation.COLLEGE, 20),
    (Organisation.GOVERNMENT, 15),
    (Organisation.PANCHAYAT, 15),
    (Organisation.OTHER, 5),
]
HOURS = [(time(9), time(17)), (time(9), time(13)), (time(10), time(14)), (time(14), time(18))]
TASK_SETS = [
    [Task.AWARENESS.value, Task.FORM_FILLING.value],
    [Task.FORM_FILLING.value, Task.OLD_ROLL_SEARCH.value],
    [Task.HELP_DESK.value, Task.DATA_ENTRY.value],
]


def _institution(organisation: Organisation, district: str, rng: random.Random) -> str:
    k = rng.randint(1, 3)
    return {
        Organisation.NSS: f"NSS unit {k}, Government College {district}",
        Organisation.NCC: f"NCC {k} MP Battalion, {district}",
        Organisation.COLLEGE: f"Government Polytechnic {district}"
        if k == 1
        else f"Girls' College {district}",
        Organisation.GOVERNMENT: f"Janpad Panchayat office {district}",
        Organisation.PANCHAYAT: f"Gram Panchayat {district} {rng.randint(1, 400)}",
        Organisation.OTHER: "",
    }[organisation]


class _Builder:
    """Rows to insert, with the campaign's clock: the day, the local time, the stored moments."""

    def __init__(self, today: date, zone: ZoneInfo, now: datetime):
        self.today, self.zone, self.now = today, zone, now  # now: naive UTC
        self.local_now = now.replace(tzinfo=UTC).astimezone(zone)
        self.assignments: list[dict] = []
        self.days: list[tuple[int, dict]] = []  # (index into assignments, VisitDay row without its id)

    def stored(self, day: date, at: time, minutes: int = 0) -> datetime:
        local = datetime.combine(day, at, self.zone) + timedelta(minutes=minutes)
        return local.astimezone(UTC).replace(tzinfo=None)

    def assign(
        self, volunteer: dict, part, status: OfferStatus, first: date, last: date, hours, rng, offered_at
    ):
        expires = offered_at + timedelta(hours=24)
        answered = {
            OfferStatus.ACCEPTED: offered_at + timedelta(hours=rng.randint(1, 6)),
            OfferStatus.DECLINED: offered_at + timedelta(hours=rng.randint(1, 10)),
            OfferStatus.EXPIRED: expires,
        }.get(status)
        self.assignments.append(
            dict(
                volunteer_id=volunteer["id"],
                volunteer_user_id=volunteer["user_id"],
                part_id=part.id,
                constituency_id=part.constituency_id,
                district_id=part.district_id,
                blo_id=part.blo_id,
                starts_on=first,
                ends_on=last,
                start_time=hours[0],
                end_time=hours[1],
                tasks=rng.choice(TASK_SETS),
                status=status,
                offered_by_id=volunteer["offered_by"],
                offered_at=offered_at,
                expires_at=expires,
                answered_at=answered,
                decline_reason=rng.choice(DECLINE_REASONS) if status == OfferStatus.DECLINED else "",
                note="",
                version=1,
            )
        )
        return len(self.assignments) - 1

    def visit(self, index: int, day: date, attendance: Attendance | None, rng, blo_id, today_too=True):
        """A day at the booth: checked in a little after the start, out a little before the end
        (today only as far as the clock has gone), the BLO's word on past days."""
        row = self.assignments[index]
        start, end = row["start_time"], row["end_time"]
        base = dict(
            volunteer_id=row["volunteer_id"],
            volunteer_user_id=row["volunteer_user_id"],
            part_id=row["part_id"],
            constituency_id=row["constituency_id"],
            district_id=row["district_id"],
            day=day,
            forms_helped=0,
            electors_helped=0,
            notes="",
        )
        if attendance == Attendance.NO_SHOW:
            base.update(attendance=attendance, attendance_by_id=blo_id, attendance_at=self.stored(day, end))
            self.days.append((index, base))
            return
        check_in = self.stored(day, start, rng.randint(0, 20))
        check_out = self.stored(day, end, -rng.randint(0, 30))
        if check_in > self.now:
            return  # not come yet today
        base.update(check_in_at=check_in, check_in_distance_m=rng.randint(5, 400))
        if check_out <= self.now:
            base.update(
                check_out_at=check_out,
                check_out_distance_m=rng.randint(5, 400),
                minutes=int((check_out - check_in).total_seconds() // 60),
                forms_helped=rng.randint(5, 60),
                electors_helped=rng.randint(10, 120),
            )
            if attendance is not None:
                base.update(attendance=attendance, attendance_by_id=blo_id, attendance_at=check_out)
        self.days.append((index, base))


def seed_volunteers(
    districts: list[tuple[int, str]],
    password_hash: str,
    today: date,
    zone: ZoneInfo,
    now: datetime,
    campaign_dates: tuple[date, date],
    log: Callable = print,
) -> int:
    """Profiles (and accounts beyond the base 20) for every seeded district; returns the profiles made.

    `districts`: (district id, login slug) in the reference list's order; `now` is naive UTC.
    """
    if not districts:
        return 0
    district_ids = [d for d, _ in districts]
    parts_of: dict[int, list] = {d: [] for d in district_ids}
    for part in db.session.execute(
        select(
            Part.id, Part.district_id, Part.constituency_id, Part.lat, Part.lon, Part.blo_id, Part.electors
        )
        .join(Constituency, Constituency.id == Part.constituency_id)
        .where(Part.district_id.in_(district_ids))
        .order_by(Constituency.number, Part.number)
    ):
        parts_of[part.district_id].append(part)
    collectors = dict(
        db.session.execute(
            select(User.district_id, User.id).where(
                User.role == Role.COLLECTOR, User.district_id.in_(district_ids)
            )
        ).all()
    )
    district_names = dict(
        db.session.execute(
            select(Constituency.district_id, Constituency.name_en).order_by(Constituency.number)
        ).all()
    )
    accounts = {
        login: (user_id, mobile)
        for login, user_id, mobile in db.session.execute(
            select(User.login, User.id, User.mobile).where(User.role == Role.VOLUNTEER)
        )
    }
    profiled = set(db.session.scalars(select(Volunteer.user_id)))
    profile_mobiles = set(db.session.scalars(select(Volunteer.mobile)))
    used_mobiles = profile_mobiles | {m for _, m in accounts.values()}  # no new number repeats one

    # 1. Accounts beyond the base seed's, for districts with more parts than 20.
    new_users, wanted = [], {}
    for index, (district_id, slug) in enumerate(districts):
        count = max(MINIMUM_PER_DISTRICT, len(parts_of[district_id]))
        wanted[district_id] = count
        rng = random.Random(f"volunteer-accounts-{slug}")
        for n in range(MINIMUM_PER_DISTRICT + 1, count + 1):
            login = f"vol.{slug}.{n}"
            if login in accounts:
                continue
            mobile = _free_mobile(index, n, used_mobiles)
            new_users.append(
                dict(
                    login=login,
                    name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    mobile=mobile,
                    password_hash=password_hash,
                    role=Role.VOLUNTEER,
                    locale="hi",
                    active=True,
                    district_id=district_id,
                )
            )
    _insert(User, new_users)
    if new_users:
        accounts = {
            login: (user_id, mobile)
            for login, user_id, mobile in db.session.execute(
                select(User.login, User.id, User.mobile).where(User.role == Role.VOLUNTEER)
            )
        }
    names = dict(db.session.execute(select(User.id, User.name).where(User.role == Role.VOLUNTEER)).all())

    # 2. Profiles for accounts without one.
    first_day, last_day = campaign_dates
    profiles, plans = [], []  # plans: (district id, n, home part, rng)
    pending_users = []
    for index, (district_id, slug) in enumerate(districts):
        parts = parts_of[district_id]
        if not parts:
            continue
        district_name = district_names.get(district_id, slug).rsplit("-", 1)[0]
        rng = random.Random(f"volunteer-profiles-{slug}")  # one a district: 65,000 seedings take seconds
        for n in range(1, wanted[district_id] + 1):
            account = accounts.get(f"vol.{slug}.{n}")
            if account is None or account[0] in profiled:
                continue
            user_id, mobile = account
            if not mobile or mobile in profile_mobiles:  # the base seed draws its numbers at random
                mobile = _free_mobile(index, n, used_mobiles)
            profile_mobiles.add(mobile)
            home = parts[(n - 1) % len(parts)]
            organisation = rng.choices([o for o, _ in ORGANISATIONS], [w for _, w in ORGANISATIONS])[0]
            # Two accounts a district wait for approval (the last two of the base 20), and a few of the rest.
            pending = n in (MINIMUM_PER_DISTRICT - 1, MINIMUM_PER_DISTRICT) or (
                n > 20 and rng.random() < 0.03
            )
            if pending:
                pending_users.append(user_id)
            lat = (home.lat or 23.0) + rng.gauss(0, 0.03)
            lon = (home.lon or 77.0) + rng.gauss(0, 0.03)
            profiles.append(
                dict(
                    user_id=user_id,
                    district_id=district_id,
                    name=names[user_id],
                    mobile=mobile,
                    organisation=organisation,
                    institution=_institution(organisation, district_name, rng),
                    languages=["hi", "en"] if rng.random() < 0.4 else ["hi"],
                    address="",
                    lat=round(lat, 5),
                    lon=round(lon, 5),
                    geocode_status="off",
                    status=VolunteerStatus.PENDING if pending else VolunteerStatus.APPROVED,
                    approved_at=None if pending else now - timedelta(days=rng.randint(5, 30)),
                    approved_by_id=None if pending else collectors.get(district_id),
                    registered_at=now - timedelta(days=rng.randint(30, 40)),
                    version=1,
                )
            )
            plans.append((district_id, n, home, rng, not pending))
    _insert(Volunteer, profiles)
    if pending_users:
        for start in range(0, len(pending_users), CHUNK):
            db.session.execute(
                update(User)
                .where(User.id.in_(pending_users[start : start + CHUNK]))
                .values(active=False)
                .execution_options(synchronize_session=False)
            )
    if not profiles:
        return 0
    made_for = {p["user_id"] for p in profiles}
    volunteer_ids = {
        user_id: volunteer_id
        for volunteer_id, user_id in db.session.execute(select(Volunteer.id, Volunteer.user_id))
        if user_id in made_for
    }

    # 3. Availability through the campaign; 4. offers and days for the new profiles only.
    windows = []
    builder = _Builder(today, zone, now)
    lagging = _lagging_parts(parts_of, today)
    for (district_id, n, home, rng, approved), profile in zip(plans, profiles, strict=True):
        hours = HOURS[rng.randrange(len(HOURS))]
        windows.append(
            dict(
                volunteer_id=volunteer_ids[profile["user_id"]],
                district_id=district_id,
                user_id=profile["user_id"],
                starts_on=first_day,
                ends_on=last_day,
                start_time=time(8) if hours[0] < time(12) else time(13),
                end_time=time(18),
            )
        )
        if not approved or collectors.get(district_id) is None:
            continue
        volunteer = {
            "id": volunteer_ids[profile["user_id"]],
            "user_id": profile["user_id"],
            "offered_by": collectors[district_id],
        }
        if n <= FIXED:
            _fixed_part(builder, n, volunteer, parts_of[district_id], rng)
        else:
            part = lagging[district_id].take(home.constituency_id)
            if part is not None:
                _lagging_offer(builder, volunteer, part, hours, rng)
    _insert(AvailabilityWindow, windows)
    _insert(Assignment, builder.assignments)
    if builder.days:
        new_volunteers = {row["volunteer_id"] for row in builder.assignments}
        assignment_ids = {
            (volunteer_id, part_id, starts_on): assignment_id
            for assignment_id, volunteer_id, part_id, starts_on in db.session.execute(
                select(
                    Assignment.id, Assignment.volunteer_id, Assignment.part_id, Assignment.starts_on
                ).where(Assignment.status == OfferStatus.ACCEPTED)
            )
            if volunteer_id in new_volunteers
        }
        days = []
        for index, row in builder.days:
            made = builder.assignments[index]
            row["assignment_id"] = assignment_ids[(made["volunteer_id"], made["part_id"], made["starts_on"])]
            days.append(row)
        columns = {column.name for column in VisitDay.__table__.columns} - {"id"}
        days = [{name: row.get(name) for name in columns} | {"check_in_outside_hours": False} for row in days]
        _insert(VisitDay, days)
    log(
        f"seeded volunteers: {len(new_users)} accounts, {len(profiles)} profiles, "
        f"{len(builder.assignments)} offers, {len(builder.days)} days"
    )
    return len(profiles)


def _insert(model, rows: list[dict]) -> None:
    """Core executemany, a chunk at a time: every row has the same keys."""
    connection = db.session.connection()
    for start in range(0, len(rows), CHUNK):
        connection.execute(model.__table__.insert(), rows[start : start + CHUNK])


def _free_mobile(district_index: int, n: int, used: set[str]) -> str:
    """A mobile number no one else has: 9, the district's place in the list, the volunteer's number."""
    for lead in "9876":
        mobile = f"{lead}{district_index:02d}{n:07d}"
        if mobile not in used:
            used.add(mobile)
            return mobile
    raise RuntimeError("no free demo mobile number")


def _fixed_part(builder: _Builder, n: int, volunteer: dict, parts: list, rng: random.Random) -> None:
    """The first six volunteers of a district, at its first parts: one in every state of an offer."""
    today, now = builder.today, builder.now
    part = parts[(n - 1) % len(parts)]
    day = timedelta(days=1)
    if n == 1:  # at part 1 from two days ago: two days done, on now once the day has begun
        index = builder.assign(
            volunteer,
            part,
            OfferStatus.ACCEPTED,
            today - 2 * day,
            today + 2 * day,
            HOURS[0],
            rng,
            now - 3 * day,
        )
        builder.visit(index, today - 2 * day, Attendance.CONFIRMED, rng, part.blo_id)
        builder.visit(index, today - day, Attendance.CONFIRMED, rng, part.blo_id)
        builder.visit(index, today, None, rng, part.blo_id)
    elif n == 2:  # starts today, 10:00 to 14:00
        index = builder.assign(
            volunteer, part, OfferStatus.ACCEPTED, today, today + 2 * day, HOURS[2], rng, now - day
        )
        builder.visit(index, today, None, rng, part.blo_id)
    elif n == 3:  # offered this morning, not yet answered
        builder.assign(
            volunteer,
            part,
            OfferStatus.OFFERED,
            today + day,
            today + 3 * day,
            HOURS[1],
            rng,
            now - timedelta(hours=4),
        )
    elif n == 4:
        builder.assign(
            volunteer, part, OfferStatus.DECLINED, today + day, today + 2 * day, HOURS[0], rng, now - day
        )
    elif n == 5:
        builder.assign(
            volunteer, part, OfferStatus.EXPIRED, today - day, today + day, HOURS[3], rng, now - 3 * day
        )
    elif n == 6:  # a week ago: two days came, one no-show
        index = builder.assign(
            volunteer, part, OfferStatus.ACCEPTED, today - 10 * day, today - 8 * day, (time(9), time(15)),
            rng, now - 12 * day,
        )  # fmt: skip
        builder.visit(index, today - 10 * day, Attendance.CONFIRMED, rng, part.blo_id)
        builder.visit(index, today - 9 * day, Attendance.CONFIRMED, rng, part.blo_id)
        builder.visit(index, today - 8 * day, Attendance.NO_SHOW, rng, part.blo_id)


def _lagging_offer(builder: _Builder, volunteer: dict, part, hours, rng: random.Random) -> None:
    """An offer at a lagging part: mostly accepted and under way, some waiting, declined, expired or done."""
    today, now, day = builder.today, builder.now, timedelta(days=1)
    draw = rng.random()
    if draw < 0.55:
        first = today - rng.randint(0, 3) * day
        index = builder.assign(
            volunteer, part, OfferStatus.ACCEPTED, first, today + rng.randint(1, 4) * day, hours, rng,
            builder.stored(first, time(8)) - timedelta(hours=rng.randint(10, 30)),
        )  # fmt: skip
        visit_day = first
        while visit_day <= today:
            came = rng.random()
            if visit_day == today:
                builder.visit(index, visit_day, None, rng, part.blo_id)
            elif came < 0.04:
                builder.visit(index, visit_day, Attendance.NO_SHOW, rng, part.blo_id)
            else:
                builder.visit(
                    index, visit_day, Attendance.CONFIRMED if came < 0.9 else None, rng, part.blo_id
                )
            visit_day += day
    elif draw < 0.7:
        builder.assign(
            volunteer, part, OfferStatus.OFFERED, today + day, today + 3 * day, hours, rng,
            now - timedelta(hours=rng.randint(1, 20)),
        )  # fmt: skip
    elif draw < 0.8:
        builder.assign(
            volunteer, part, OfferStatus.DECLINED, today + day, today + 2 * day, hours, rng, now - day
        )
    elif draw < 0.9:
        builder.assign(
            volunteer,
            part,
            OfferStatus.EXPIRED,
            today - day,
            today + day,
            hours,
            rng,
            now - rng.randint(2, 4) * day,
        )
    else:
        first = today - rng.randint(8, 14) * day
        index = builder.assign(
            volunteer, part, OfferStatus.ACCEPTED, first, first + 2 * day, hours, rng, now - 16 * day
        )
        for k in range(3):
            builder.visit(index, first + k * day, Attendance.CONFIRMED, rng, part.blo_id)


class _Lagging:
    """A district's lagging parts, worst first, each taking one to three volunteers; a volunteer
    goes to a lagging part of their own AC while one is left, else of the district."""

    def __init__(self, parts: list, pct: dict[int, float]):
        count = max(1, int(len(parts) * LAGGING_SHARE)) if parts else 0
        worst = sorted(parts, key=lambda p: (pct.get(p.id, -1.0), p.id))[:count]
        self.places: dict[int, list] = {}
        for part in worst:
            room = 1 + part.id % 3
            self.places.setdefault(part.constituency_id, []).extend([part] * room)
        for places in self.places.values():
            places.reverse()  # pop() takes the worst first

    def take(self, constituency_id: int):
        places = self.places.get(constituency_id)
        if places:
            return places.pop()
        for places in self.places.values():
            if places:
                return places.pop()
        return None


def _lagging_parts(parts_of: dict[int, list], today: date) -> dict[int, _Lagging]:
    """Each district's lagging parts by yesterday's digitized % (a silent part first): one query."""
    yesterday = today - timedelta(days=1)
    digitized = dict(
        db.session.execute(
            select(DailyReport.part_id, DailyReport.digitized).where(DailyReport.report_date == yesterday)
        ).all()
    )
    pct = {}
    for parts in parts_of.values():
        for part in parts:
            if part.id in digitized and part.electors:
                pct[part.id] = digitized[part.id] / part.electors
    # The first parts of a district are the fixed ones' (see _fixed_part): they have their volunteers.
    return {district_id: _Lagging(parts[FIXED:], pct) for district_id, parts in parts_of.items()}
