"""Demo difficulties, deterministic and safe to re-run (each carries a `seed-…` form token).

- tiny: a handful in parts 1-1, 1-2, 2-1, 5-1 and 6-1, built through the services (raise, act,
  escalate with `now` in the past), so their timelines are exactly what the app would have written;
- district and state: about 20,000 across the campaign (the district's share at district scale),
  simulated with the same clock (app/difficulties/sla.py) as if the escalation job had run at every
  step, and inserted in bulk.

Both end with nothing due: the last escalation ran at the seed's own `now`.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import DateTime, func, select

from app.difficulties import services, sla
from app.difficulties.models import (
    RUNNING,
    Category,
    Difficulty,
    DifficultyEvent,
    EventKind,
    Level,
    NoticeKind,
    Notification,
    Resolution,
    Severity,
    Source,
    Status,
)
from app.difficulties.services import ActionInput, NewDifficulty
from app.difficulties.workflow import Action
from app.extensions import db
from app.models import Campaign, Constituency, Part, Role, User

STATE_DIFFICULTIES = 20_000
STATE_PARTS = 65_014
TOKEN = "seed-"


def seed_difficulties(scale: str, now: datetime, log=print) -> int:
    """Seed the scale's difficulties (none again on a re-run); returns how many were added."""
    if scale == "tiny":
        added = seed_tiny(now)
    else:
        parts = db.session.scalar(select(func.count(Part.id))) or 0
        added = seed_bulk(now, max(1, round(STATE_DIFFICULTIES * parts / STATE_PARTS)))
    services.escalate(now)
    log(f"seeded: {added} difficulties")
    return added


# -- tiny: through the services ---------------------------------------------------------------


def _part(ac_number: int, part_number: int) -> Part | None:
    return db.session.scalar(
        select(Part)
        .join(Constituency, Constituency.id == Part.constituency_id)
        .where(Constituency.number == ac_number, Part.number == part_number)
    )


def _user(login: str) -> User | None:
    return db.session.scalar(select(User).where(User.login == login))


def _escalate_until(difficulty: Difficulty, until: datetime) -> None:
    """Every step the escalation job would have written by `until`, each at its own moment."""
    db.session.flush()
    while difficulty.next_check_at is not None and difficulty.next_check_at <= until:
        services.escalate(difficulty.next_check_at, only_ids=[difficulty.id])
        db.session.refresh(difficulty)


def seed_tiny(now: datetime) -> int:
    """Seven difficulties, each in another state: closed after confirmation, open and fresh, overdue
    and climbed to the ERO, waiting on the BLO, resolved and closed by itself, resolved and awaiting
    the BLO's word, and one left alone that climbed to the collector."""
    h = timedelta(hours=1)
    # Round the clock: the states below do not depend on the hour the demo is seeded at.
    services.work_round_the_clock(db.session.scalars(select(Part.district_id).distinct()))
    plans = [
        # token, AC, part, raiser, source, category, severity, hours ago, text,
        # [(hours ago, actor, action, input)]
        (
            "tiny-1",
            1,
            1,
            "blo.1.1",
            Source.BLO,
            Category.APP,
            Severity.HIGH,
            30,
            "BLO app rejects the upload",
            [
                (29, "sup.1.1", Action.ACKNOWLEDGE, ActionInput()),
                (28, "sup.1.1", Action.START, ActionInput(note="Asked the district's app help line")),
                (
                    20,
                    "sup.1.1",
                    Action.RESOLVE,
                    ActionInput(resolution="fixed", note="App updated; uploads go through"),
                ),
                (19, "blo.1.1", Action.CONFIRM, ActionInput(note="Works now")),
            ],
        ),
        (
            "tiny-2",
            1,
            1,
            "blo.1.1",
            Source.BLO,
            Category.NETWORK,
            Severity.LOW,
            3,
            "No network near the river",
            [],
        ),
        ("tiny-3", 1, 2, "blo.1.2", Source.BLO, Category.FORMS_SHORT, Severity.HIGH, 7, "80 forms short", []),
        (
            "tiny-4",
            5,
            1,
            "sup.5.1",
            Source.OFFICER,
            Category.HEALTH,
            Severity.URGENT,
            5,
            "BLO has high fever",
            [
                (4.5, "ero.5", Action.ACKNOWLEDGE, ActionInput()),
                (4.4, "ero.5", Action.START, ActionInput()),
                (4, "ero.5", Action.WAIT_BLO, ActionInput(note="Waiting for the medical certificate")),
            ],
        ),
        (
            "tiny-5",
            5,
            1,
            "blo.5.1",
            Source.BLO,
            Category.MAPPING,
            Severity.LOW,
            120,
            "Married women's 2003 entries",
            [
                (119, "sup.5.1", Action.ACKNOWLEDGE, ActionInput()),
                (118, "sup.5.1", Action.START, ActionInput()),
                (
                    100,
                    "sup.5.1",
                    Action.RESOLVE,
                    ActionInput(resolution="not_ours", note="For the ERO's notice stage"),
                ),
            ],
        ),
        (
            "tiny-6",
            2,
            1,
            "blo.2.1",
            Source.BLO,
            Category.WORKLOAD,
            Severity.LOW,
            48,
            "Two parts to cover",
            [
                (46, "sup.2.1", Action.ACKNOWLEDGE, ActionInput()),
                (45, "sup.2.1", Action.START, ActionInput()),
                (
                    24,
                    "sup.2.1",
                    Action.RESOLVE,
                    ActionInput(resolution="helpdesk", note="Referred to the helpdesk"),
                ),
            ],
        ),
        (
            "tiny-7",
            6,
            1,
            "blo.6.1",
            Source.BLO,
            Category.OTHER,
            Severity.LOW,
            20,
            "Ration of forms unclear",
            [],
        ),
    ]
    existing = set(
        db.session.scalars(select(Difficulty.form_token).where(Difficulty.form_token.like(TOKEN + "%")))
    )
    added = 0
    for token, ac, number, raiser, source, category, severity, ago, text, actions in plans:
        part, reporter = _part(ac, number), _user(raiser)
        if TOKEN + token in existing or part is None or reporter is None:
            continue
        opened = now - ago * h
        difficulty = services.raise_difficulty(
            reporter,
            part,
            NewDifficulty(category.value, severity.value, text, form_token=TOKEN + token),
            source,
            opened,
        )
        added += 1
        for when, login, action, data in actions:
            at = now - when * h
            _escalate_until(difficulty, at)
            services.perform(_user(login), difficulty, action, data, at)
        _escalate_until(difficulty, now)
        db.session.flush()
    return added


