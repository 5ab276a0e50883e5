"""What a visit's findings mean, and why a part is worth a visit: pure rules, no Flask, no database.

A verified figure disagrees with the reported one when they differ by more than the district's
threshold, a percentage of the reported figure (a reported 0 against anything counted disagrees).
A household or ASD sample disagrees when the share confirmed falls below the sample threshold.
Integers throughout: 100 × |verified − reported| > threshold × reported, never a float compared.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

FIGURES = ("distributed", "collected", "digitized")
SAMPLES = ("households", "asd")
# The versioned checklist asks these; a campaign's first version asks them all.
CHECKS = (
    "blo_present",
    "id_card_shown",
    "forms_in_stock",
    "help_desk",
    "blas_present",
    "network",
    "mapping",
)
MAX_FIGURE = 100_000  # a part has at most a few thousand electors; anything past this is a typo
MAX_SAMPLE = 1_000


class Reason(enum.StrEnum):
    """Why a part is suggested for a visit."""

    BEHIND = "behind"  # behind the pace it still needs to finish in time
    SILENT = "silent"  # no report for two days or more
    DIFFICULTIES = "difficulties"  # open difficulties
    OVERDUE = "overdue"  # difficulties past their time
    NOT_INSPECTED = "not_inspected"  # no visit for the district's N days
    FLAGGED = "flagged"  # an earlier visit found the figures wrong


# The order the reasons weigh in and show: a flag first, then what stops the work.
REASON_WEIGHTS = {
    Reason.FLAGGED: 40,
    Reason.OVERDUE: 30,
    Reason.BEHIND: 20,
    Reason.SILENT: 20,
    Reason.DIFFICULTIES: 10,
    Reason.NOT_INSPECTED: 5,
}


@dataclass(frozen=True)
class Finding:
    """One disagreement of a visit: a figure or a sample, the two numbers and the threshold."""

    kind: str  # one of FIGURES or SAMPLES
    verified: int  # the count at the booth, or the confirmations of the sample
    reported: int  # the reported figure, or the sample's size
    threshold: int  # percent

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "verified": self.verified,
            "reported": self.reported,
            "threshold": self.threshold,
        }

    @classmethod
    def from_json(cls, data: Mapping) -> Finding:
        return cls(data["kind"], int(data["verified"]), int(data["reported"]), int(data["threshold"]))


def figure_disagrees(verified: int, reported: int, threshold_percent: int) -> bool:
    """More than `threshold_percent` % apart, measured on the reported figure."""
    return 100 * abs(verified - reported) > threshold_percent * reported


def sample_disagrees(sampled: int, confirmed: int, threshold_percent: int) -> bool:
    """Fewer confirmations than `threshold_percent` % of the sample (an empty sample says nothing)."""
    return sampled > 0 and 100 * confirmed < threshold_percent * sampled


def findings(
    verified: Mapping[str, int | None],
    reported: Mapping[str, int | None],
    samples: Mapping[str, tuple[int | None, int | None]],
    figure_threshold: int,
    sample_threshold: int,
) -> list[Finding]:
    """Every disagreement of one visit. A figure not verified, or with nothing reported by the day
    (no report to check), is not compared; a sample counts when its size was given."""
    found = []
    for name in FIGURES:
        v, r = verified.get(name), reported.get(name)
        if v is None or r is None:
            continue
        if figure_disagrees(v, r, figure_threshold):
            found.append(Finding(name, v, r, figure_threshold))
    for name in SAMPLES:
        sampled, confirmed = samples.get(name, (None, None))
        if sampled is None or confirmed is None:
            continue
        if sample_disagrees(sampled, confirmed, sample_threshold):
            found.append(Finding(name, confirmed, sampled, sample_threshold))
    return found


def sample_problem(sampled: int | None, confirmed: int | None) -> str | None:
    """What is wrong with a sample as entered, as a key the form turns into a message."""
    if sampled is None and confirmed is None:
        return None
    if sampled is None or confirmed is None:
        return "both"
    if confirmed > sampled:
        return "more_than_sampled"
    return None


def report_agrees(verified: Mapping[str, int | None], reported: Mapping[str, int], threshold: int) -> bool:
    """Whether a later report agrees with what the visit counted: every verified figure within the
    threshold of it. A report that agrees clears the part's flag."""
    compared = [name for name in FIGURES if verified.get(name) is not None]
    if not compared:
        return False
    return not any(figure_disagrees(verified[name], reported[name], threshold) for name in compared)


@dataclass(frozen=True)
class PartState:
    """What the suggestions weigh about one part."""

    behind: bool
    days_without_report: int
    open_difficulties: int
    overdue_difficulties: int
    last_visit: date | None
    flagged: bool


def reasons(state: PartState, today: date, stale_after_days: int) -> list[Reason]:
    """Why a part is worth a visit, weightiest first; none: it is not suggested."""
    found = []
    if state.flagged:
        found.append(Reason.FLAGGED)
    if state.overdue_difficulties:
        found.append(Reason.OVERDUE)
    if state.behind:
        found.append(Reason.BEHIND)
    if state.days_without_report >= 2:
        found.append(Reason.SILENT)
    if state.open_difficulties and not state.overdue_difficulties:
        found.append(Reason.DIFFICULTIES)
    if state.last_visit is None or (today - state.last_visit).days >= stale_after_days:
        found.append(Reason.NOT_INSPECTED)  # never visited, or not for N days: the lightest reason
    return found


def score(found: Iterable[Reason]) -> int:
    return sum(REASON_WEIGHTS[r] for r in found)


def conflicts(
    inspector_days: Iterable[tuple[int, int, date]], inspector_id: int, day: date, own_id: int | None = None
) -> list[int]:
    """The other inspections of the inspector on the day: booking twice warns (it is not refused:
    two short rounds on one day happen)."""
    return [
        inspection_id
        for inspection_id, who, when in inspector_days
        if who == inspector_id and when == day and inspection_id != own_id
    ]


class Closed(enum.StrEnum):
    """Why no visit can be recorded (nor a stop skipped, nor the day finished) now."""

    NOT_YET = "not_yet"  # before the inspection's day
    FINISHED = "finished"
    CANCELLED = "cancelled"


def recording_closed(day: date, today: date, status: str) -> Closed | None:
    """None while the inspection's visits can be recorded: from its day (`today` is the campaign
    zone's day, not the server's) until it is finished or cancelled. A day gone by stays open: an
    inspector may write up yesterday's last stop once back in range."""
    if status == "finished":
        return Closed.FINISHED
    if status == "cancelled":
        return Closed.CANCELLED
    if today < day:
        return Closed.NOT_YET
    return None


NOT_REACHED = "not_reached"  # shown, never stored: a stop still pending once its inspection has ended


def stop_outcome(stop_status: str, inspection_status: str) -> str:
    """A stop's status as people read it: "pending" while its inspection may still reach it; once the
    inspection is finished or cancelled, a stop still pending was not reached."""
    if stop_status == "pending" and inspection_status in ("finished", "cancelled"):
        return NOT_REACHED
    return stop_status
