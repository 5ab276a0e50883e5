"""Demo inspections. At tiny scale two, through the app's own services: the Bhopal collector's of
yesterday in AC 2, finished, one visit finding the digitized figure short (so part 2-4 is flagged and
its ERO holds an inspection difficulty) and one that agrees; and ERO 2's planned for tomorrow.

At district and state scale, realistic ones in bulk (Core executemany): each district's collector
and its first two EROs inspect about twice a week from the campaign's start to yesterday, 5 to 8
neighbouring parts each in the shortest order from the headquarters, each stop visited (a few
skipped) with the figures counted near those reported; about 5 % disagree, and those parts are
flagged with an inspection difficulty opened through the difficulties' service. Re-running adds
nothing when the district already has inspections.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
from flask import current_app
from flask_babel import force_locale
from sqlalchemy import func, select

from app.campaign.clock import campaign_zone
from app.difficulties import services as difficulty_services
from app.difficulties.models import Category, Source
from app.extensions import db
from app.figures.models import DailyReport
from app.geo import geodesic_km, haversine_km
from app.inspections import rules, services
from app.inspections.models import (
    Inspection,
    InspectionStatus,
    PartFlag,
    Stop,
    StopStatus,
)
from app.models import Campaign, Constituency, District, Part, Role, User

SEED = 20251110
DISCREPANCY_SHARE = 0.05
SKIP_SHARE = 0.03
EROS_PER_DISTRICT = 2
CHUNK = 2000


def seed_inspections(scale: str, today: date, now: datetime, log=print) -> int:
    """Seed the scale's inspections (nothing again on a re-run); returns how many were added. The
    findings' notes are written in English, as a request in English would (the seed has none)."""
    with current_app.test_request_context(), force_locale("en"):
        added = _seed_tiny(today, now) if scale == "tiny" else _seed_bulk(today, now)
    log(f"seeded: {added} inspections")
    return added


def _user(login: str) -> User | None:
    return db.session.scalar(select(User).where(User.login == login))


def _part(ac_number: int, number: int) -> Part | None:
    return db.session.scalar(
        select(Part)
        .join(Constituency, Constituency.id == Part.constituency_id)
        .where(Constituency.number == ac_number, Part.number == number)
    )


def _stored(day: date, hour: int, minute: int = 0) -> datetime:
    local = datetime.combine(day, time(hour, minute), tzinfo=campaign_zone())
    return local.astimezone(UTC).replace(tzinfo=None)


# -- tiny: through the services ---------------------------------------------------------------------


def _seed_tiny(today: date, now: datetime) -> int:
    collector, ero = _user("collector.bhopal"), _user("ero.2")
    district = db.session.scalar(select(District).where(District.name_en == "Bhopal"))
    parts = [_part(2, n) for n in (4, 5, 3, 6)]
    if collector is None or ero is None or district is None or None in parts:
        return 0
    if db.session.scalar(select(func.count(Inspection.id)).where(Inspection.district_id == district.id)):
        return 0
    campaign = db.session.scalar(select(Campaign).order_by(Campaign.id))
    condition = Part.district_id == district.id
    yesterday = today - timedelta(days=1)
    done = services.plan_inspection(
        collector,
        district,
        services.PlanInput(day=yesterday, inspector_id=collector.id, part_ids=(parts[0].id, parts[1].id)),
        condition,
        yesterday,
    )
    settings = services.settings_for(district.id)
    for n, stop in enumerate(done.stops):
        report = services.reported_as_of(stop.part_id, yesterday)
        reported = report.figures() if report else {}
        short = stop.part_id == parts[0].id
        verified = {
            name: (round(reported[name] * 0.85) if short and name == "digitized" else reported.get(name))
            for name in rules.FIGURES
        }
        services.record_visit(
            collector,
            stop,
            services.VisitInput(
                latitude=stop.part.lat,
                longitude=stop.part.lon,
                accuracy_m=12,
                blo_present=True,
                id_card_shown=True,
                forms_in_stock=not short,
                network="weak" if short else "good",
                mapping="under_way",
                verified=verified,
                households_sampled=10,
                households_confirmed=9,
                notes="Forms counted with the BLO" if not short else "Fewer digitized forms than reported",
            ),
            settings,
            campaign.id if campaign else None,
            None,
            yesterday,
            now=_stored(yesterday, 11 + n),
        )
    services.finish(collector, done, None, now=_stored(yesterday, 15))
    services.plan_inspection(
        collector,
        district,
        services.PlanInput(
            day=today + timedelta(days=1), inspector_id=ero.id, part_ids=(parts[2].id, parts[3].id)
        ),
        condition,
        today,
    )
    db.session.flush()
    difficulty_services.escalate(now)
    return 2


