"""Synthetic Madhya Pradesh demo data, deterministic and safe to re-run: the places, the accounts
and the campaign, then each feature's demo (history, difficulties, volunteers, inspections).

Districts come from the public reference list; everything below them is synthetic.
Rows are generated from fixed seeds and inserted in bulk, skipping natural keys that
already exist, so running any scale twice (or a larger scale after a smaller one)
never duplicates anything.
"""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, insert, select

from app import passwords, timeutil
from app.demo.difficulties import seed_difficulties
from app.demo.history import demo_campaign_dates, seed_history
from app.demo.inspections import seed_inspections
from app.demo.volunteers import seed_volunteers
from app.extensions import db
from app.figures.rollups import refresh_constituency_totals
from app.models import Campaign, Constituency, District, Part, Role, User

DATA = Path(__file__).resolve().parent.parent / "data" / "mp_districts.csv"
DEMO_PASSWORD = "sir-demo-2025"
STATE_PARTS = 65_014
STATE_CONSTITUENCIES = 230
PARTS_PER_SUPERVISOR = 10
VOLUNTEERS_PER_DISTRICT = 20

BUILDINGS = [
    ("Government Primary School", "शासकीय प्राथमिक शाला"),
    ("Government Middle School", "शासकीय माध्यमिक शाला"),
    ("Government Higher Secondary School", "शासकीय उच्चतर माध्यमिक विद्यालय"),
    ("Anganwadi Centre", "आंगनवाड़ी केंद्र"),
    ("Panchayat Bhawan", "पंचायत भवन"),
    ("Community Hall", "सामुदायिक भवन"),
]
FIRST_NAMES = [
    ("Ramesh", "रमेश"),
    ("Sunita", "सुनीता"),
    ("Mahesh", "महेश"),
    ("Kavita", "कविता"),
    ("Rajesh", "राजेश"),
    ("Anita", "अनीता"),
    ("Suresh", "सुरेश"),
    ("Pooja", "पूजा"),
    ("Dinesh", "दिनेश"),
    ("Rekha", "रेखा"),
    ("Manoj", "मनोज"),
    ("Seema", "सीमा"),
]
LAST_NAMES = ["Sharma", "Verma", "Yadav", "Patel", "Singh", "Chouhan", "Ahirwar", "Mishra", "Rajput", "Meena"]


@dataclass(frozen=True)
class Scale:
    districts: int | None  # None = all
    constituencies_per_district: int | None  # None = the state plan's share
    parts_per_constituency: int | None  # None = the state plan's count


SCALES = {
    "tiny": Scale(districts=2, constituencies_per_district=2, parts_per_constituency=6),
    "district": Scale(districts=1, constituencies_per_district=None, parts_per_constituency=None),
    "state": Scale(districts=None, constituencies_per_district=None, parts_per_constituency=None),
}