# -- district and state: simulated, in bulk --------------------------------------------------


class _Sim:
    """One difficulty's life, as the workflow and the escalation job would have written it."""

    def __init__(
        self,
        rng: random.Random,
        policy: sla.Policy,
        holders,
        opened: datetime,
        reporter: int,
        acting: float = 1.0,
    ):
        self.rng, self.policy, self.holders, self.acting = rng, policy, holders, acting
        self.steps: list[sla.Step] = []
        self.events: list[dict] = []
        self.notices: list[tuple[datetime, int, NoticeKind, Level]] = []
        self.status, self.owner = Status.OPEN, None
        self.level = policy.first_level
        self.level, self.owner = self._route(policy.first_level)
        self.overdue_since = self.acknowledged_at = self.resolved_at = self.closed_at = None
        self.acknowledge_seconds = self.resolve_seconds = None
        self.resolution: Resolution | None = None
        self.reporter = reporter
        self.waited = False
        # The clock of the current level, kept up event by event (sla.clock over the steps gives the
        # same; recomputing it at every step would cost the state seed seconds).
        self.used = timedelta()
        self.recorded = {True: 0, False: 0}  # highest threshold written, acknowledging or not
        self._add(opened, EventKind.CREATED, reporter)

    def _route(self, level: Level) -> tuple[Level, int | None]:
        for candidate in list(Level)[level.rank :]:
            holder = self.holders.get(candidate)
            if holder:
                return candidate, holder
        return Level.STATE, None

    def _add(self, at, kind, actor, percent=None, resolution=None, note=""):
        previous = self.steps[-1] if self.steps else None
        if previous is not None and previous.status in RUNNING:
            self.used += max(at - previous.at, timedelta())
        if kind in (EventKind.CREATED, EventKind.ESCALATED):
            self.used, self.recorded = timedelta(), {True: 0, False: 0}
        if kind in (EventKind.NOTICE, EventKind.OVERDUE):
            acknowledging = self.status == Status.OPEN
            self.recorded[acknowledging] = max(self.recorded[acknowledging], percent or 0)
        self.steps.append(sla.Step(at, kind, self.status, self.level, percent))
        self.events.append(
            {
                "at": at,
                "actor_id": actor,
                "kind": kind.value,
                "status": self.status.value,
                "level": self.level.value,
                "owner_id": self.owner,
                "percent": percent,
                "resolution": resolution.value if resolution else None,
                "note": note,
            }
        )

    def _plan(self, at: datetime) -> tuple[datetime, Action] | None:
        """The next thing the owner (or the BLO) does from this status, and when; None when they
        leave it be (a share `1 - acting` of the times)."""
        rng, policy = self.rng, self.policy
        if self.acting < 1 and rng.random() > self.acting:
            return None
        if self.status == Status.OPEN:
            share = rng.lognormvariate(math.log(0.35), 0.6) if rng.random() > 0.12 else rng.uniform(1.1, 2.5)
            return at + policy.acknowledge * share, Action.ACKNOWLEDGE
        if self.status == Status.ACKNOWLEDGED:
            return at + policy.resolve * rng.uniform(0.01, 0.1), Action.START
        if self.status == Status.IN_PROGRESS:
            if not self.waited and rng.random() < 0.2:
                self.waited = True
                return at + policy.resolve * rng.uniform(0.05, 0.2), rng.choice(
                    [Action.WAIT_BLO, Action.WAIT_HELPDESK]
                )
            share = rng.lognormvariate(math.log(0.4), 0.5) if rng.random() > 0.1 else rng.uniform(1.0, 2.0)
            return at + policy.resolve * share, Action.RESOLVE
        if self.status in (Status.WAITING_BLO, Status.WAITING_HELPDESK):
            return at + timedelta(hours=rng.uniform(2, 40)), Action.RESUME
        if self.status == Status.RESOLVED and rng.random() < 0.55:
            return at + timedelta(hours=rng.uniform(1, 60)), Action.CONFIRM
        return None

    def run(self, now: datetime) -> None:
        planned = self._plan(self.steps[-1].at)
        while True:
            last = self.steps[-1].at
            if self.status == Status.RESOLVED:
                check = self.resolved_at + sla.AUTO_CLOSE_AFTER
            elif self.status == Status.CLOSED:
                return
            else:
                check = self._next_check(last)
            if planned is not None and (check is None or planned[0] < check):
                if planned[0] > now:
                    return
                self._act(*planned)
                planned = self._plan(planned[0])
            elif check is not None and check <= now:
                written = len(self.events)
                if self._escalate(check):
                    planned = self._plan(check)
                elif len(self.events) == written:
                    return  # nothing crossed after all: a rounding edge, never a loop
            else:
                return

    def _act(self, at: datetime, action: Action) -> None:
        owner = self.owner or self.holders.get(self.level)
        if action == Action.ACKNOWLEDGE:
            self.status = Status.ACKNOWLEDGED
            if self.acknowledged_at is None:
                self.acknowledged_at = at
                self.acknowledge_seconds = int(sla.business_time(self.steps, at).total_seconds())
            self._add(at, EventKind.ACKNOWLEDGED, owner)
        elif action == Action.START:
            self.status = Status.IN_PROGRESS
            self._add(at, EventKind.STARTED, owner)
        elif action in (Action.WAIT_BLO, Action.WAIT_HELPDESK):
            self.status = Status.WAITING_BLO if action == Action.WAIT_BLO else Status.WAITING_HELPDESK
            self._add(at, EventKind(self.status.value), owner)
        elif action == Action.RESUME:
            self.status = Status.IN_PROGRESS
            self._add(at, EventKind.RESUMED, owner)
        elif action == Action.RESOLVE:
            self.resolution = self.rng.choices(
                [Resolution.FIXED, Resolution.HELPDESK, Resolution.NOT_OURS, Resolution.CANNOT_FIX],
                [70, 14, 9, 7],
            )[0]
            self.resolve_seconds = int(sla.business_time(self.steps, at).total_seconds())
            self.status, self.resolved_at = Status.RESOLVED, at
            self._add(at, EventKind.RESOLVED, owner, resolution=self.resolution, note="Done")
        elif action == Action.CONFIRM:
            self.status, self.closed_at = Status.CLOSED, at
            self._add(at, EventKind.CONFIRMED, self.reporter)

    def _limit(self) -> tuple[bool, timedelta]:
        acknowledging = self.status == Status.OPEN
        return acknowledging, self.policy.acknowledge if acknowledging else self.policy.resolve

    def _next_check(self, last: datetime) -> datetime | None:
        if self.status not in RUNNING:
            return None
        acknowledging, limit = self._limit()
        for p in (*sla.NOTICE_PERCENTS, sla.BREACH_PERCENT):
            if p > self.recorded[acknowledging]:
                return last + max(limit * p / 100 - self.used, timedelta())
        return None

    def _crossed(self, at: datetime) -> list[int]:
        if self.status not in RUNNING:
            return []
        acknowledging, limit = self._limit()
        used = self.used + max(at - self.steps[-1].at, timedelta())
        return [
            p
            for p in (*sla.NOTICE_PERCENTS, sla.BREACH_PERCENT)
            if p > self.recorded[acknowledging] and used >= limit * p / 100
        ]

    def _escalate(self, at: datetime) -> bool:
        """What escalate(at) writes; True when the status changed."""
        if self.status == Status.RESOLVED:
            self.status, self.closed_at = Status.CLOSED, at
            self._add(at, EventKind.AUTO_CLOSED, None)
            return True
        crossed = self._crossed(at)
        holders = [self.owner] if self.owner else []
        if not crossed:
            return False
        if crossed[-1] < sla.BREACH_PERCENT:
            self._add(at, EventKind.NOTICE, None, percent=crossed[-1])
            kind = NoticeKind.HALF if crossed[-1] == 50 else NoticeKind.THREE_QUARTERS
            self.notices += [(at, user, kind, self.level) for user in holders]
            return False
        self._add(at, EventKind.OVERDUE, None, percent=sla.BREACH_PERCENT)
        self.overdue_since = self.overdue_since or at
        self.notices += [(at, user, NoticeKind.BREACH, self.level) for user in holders]
        if self.level.above is None:
            return False
        self.level, self.owner = self._route(self.level.above)
        self.status = Status.OPEN
        self._add(at, EventKind.ESCALATED, None)
        if self.owner:
            self.notices.append((at, self.owner, NoticeKind.ESCALATED_TO_YOU, self.level))
        return True

    def derived(self, now: datetime) -> dict:
        """The clock columns, as services._refresh writes them."""
        clock = sla.clock(self.steps, self.policy, now)
        if self.status in (Status.RESOLVED,):
            next_check = self.resolved_at + sla.AUTO_CLOSE_AFTER
        elif self.status == Status.CLOSED:
            next_check = None
        else:
            next_check = clock.next_check_at
        return {
            "level_started_at": clock.level_started_at,
            "acknowledge_due_at": clock.due_at if clock.acknowledging else None,
            "resolve_due_at": None if clock.acknowledging else clock.due_at,
            "next_check_at": next_check,
        }