# -- district and state: in bulk ----------------------------------------------------------------------


def _insert(model, rows: list[dict]) -> None:
    connection = db.session.connection()
    for start in range(0, len(rows), CHUNK):
        connection.execute(model.__table__.insert(), rows[start : start + CHUNK])


def _reports(part_ids: list[int]) -> dict[int, tuple[list[date], list[tuple]]]:
    """Each part's reports (days and the three forms figures), oldest first, a chunk at a time."""
    found: dict[int, tuple[list, list]] = defaultdict(lambda: ([], []))
    for start in range(0, len(part_ids), 500):
        rows = db.session.execute(
            select(
                DailyReport.part_id,
                DailyReport.report_date,
                DailyReport.distributed,
                DailyReport.collected,
                DailyReport.digitized,
            )
            .where(DailyReport.part_id.in_(part_ids[start : start + 500]))
            .order_by(DailyReport.part_id, DailyReport.report_date)
        )
        for part_id, day, *figures in rows:
            days, values = found[part_id]
            days.append(day)
            values.append(tuple(figures))
    return found


def _seed_bulk(today: date, now: datetime) -> int:
    campaign = db.session.scalar(select(Campaign).order_by(Campaign.id))
    if campaign is None:
        return 0
    seeded = set(db.session.scalars(select(Inspection.district_id).distinct()))
    districts = [d for d in db.session.scalars(select(District).order_by(District.id)) if d.id not in seeded]
    if not districts:
        return 0
    rng = random.Random(SEED)
    first_day = campaign.enumeration_start
    last_day = min(today - timedelta(days=1), campaign.enumeration_end)
    if last_day < first_day:
        return 0
    checklist = services.checklist(campaign.id, create=True)
    officers = defaultdict(list)
    for user_id, role, district_id, constituency_id in db.session.execute(
        select(User.id, User.role, User.district_id, User.constituency_id)
        .where(User.active.is_(True), User.role.in_([Role.COLLECTOR, Role.ERO]))
        .order_by(User.id)
    ):
        officers[(role, district_id or constituency_id)].append(user_id)
    parts = db.session.execute(
        select(Part.id, Part.constituency_id, Part.district_id, Part.lat, Part.lon)
        .where(Part.lat.is_not(None), Part.district_id.in_([d.id for d in districts]))
        .order_by(Part.id)
    ).all()
    by_district = defaultdict(list)
    for row in parts:
        by_district[row.district_id].append(row)
    inspection_id = (db.session.scalar(select(func.max(Inspection.id))) or 0) + 1
    stop_id = (db.session.scalar(select(func.max(Stop.id))) or 0) + 1
    inspections, stops = [], []
    threshold = services.Settings()
    for district in districts:
        located = by_district.get(district.id, [])
        if len(located) < 8:
            continue
        lats = np.array([p.lat for p in located])
        lons = np.array([p.lon for p in located])
        acs = sorted({p.constituency_id for p in located})
        inspectors = [(uid, None) for uid in officers[(Role.COLLECTOR, district.id)][:1]]
        for ac in acs[:EROS_PER_DISTRICT]:
            inspectors += [(uid, ac) for uid in officers[(Role.ERO, ac)][:1]]
        collector = inspectors[0][0] if inspectors and inspectors[0][1] is None else None
        start = (district.hq_lat, district.hq_lon)
        for n, (inspector, ac) in enumerate(inspectors):
            pool = [i for i, p in enumerate(located) if ac is None or p.constituency_id == ac]
            if len(pool) < 8:
                continue
            day = first_day + timedelta(days=n % 3)
            while day <= last_day:
                centre = located[rng.choice(pool)]
                km = haversine_km(centre.lat, centre.lon, lats[pool], lons[pool])
                count = rng.randint(5, 8)
                chosen = [located[pool[i]] for i in np.argsort(km, kind="stable")[:count]]
                order = services.best_order(start, [(p.lat, p.lon) for p in chosen], True)
                inspections.append(
                    {
                        "id": inspection_id,
                        "district_id": district.id,
                        "day": day,
                        "inspector_id": inspector,
                        "planned_by_id": collector or inspector,
                        "start_label": "",
                        "start_lat": start[0],
                        "start_lon": start[1],
                        "return_to_start": True,
                        "status": InspectionStatus.FINISHED.value,
                        "note": "",
                        "created_at": _stored(day - timedelta(days=2), 17),
                        "updated_at": _stored(day, 16),
                        "finished_at": _stored(day, 16, 30),
                        "form_token": None,
                        "version": 1,
                    }
                )
                at = _stored(day, 10)
                previous = start
                for position, index in enumerate(order, start=1):
                    part = chosen[index]
                    at += timedelta(minutes=round(geodesic_km(previous, (part.lat, part.lon)) * 2.6) + 35)
                    previous = (part.lat, part.lon)
                    stops.append(
                        {
                            "id": stop_id,
                            "inspection_id": inspection_id,
                            "part": part,
                            "position": position,
                            "day": day,
                            "at": at,
                            "inspector": inspector,
                        }
                    )
                    stop_id += 1
                inspection_id += 1
                day += timedelta(days=rng.choice((3, 4)))
    if not inspections:
        return 0
    reports = _reports(sorted({s["part"].id for s in stops}))
    rows, discrepancies = [], []
    for stop in stops:
        part = stop["part"]
        days, values = reports.get(part.id, ([], []))
        found = bisect_right(days, stop["day"])
        row = {
            "id": stop["id"],
            "inspection_id": stop["inspection_id"],
            "part_id": part.id,
            "constituency_id": part.constituency_id,
            "district_id": part.district_id,
            "position": stop["position"],
            "reasons": [],
            "status": StopStatus.VISITED.value,
            "skip_reason": "",
            "checklist_id": checklist.id if checklist else None,
            "arrived_at": None,
            "arrival_lat": None,
            "arrival_lon": None,
            "arrival_accuracy_m": None,
            "arrival_distance_m": None,
            "blo_present": None,
            "id_card_shown": None,
            "forms_in_stock": None,
            "help_desk": None,
            "blas_present": None,
            "network": None,
            "mapping": None,
            "report_date": None,
            "reported_distributed": None,
            "reported_collected": None,
            "reported_digitized": None,
            "verified_distributed": None,
            "verified_collected": None,
            "verified_digitized": None,
            "households_sampled": None,
            "households_confirmed": None,
            "asd_sampled": None,
            "asd_confirmed": None,
            "notes": "",
            "findings": [],
            "difficulty_id": None,
            "visited_at": None,
            "visited_by_id": None,
            "version": 1,
        }
        rows.append(row)
        if rng.random() < SKIP_SHARE:
            row.update(status=StopStatus.SKIPPED.value, skip_reason="The road was closed")
            continue
        reported = dict(zip(rules.FIGURES, values[found - 1], strict=True)) if found else {}
        wrong = rng.random() < DISCREPANCY_SHARE
        verified = {}
        for name in rules.FIGURES:
            value = reported.get(name)
            if value is None:
                verified[name] = None
            elif wrong and name == "digitized":
                verified[name] = round(value * rng.uniform(0.7, 0.9))
            else:
                verified[name] = max(0, round(value * (1 + rng.uniform(-0.02, 0.01))))
        if verified.get("collected") is not None and verified["collected"] > (verified["distributed"] or 0):
            verified["collected"] = verified["distributed"]
        sampled = rng.randint(8, 12)
        confirmed = sampled - rng.randint(0, 1) if not wrong else round(sampled * 0.6)
        found_now = rules.findings(
            verified,
            reported,
            {"households": (sampled, confirmed)},
            threshold.figure_threshold_percent,
            threshold.sample_threshold_percent,
        )
        distance = rng.randint(5, 180)
        row.update(
            arrived_at=stop["at"],
            arrival_lat=part.lat + distance / 111_000,
            arrival_lon=part.lon,
            arrival_accuracy_m=rng.randint(8, 40),
            arrival_distance_m=distance,
            blo_present=rng.random() > 0.04,
            id_card_shown=rng.random() > 0.08,
            forms_in_stock=rng.random() > 0.1,
            help_desk=rng.random() > 0.3,
            blas_present=rng.random() > 0.5,
            network=rng.choice(["good", "good", "weak", "none"]),
            mapping=rng.choice(["under_way", "mostly_done", "done"]),
            report_date=days[found - 1] if found else None,
            **{f"reported_{name}": reported.get(name) for name in rules.FIGURES},
            **{f"verified_{name}": verified[name] for name in rules.FIGURES},
            households_sampled=sampled,
            households_confirmed=confirmed,
            findings=[f.as_json() for f in found_now],
            visited_at=stop["at"] + timedelta(minutes=25),
            visited_by_id=stop["inspector"],
        )
        if found_now:
            discrepancies.append((row, stop))
    _insert(Inspection, inspections)
    _insert(Stop, rows)
    _flag(discrepancies, now)
    db.session.flush()
    return len(inspections)