def read_districts() -> list[dict]:
    with DATA.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def slug(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def state_plan(rows: list[dict]) -> list[list[int]]:
    """Part counts per AC per district: 230 ACs, 65,014 parts, fixed by seed."""
    rng = random.Random(2025)
    weights = [rng.uniform(0.7, 1.6) for _ in rows]
    # every district gets at least 2 ACs; the rest by weight
    acs = [2] * len(rows)
    spare = STATE_CONSTITUENCIES - sum(acs)
    shares = [w / sum(weights) * spare for w in weights]
    for i, share in enumerate(shares):
        acs[i] += int(share)
    order = sorted(range(len(rows)), key=lambda i: shares[i] - int(shares[i]), reverse=True)
    for i in order[: STATE_CONSTITUENCIES - sum(acs)]:
        acs[i] += 1
    counts = [rng.randint(230, 335) for _ in range(STATE_CONSTITUENCIES)]
    factor = STATE_PARTS / sum(counts)
    counts = [max(150, int(c * factor)) for c in counts]
    counts[-1] += STATE_PARTS - sum(counts)
    plan, k = [], 0
    for n in acs:
        plan.append(counts[k : k + n])
        k += n
    return plan


def demo_password_hash() -> str:
    """One hash shared by every demo account: hashing 73,000 passwords would take hours."""
    return passwords.cached_hash(DEMO_PASSWORD)


def _name(rng: random.Random) -> tuple[str, str]:
    first, first_hi = rng.choice(FIRST_NAMES)
    last = rng.choice(LAST_NAMES)
    return f"{first} {last}", first_hi


def _mobile(rng: random.Random) -> str:
    return str(rng.choice("6789")) + "".join(str(rng.randint(0, 9)) for _ in range(9))


# SQLite's page cache while seeding, in KiB: the indexes the history writes (70 MB for the state's
# 2.8 million reports) stay in memory instead of being read back from the journal (2 MB by default).
SEED_CACHE_KIB = 256 * 1024


@contextmanager
def seeding_connection() -> Iterator[None]:
    """SQLite only, for this connection while seeding: a page cache of SEED_CACHE_KIB, and no
    foreign-key lookup per row written (every id the demo writes was just read from its table;
    SQLite ignores the switch inside a transaction already begun, so a seed into an open
    transaction keeps its checks). Both as before afterwards."""
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    cache = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    keys = connection.exec_driver_sql("PRAGMA foreign_keys").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size=-{SEED_CACHE_KIB}")
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    yield
    connection = db.session.connection()
    connection.exec_driver_sql(f"PRAGMA cache_size={int(cache)}")
    connection.exec_driver_sql(f"PRAGMA foreign_keys={'ON' if keys else 'OFF'}")


def seed_demo(
    scale_name: str,
    log=print,
    with_history: bool = True,
    with_volunteers: bool = True,
    with_inspections: bool = True,
) -> dict[str, str]:
    """Seed one scale (with 45 days of reports unless told not to); returns one login per role."""
    with seeding_connection():
        return _seed_demo(scale_name, log, with_history, with_volunteers, with_inspections)


def _seed_demo(
    scale_name: str,
    log=print,
    with_history: bool = True,
    with_volunteers: bool = True,
    with_inspections: bool = True,
) -> dict[str, str]:
    scale = SCALES[scale_name]
    rows = read_districts()
    plan = state_plan(rows)
    password_hash = demo_password_hash()

    chosen = range(len(rows)) if scale.districts is None else range(scale.districts)

    existing_districts = {d.name_en: d.id for d in db.session.scalars(select(District))}
    new = [
        dict(
            name_en=r["name_en"],
            name_hi=r["name_hi"],
            division_en=r["division_en"],
            division_hi=r["division_hi"],
            hq_lat=float(r["hq_lat"]),
            hq_lon=float(r["hq_lon"]),
            aliases=r["aliases"] or "",
        )
        for i, r in enumerate(rows)
        if i in chosen and r["name_en"] not in existing_districts
    ]
    if new:
        db.session.execute(insert(District), new)
    district_ids = {d.name_en: d.id for d in db.session.scalars(select(District))}

    existing_users = set(db.session.scalars(select(User.login)))
    users: list[dict] = []

    def add_user(login: str, name: str, role: Role, mobile: str, **links) -> None:
        if login in existing_users:
            return
        existing_users.add(login)
        users.append(
            dict(
                login=login,
                name=name,
                role=role,
                mobile=mobile,
                password_hash=password_hash,
                locale="hi",
                active=True,
                district_id=links.get("district_id"),
                constituency_id=links.get("constituency_id"),
            )
        )

    rng = random.Random(7)
    add_user("state", "State Election Office (demo)", Role.STATE, _mobile(rng))
    add_user("admin", "Account administrator (demo)", Role.ADMIN, _mobile(rng))

    # Constituencies: numbered across the whole state plan, so numbers never change.
    existing_acs = {c.number: c.id for c in db.session.scalars(select(Constituency))}
    ac_rows, number = [], 0
    wanted_acs: list[tuple[int, int, int, dict]] = []  # (district index, AC number, parts, row)
    for i, r in enumerate(rows):
        for k, parts in enumerate(plan[i]):
            number += 1
            if i not in chosen:
                continue
            if scale.constituencies_per_district is not None and k >= scale.constituencies_per_district:
                continue
            wanted_acs.append((i, number, parts, r))
            if number not in existing_acs:
                ac_rows.append(
                    dict(
                        number=number,
                        district_id=district_ids[r["name_en"]],
                        name_en=f"{r['name_en']}-{k + 1}",
                        name_hi=f"{r['name_hi']}-{k + 1}",
                    )
                )
    if ac_rows:
        db.session.execute(insert(Constituency), ac_rows)
    ac_ids = {c.number: c.id for c in db.session.scalars(select(Constituency))}

    for i, r in enumerate(rows):
        if i not in chosen:
            continue
        d_rng = random.Random(f"district-{r['name_en']}")
        d_slug = slug(r["name_en"])
        name, _ = _name(d_rng)
        add_user(
            f"collector.{d_slug}",
            f"{name} (Collector {r['name_en']})",
            Role.COLLECTOR,
            _mobile(d_rng),
            district_id=district_ids[r["name_en"]],
        )
        for v in range(1, VOLUNTEERS_PER_DISTRICT + 1):
            add_user(
                f"vol.{d_slug}.{v}",
                _name(d_rng)[0],
                Role.VOLUNTEER,
                _mobile(d_rng),
                district_id=district_ids[r["name_en"]],
            )

    part_plan: list[tuple[int, int, int, dict]] = []  # (AC number, part number, district index, row)
    for i, ac_number, parts, r in wanted_acs:
        a_rng = random.Random(f"ac-{ac_number}")
        add_user(
            f"ero.{ac_number}",
            _name(a_rng)[0] + f" (ERO {ac_number})",
            Role.ERO,
            _mobile(a_rng),
            constituency_id=ac_ids[ac_number],
        )
        count = parts if scale.parts_per_constituency is None else min(parts, scale.parts_per_constituency)
        for s in range(1, math.ceil(count / PARTS_PER_SUPERVISOR) + 1):
            add_user(f"sup.{ac_number}.{s}", _name(a_rng)[0], Role.SUPERVISOR, _mobile(a_rng))
        for p in range(1, count + 1):
            add_user(f"blo.{ac_number}.{p}", _name(a_rng)[0], Role.BLO, _mobile(a_rng))
            part_plan.append((ac_number, p, i, r))

    if users:
        db.session.execute(insert(User), users)
    user_ids = dict(db.session.execute(select(User.login, User.id)).all())

    existing_parts = set(
        db.session.execute(
            select(Constituency.number, Part.number).join(
                Constituency, Part.constituency_id == Constituency.id
            )
        ).all()
    )
    part_rows = []
    for ac_number, p, _, r in part_plan:
        if (ac_number, p) in existing_parts:
            continue
        p_rng = random.Random(ac_number * 10_000 + p)
        centre = random.Random(f"ac-centre-{ac_number}")
        ac_lat = float(r["hq_lat"]) + centre.gauss(0, 0.18)
        ac_lon = float(r["hq_lon"]) + centre.gauss(0, 0.18)
        building_en, building_hi = p_rng.choice(BUILDINGS)
        village = p_rng.randint(1, 400)
        part_rows.append(
            dict(
                constituency_id=ac_ids[ac_number],
                district_id=district_ids[r["name_en"]],
                number=p,
                name_en=f"{building_en} {r['name_en']} {village}",
                name_hi=f"{building_hi} {r['name_hi']} {village}",
                building=f"{building_en}, ward {p_rng.randint(1, 30)}",
                lat=round(ac_lat + p_rng.gauss(0, 0.06), 5),
                lon=round(ac_lon + p_rng.gauss(0, 0.06), 5),
                electors=int(p_rng.triangular(450, 1200, 1000)),
                blo_id=user_ids[f"blo.{ac_number}.{p}"],
                supervisor_id=user_ids[f"sup.{ac_number}.{(p - 1) // PARTS_PER_SUPERVISOR + 1}"],
            )
        )
    for start in range(0, len(part_rows), 10_000):
        db.session.execute(insert(Part), part_rows[start : start + 10_000])
    if part_rows:
        refresh_constituency_totals({row["constituency_id"] for row in part_rows})

    zone = ZoneInfo(current_app.config["CAMPAIGN_TIMEZONE"])
    now = timeutil.now().astimezone(zone)
    if db.session.scalar(select(func.count(Campaign.id))) == 0:
        start, end = demo_campaign_dates(now.date())
        db.session.add(
            Campaign(
                name="SIR 2025-26, Madhya Pradesh (demo)",
                enumeration_start=start,
                enumeration_end=end,
                daily_target_percent=Decimal("10"),
                timezone=zone.key,
                report_cutoff_hour=12,
            )
        )
    stored_now = now.astimezone(UTC).replace(tzinfo=None)
    if with_history:
        seed_history(now.date(), zone, stored_now, log=log)
    db.session.flush()
    seed_difficulties(scale_name, stored_now, log=log)
    campaign = db.session.scalar(select(Campaign).order_by(Campaign.id))
    if with_volunteers:
        seed_volunteers(
            [(district_ids[r["name_en"]], slug(r["name_en"])) for i, r in enumerate(rows) if i in chosen],
            password_hash,
            now.date(),
            zone,
            stored_now,
            (campaign.enumeration_start, campaign.enumeration_end),
            log=log,
        )
    if with_inspections and with_history:
        seed_inspections(scale_name, now.date(), stored_now, log=log)
    db.session.commit()
    log(f"seeded: {len(new)} districts, {len(ac_rows)} ACs, {len(part_rows)} parts, {len(users)} accounts")

    return demo_logins()


def demo_logins() -> dict[str, str]:
    """The first account of each role: the one to show on the sign-in hint."""
    first_ids = select(func.min(User.id)).group_by(User.role)
    found = dict(db.session.execute(select(User.role, User.login).where(User.id.in_(first_ids))).all())
    return {role.value: found[role] for role in Role if role in found}
