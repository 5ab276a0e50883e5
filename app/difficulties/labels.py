"""What a difficulty's values are called on the page, in the reader's language. The reviews' own
"difficulty heard" field uses the same categories and so the same words."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.difficulties.models import Category, Level, Severity, Status

# The categories of DOMAIN.md, "Difficulties BLOs actually hit".
CATEGORY_LABELS = {
    Category.APP: _l("BLO app slow, down or rejecting entries"),
    Category.NETWORK: _l("No network"),
    Category.FORMS_SHORT: _l("Forms short"),
    Category.ELECTORS_ABSENT: _l("Electors absent, locked houses, migrants"),
    Category.MAPPING: _l("Mapping to the old roll"),
    Category.WORKLOAD: _l("Workload and targets"),
    Category.HEALTH: _l("Health"),
    Category.SAFETY: _l("Harassment or safety"),
    Category.OTHER: _l("Other difficulty"),
}

# What the BLO taps: how badly it hits the work, in their words.
SEVERITY_LABELS = {
    Severity.LOW: _l("Slows my work"),
    Severity.HIGH: _l("Stops my work"),
    Severity.URGENT: _l("Health or safety"),
}

STATUS_LABELS = {
    Status.OPEN: _l("Not yet acknowledged"),
    Status.ACKNOWLEDGED: _l("Acknowledged"),
    Status.IN_PROGRESS: _l("In progress"),
    Status.WAITING_BLO: _l("Waiting for the BLO"),
    Status.WAITING_HELPDESK: _l("Waiting for the Commission's helpdesk"),
    Status.RESOLVED: _l("Resolved"),
    Status.CLOSED: _l("Closed"),
}

LEVEL_LABELS = {
    Level.SUPERVISOR: _l("BLO supervisor"),
    Level.ERO: _l("ERO"),
    Level.COLLECTOR: _l("Collector (DEO)"),
    Level.STATE: _l("State office"),
}


def _label(labels: dict, enum_type, value) -> str:
    if value is None or value == "":
        return "—"
    try:
        return str(labels[enum_type(value)])
    except ValueError:
        return str(value)


def category_label(value) -> str:
    return _label(CATEGORY_LABELS, Category, value)


def severity_label(value) -> str:
    return _label(SEVERITY_LABELS, Severity, value)


def status_label(value) -> str:
    return _label(STATUS_LABELS, Status, value)


def level_label(value) -> str:
    return _label(LEVEL_LABELS, Level, value)