def _flag(discrepancies: list[tuple[dict, dict]], now: datetime) -> None:
    """Each disagreeing visit opens (or links) the part's inspection difficulty, through the
    difficulties' service; the part's latest one stays flagged."""
    if not discrepancies:
        return
    users = {
        u.id: u
        for u in db.session.scalars(
            select(User).where(User.id.in_({s["inspector"] for _, s in discrepancies}))
        )
    }
    parts = {
        p.id: p
        for p in db.session.scalars(select(Part).where(Part.id.in_({r["part_id"] for r, _ in discrepancies})))
    }
    latest: dict[int, tuple[dict, int]] = {}
    raised = []
    for row, stop in sorted(discrepancies, key=lambda pair: pair[0]["visited_at"]):
        note = services._discrepancy_note([rules.Finding.from_json(f) for f in row["findings"]], stop["day"])
        difficulty = difficulty_services.link_or_raise(
            users[stop["inspector"]],
            parts[row["part_id"]],
            Category.DISCREPANCY,
            note,
            Source.INSPECTION,
            row["visited_at"],
        )
        db.session.execute(
            Stop.__table__.update().where(Stop.id == row["id"]).values(difficulty_id=difficulty.id)
        )
        latest[row["part_id"]] = (row, difficulty.id)
        raised.append(difficulty.id)
    flags = [
        {
            "part_id": row["part_id"],
            "constituency_id": row["constituency_id"],
            "district_id": row["district_id"],
            "stop_id": row["id"],
            "difficulty_id": difficulty_id,
            "findings": row["findings"],
            "raised_at": row["visited_at"],
            "cleared_at": None,
            "cleared_by": None,
            "cleared_ref": None,
        }
        for row, difficulty_id in latest.values()
    ]
    _insert(PartFlag, flags)
    db.session.flush()
    difficulty_services.escalate(now, only_ids=raised)
