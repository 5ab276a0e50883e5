"""Who may do what to a difficulty in which state: the one table the server enforces and the
pages read to offer only what is allowed. Pure (no Flask, no database).

A user stands to a difficulty in one or more relations:
- REPORTER: the BLO of its part, or whoever raised it;
- OWNER: an officer in scope whose level is the difficulty's level or above (a collector may act on
  anything in the district, a supervisor only while it sits at the supervisor level);
- OBSERVER: an officer in scope below its level (it climbed past them): they follow and comment.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from app.difficulties.models import ACTIVE, WAITING, Level, Status
from app.difficulties.sla import REOPEN_WITHIN
from app.models.users import Role
from app.refusals import NotAllowed


class Action(enum.StrEnum):
    ACKNOWLEDGE = "acknowledge"
    START = "start"
    WAIT_BLO = "wait_blo"
    WAIT_HELPDESK = "wait_helpdesk"
    RESUME = "resume"
    RESOLVE = "resolve"
    MARK_DUPLICATE = "mark_duplicate"
    CONFIRM = "confirm"
    REOPEN = "reopen"
    COMMENT = "comment"
    ASSIGN = "assign"


class Relation(enum.StrEnum):
    REPORTER = "reporter"
    OWNER = "owner"
    OBSERVER = "observer"


@dataclass(frozen=True)
class Rule:
    allowed_from: frozenset[Status]
    to: Status | None  # None: the status does not change
    relations: frozenset[Relation]


def _rule(allowed_from, to, *relations) -> Rule:
    return Rule(frozenset(allowed_from), to, frozenset(relations))


WORKING = {Status.ACKNOWLEDGED, Status.IN_PROGRESS, *WAITING}
OWNER, REPORTER, OBSERVER = Relation.OWNER, Relation.REPORTER, Relation.OBSERVER

RULES: dict[Action, Rule] = {
    Action.ACKNOWLEDGE: _rule({Status.OPEN}, Status.ACKNOWLEDGED, OWNER),
    Action.START: _rule({Status.ACKNOWLEDGED}, Status.IN_PROGRESS, OWNER),
    Action.WAIT_BLO: _rule({Status.ACKNOWLEDGED, Status.IN_PROGRESS}, Status.WAITING_BLO, OWNER),
    Action.WAIT_HELPDESK: _rule({Status.ACKNOWLEDGED, Status.IN_PROGRESS}, Status.WAITING_HELPDESK, OWNER),
    Action.RESUME: _rule(WAITING, Status.IN_PROGRESS, OWNER),
    Action.RESOLVE: _rule(WORKING, Status.RESOLVED, OWNER),
    # One tap from the duplicate hints: also from open, since triage is when duplicates are seen.
    Action.MARK_DUPLICATE: _rule(ACTIVE, Status.RESOLVED, OWNER),
    Action.CONFIRM: _rule({Status.RESOLVED}, Status.CLOSED, REPORTER),
    Action.REOPEN: _rule({Status.RESOLVED, Status.CLOSED}, Status.OPEN, REPORTER),
    Action.COMMENT: _rule(ACTIVE | {Status.RESOLVED}, None, REPORTER, OWNER, OBSERVER),
    Action.ASSIGN: _rule(ACTIVE, None, OWNER),
}

# The BLO answering while it waits on them sets the clock running again (their reply is a comment).
REPORTER_REPLY_RESUMES = Status.WAITING_BLO

ROLE_LEVEL: dict[Role, Level] = {
    Role.SUPERVISOR: Level.SUPERVISOR,
    Role.ERO: Level.ERO,
    Role.COLLECTOR: Level.COLLECTOR,
    Role.STATE: Level.STATE,
}


def relations(
    role: Role, user_id: int, level: Level, reporter_ids: set[int | None], in_scope: bool
) -> set[Relation]:
    """How a user stands to a difficulty at `level` whose reporter side is `reporter_ids`."""
    found: set[Relation] = set()
    if not in_scope:
        return found
    if user_id in reporter_ids:
        found.add(Relation.REPORTER)
    own_level = ROLE_LEVEL.get(role)
    if own_level is not None:
        found.add(Relation.OWNER if own_level.rank >= level.rank else Relation.OBSERVER)
    return found


def answers_as_officer(held: set[Relation]) -> bool:
    """Whether the officers' response templates are for this reader: an officer who owns or follows
    it, never the BLO (or anyone) who only reported it."""
    return bool(held & {Relation.OWNER, Relation.OBSERVER})


def allowed(action: Action, status: Status, held: set[Relation]) -> bool:
    rule = RULES[action]
    return status in rule.allowed_from and bool(rule.relations & held)


def allowed_actions(status: Status, held: set[Relation], reopenable: bool = True) -> list[Action]:
    """What the page offers: the actions allowed now, in the table's order; reopening only while
    its window is open (`reopenable`, from `may_reopen`)."""
    return [
        action
        for action in RULES
        if allowed(action, status, held) and (reopenable or action != Action.REOPEN)
    ]


# -- reopening --------------------------------------------------------------------------------

# The reason a reporter gives for reopening: required, kept in the timeline and the audit.
REOPEN_REASON_MAX = 500


def reopen_until(resolved_at: datetime | None) -> datetime | None:
    """The last moment a resolved (or closed) difficulty can be reopened: 7 days after it was resolved."""
    return resolved_at + REOPEN_WITHIN if resolved_at is not None else None


def may_reopen(resolved_at: datetime | None, now: datetime) -> bool:
    until = reopen_until(resolved_at)
    return until is not None and now <= until


class ReopenWindowClosed(NotAllowed):
    """Reopening asked for after its window (or with no resolution to reopen): the answer names the
    window and when it was resolved, not the generic refusal."""

    def __init__(self, resolved_at: datetime | None):
        super().__init__("reopen window closed")
        self.resolved_at = resolved_at
        self.until = reopen_until(resolved_at)