def bulk_insert(table, rows: list[dict]) -> None:
    """Many rows at the driver's speed: COPY on PostgreSQL, executemany on SQLite. Every row has
    the same keys, names of the table's columns."""
    if not rows:
        return
    columns = list(rows[0])
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        raw = connection.connection.driver_connection
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row([row[c] for c in columns])
        return
    placeholders = ", ".join("?" for _ in columns)
    # table and column names come from the models; every value is a bound parameter
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608
    times = [c for c in columns if isinstance(table.c[c].type, DateTime)]
    values = []
    for row in rows:
        row = dict(row)
        for c in times:
            if row[c] is not None:
                row[c] = row[c].strftime("%Y-%m-%d %H:%M:%S.%f")
        values.append(tuple(row[c] for c in columns))
    connection.exec_driver_sql(sql, values)


def sync_id_sequences(*tables) -> None:
    """After rows were written with their own ids, PostgreSQL's id sequences must catch up."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        connection.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
            f"(SELECT coalesce(max(id), 0) + 1 FROM {table.name}), false)"
        )


CATEGORY_WEIGHTS = {
    Category.APP: 24,
    Category.NETWORK: 18,
    Category.FORMS_SHORT: 12,
    Category.ELECTORS_ABSENT: 14,
    Category.MAPPING: 14,
    Category.WORKLOAD: 9,
    Category.HEALTH: 4,
    Category.SAFETY: 2,
    Category.OTHER: 3,
}
DESCRIPTIONS = {
    Category.APP: "BLO app slow since the morning",
    Category.NETWORK: "No network in the village",
    Category.FORMS_SHORT: "Forms short for the last ward",
    Category.ELECTORS_ABSENT: "Houses locked, families away for work",
    Category.MAPPING: "Married women's 2003 entries are in their parents' villages",
    Category.WORKLOAD: "Two parts to cover this week",
    Category.HEALTH: "BLO unwell",
    Category.SAFETY: "BLO threatened while on rounds",
    Category.OTHER: "Help needed at the booth",
}


def seed_bulk(
    now: datetime, count: int, seed: int = 20251104, start: datetime | None = None, acting: float = 1.0
) -> int:
    """`count` difficulties spread over every part and the campaign so far (or from `start`), lived
    up to `now`, in bulk; the ones already seeded (by token) are skipped. `acting` is the share of
    steps the officers take rather than leave (the bench leaves most alone). Returns how many."""
    existing = set(
        db.session.scalars(select(Difficulty.form_token).where(Difficulty.form_token.like(TOKEN + "%")))
    )
    tokens = [f"{TOKEN}{seed}-{n}" for n in range(count)]
    if all(t in existing for t in tokens):
        return 0
    parts = db.session.execute(
        select(Part.id, Part.constituency_id, Part.district_id, Part.blo_id, Part.supervisor_id).order_by(
            Part.id
        )
    ).all()
    if not parts:
        return 0
    officers = defaultdict(dict)
    for user_id, role, ac, district in db.session.execute(
        select(User.id, User.role, User.constituency_id, User.district_id)
        .where(User.active.is_(True), User.role.in_([Role.ERO, Role.COLLECTOR, Role.STATE]))
        .order_by(User.id)
    ):
        key = {Role.ERO: ("ero", ac), Role.COLLECTOR: ("collector", district), Role.STATE: ("state", None)}[
            role
        ]
        officers[key].setdefault("ids", []).append(user_id)

    def single(key):
        ids = officers.get(key, {}).get("ids", [])
        return ids[0] if len(ids) == 1 else None

    known = services.policies({p.district_id for p in parts})
    if start is None:
        campaign_start = db.session.scalar(select(func.min(Campaign.enumeration_start)))
        start = (
            datetime.combine(campaign_start, datetime.min.time())
            if campaign_start
            else now - timedelta(days=30)
        )
    span = max((now - start).total_seconds(), 3600)
    rng = random.Random(seed)
    categories, weights = list(CATEGORY_WEIGHTS), list(CATEGORY_WEIGHTS.values())
    rows, sims = [], []
    for token in tokens:
        part = parts[rng.randrange(len(parts))]
        category = rng.choices(categories, weights)[0]
        # More of them lately: the campaign's last weeks are its busiest.
        opened = start + timedelta(seconds=span * rng.random() ** 0.7)
        if token in existing:
            continue
        policy = known.get((part.district_id, category), sla.DEFAULT_POLICIES[category])
        holders = {
            Level.SUPERVISOR: part.supervisor_id,
            Level.ERO: single(("ero", part.constituency_id)),
            Level.COLLECTOR: single(("collector", part.district_id)),
            Level.STATE: single(("state", None)),
        }
        reporter = part.blo_id or part.supervisor_id or holders[Level.ERO] or holders[Level.STATE]
        if reporter is None:
            continue
        sim = _Sim(rng, policy, holders, opened, reporter, acting)
        sim.run(now)
        sims.append(sim)
        severity = (
            Severity.URGENT
            if category in (Category.HEALTH, Category.SAFETY)
            else rng.choice([Severity.LOW, Severity.HIGH])
        )
        rows.append(
            {
                "part_id": part.id,
                "constituency_id": part.constituency_id,
                "district_id": part.district_id,
                "blo_id": part.blo_id,
                "reporter_id": reporter,
                "source": (Source.BLO if reporter == part.blo_id else Source.OFFICER).value,
                "category": category.value,
                "severity": severity.value,
                "description": DESCRIPTIONS[category],
                "status": sim.status.value,
                "level": sim.level.value,
                "owner_id": sim.owner,
                "duplicate_of_id": None,
                "resolution": sim.resolution.value if sim.resolution else None,
                "opened_at": opened,
                "acknowledged_at": sim.acknowledged_at,
                "resolved_at": sim.resolved_at,
                "closed_at": sim.closed_at,
                "overdue_since": sim.overdue_since,
                "acknowledge_seconds": sim.acknowledge_seconds,
                "resolve_seconds": sim.resolve_seconds,
                "form_token": token,
                "version": len(sim.events),
                **sim.derived(now),
            }
        )
    if not rows:
        return 0
    first_id = (db.session.scalar(select(func.max(Difficulty.id))) or 0) + 1
    ids = range(first_id, first_id + len(rows))
    for difficulty_id, row in zip(ids, rows, strict=True):
        row["id"] = difficulty_id
    events, notices = [], []
    for difficulty_id, row, sim in zip(ids, rows, sims, strict=True):
        place = {k: row[k] for k in ("part_id", "constituency_id", "district_id")}
        for event in sim.events:
            events.append({"difficulty_id": difficulty_id, **place, **event})
        for at, user_id, kind, level in sim.notices:
            notices.append(
                {
                    "user_id": user_id,
                    "difficulty_id": difficulty_id,
                    "event_id": None,
                    "kind": kind.value,
                    "level": level.value,
                    "created_at": at,
                    "read_at": at + timedelta(hours=2) if now - at > timedelta(days=1) else None,
                }
            )
    bulk_insert(Difficulty.__table__, rows)
    bulk_insert(DifficultyEvent.__table__, events)
    bulk_insert(Notification.__table__, notices)
    sync_id_sequences(Difficulty.__table__)
    return len(rows)
