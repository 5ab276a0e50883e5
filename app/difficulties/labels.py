"""What the pages and the exports call each value of a difficulty, in the reader's language, the
response templates officers pick from when they write a note, and the template filters that show
them (registered once, by register())."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.campaign.clock import campaign_today, campaign_zone
from app.difficulties.models import (
    Category,
    EventKind,
    Level,
    NoticeKind,
    Resolution,
    Severity,
    Source,
    Status,
)
from app.difficulties.workflow import Action
from app.formatting import label_filter, number, register_filters

# The same words as the reviews' "difficulty heard" list, so both pages name a category alike.
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
# What a BLO or a review may name; a discrepancy comes from an inspection only.
HEARD_CATEGORY_LABELS = dict(CATEGORY_LABELS)
CATEGORY_LABELS[Category.DISCREPANCY] = _l("Reported figures do not match the inspection")

# What the BLO taps: how badly it hits the work, in their words.
TAP_SEVERITY_LABELS = {
    Severity.LOW: _l("Slows my work"),
    Severity.HIGH: _l("Stops my work"),
    Severity.URGENT: _l("Health or safety"),
}

SEVERITY_LABELS = {
    Severity.LOW: _l("Slows the work"),
    Severity.HIGH: _l("Stops the work"),
    Severity.URGENT: _l("Urgent: health or safety"),
}

STATUS_LABELS = {
    Status.OPEN: _l("Not yet acknowledged"),
    Status.ACKNOWLEDGED: _l("Acknowledged"),
    Status.IN_PROGRESS: _l("In progress"),
    Status.WAITING_BLO: _l("Waiting on the BLO"),
    Status.WAITING_HELPDESK: _l("Waiting on the Commission's helpdesk"),
    Status.RESOLVED: _l("Resolved"),
    Status.CLOSED: _l("Closed"),
}

LEVEL_LABELS = {
    Level.SUPERVISOR: _l("BLO supervisor"),
    Level.ERO: _l("ERO"),
    Level.COLLECTOR: _l("Collector (DEO)"),
    Level.STATE: _l("State office"),
}

SOURCE_LABELS = {
    Source.BLO: _l("BLO"),
    Source.OFFICER: _l("Raised by an officer"),
    Source.REVIEW: _l("From a review"),
    Source.INSPECTION: _l("From an inspection"),
}

RESOLUTION_LABELS = {
    Resolution.FIXED: _l("Fixed"),
    Resolution.HELPDESK: _l("Referred to the Commission's helpdesk"),
    Resolution.NOT_OURS: _l("Not ours to fix"),
    Resolution.DUPLICATE: _l("Duplicate of another difficulty"),
    Resolution.CANNOT_FIX: _l("Cannot fix"),
}

EVENT_LABELS = {
    EventKind.CREATED: _l("Raised"),
    EventKind.ACKNOWLEDGED: _l("Acknowledged"),
    EventKind.STARTED: _l("Work started"),
    EventKind.WAITING_BLO: _l("Waiting on the BLO"),
    EventKind.WAITING_HELPDESK: _l("Waiting on the Commission's helpdesk"),
    EventKind.RESUMED: _l("Work resumed"),
    EventKind.RESOLVED: _l("Resolved"),
    EventKind.CONFIRMED: _l("Confirmed by the reporter"),
    EventKind.AUTO_CLOSED: _l("Closed by itself after 3 days"),
    EventKind.REOPENED: _l("Reopened"),
    EventKind.COMMENT: _l("Comment"),
    EventKind.ASSIGNED: _l("Assigned"),
    EventKind.NOTICE: _l("Time running out"),
    EventKind.OVERDUE: _l("Overdue"),
    EventKind.ESCALATED: _l("Moved up a level"),
    EventKind.LINKED: _l("Noted again"),
}

NOTICE_LABELS = {
    NoticeKind.NEW: _l("A difficulty arrived in your queue"),
    NoticeKind.HALF: _l("Half the time is used"),
    NoticeKind.THREE_QUARTERS: _l("Three quarters of the time is used"),
    NoticeKind.BREACH: _l("Your time ran out"),
    NoticeKind.ESCALATED_TO_YOU: _l("It came up to you, past its time"),
    NoticeKind.UPDATE: _l("An update on a difficulty you reported"),
}

ACTION_LABELS = {
    Action.ACKNOWLEDGE: _l("Acknowledge"),
    Action.START: _l("Start work"),
    Action.WAIT_BLO: _l("Wait on the BLO"),
    Action.WAIT_HELPDESK: _l("Wait on the helpdesk"),
    Action.RESUME: _l("Resume work"),
    Action.RESOLVE: _l("Resolve"),
    Action.MARK_DUPLICATE: _l("Mark as duplicate"),
    Action.CONFIRM: _l("Confirm it is fixed"),
    Action.REOPEN: _l("Reopen"),
    Action.COMMENT: _l("Comment"),
    Action.ASSIGN: _l("Assign"),
}

# The answers officers give most often, per category (the first ones of OTHER suit every category).
_COMMON = (
    _l("Spoken to the BLO; working on it today."),
    _l("Need more details: please call your supervisor."),
)
_RESPONSES = {
    Category.APP: (
        _l("The BLO app issue is reported to the Commission's helpdesk; use the app again after an hour."),
        _l("Update the BLO app and sign in again; the entries will be accepted."),
    ),
    Category.NETWORK: (
        _l("Enter the forms where the network is available, at the panchayat office or the school."),
        _l("A volunteer with a working phone will help with the data entry."),
    ),
    Category.FORMS_SHORT: (
        _l("More forms are sent with the supervisor today."),
        _l("Collect the forms from the ERO office tomorrow morning."),
    ),
    Category.ELECTORS_ABSENT: (
        _l("Visit again in the evening; after three visits mark it under ASD with the reason."),
        _l("Ask the neighbours and the panchayat secretary where the family has moved."),
    ),
    Category.MAPPING: (
        _l("Search the 2003 roll of the parents' village; the ERO office will help with the search."),
        _l("A volunteer will search the old roll for these electors."),
    ),
    Category.WORKLOAD: (
        _l("A volunteer is assigned to help with the forms."),
        _l("The target is revised for the next three days."),
    ),
    Category.HEALTH: (
        _l("Take rest; another BLO will cover the part for now."),
        _l("Medical help is arranged; the supervisor will call you."),
    ),
    Category.SAFETY: (
        _l("The police station is informed; do not visit alone until then."),
        _l("The supervisor will accompany you on the next visit."),
    ),
    Category.OTHER: (),
    Category.DISCREPANCY: (
        _l("The BLO has corrected the figures to what was counted at the inspection."),
        _l("Recounted with the supervisor; the reported figures stand."),
    ),
}
RESPONSE_LANGUAGES = (("hi", "हिन्दी"), ("en", "English"))


def responses(category: Category) -> list[tuple[str, str, str]]:
    """The response templates of a category, in both languages: (key, language name, text)."""
    texts = [*_RESPONSES[category], *_COMMON]
    found = []
    for lang, language_name in RESPONSE_LANGUAGES:
        with force_locale(lang):
            found += [(f"{index}-{lang}", language_name, str(text)) for index, text in enumerate(texts)]
    return found


def response_text(category: Category, key: str | None) -> str:
    """The text of the template `key` offered for the category; empty when there is no such one."""
    return next((text for found, _, text in responses(category) if found == key), "")


# The figures' own words for a resolution: a table column has no room for the full sentence.
FIGURE_RESOLUTION_LABELS = {
    Resolution.FIXED: _l("Fixed"),
    Resolution.HELPDESK: _l("Referred to the Commission's helpdesk"),
    Resolution.NOT_OURS: _l("Not ours to fix"),
    Resolution.DUPLICATE: _l("Duplicate"),
    Resolution.CANNOT_FIX: _l("Cannot fix"),
}


def duration(value: timedelta | None) -> str:
    """Clock time in hours and minutes (days past 48 hours), in the reader's language."""
    if value is None:
        return "—"
    minutes = max(int(value.total_seconds() // 60), 0)
    hours, minutes = divmod(minutes, 60)
    if hours >= 48:
        return _("%(days)s d %(hours)s h", days=number(hours // 24), hours=number(hours % 24))
    if hours:
        return _("%(hours)s h %(minutes)s min", hours=number(hours), minutes=number(minutes))
    return _("%(minutes)s min", minutes=number(minutes))


# How far ahead a due time is named by its weekday ("Monday 10:59") rather than its date.
WEEKDAY_NAMED_WITHIN = 6


def due_words(moment: datetime | None) -> str:
    """A stored (naive UTC) moment as people say it, in the campaign's zone: "today 14:00",
    "tomorrow 10:59", "yesterday 17:00", "Monday 10:59", "27 Nov, 10:59"; "—" for none."""
    if moment is None:
        return "—"
    local = moment.replace(tzinfo=UTC).astimezone(campaign_zone())
    at = local.strftime("%H:%M")
    days = (local.date() - campaign_today()).days
    if days == 0:
        return _("today %(time)s", time=at)
    if days == 1:
        return _("tomorrow %(time)s", time=at)
    if days == -1:
        return _("yesterday %(time)s", time=at)
    if 1 < days <= WEEKDAY_NAMED_WITHIN:
        return _("%(weekday)s, %(time)s", weekday=format_date(local.date(), "EEEE"), time=at)
    return _("%(date)s, %(time)s", date=format_date(local.date(), "d MMM"), time=at)


def figure_resolution(code) -> str:
    return str(FIGURE_RESOLUTION_LABELS.get(Resolution(code), code)) if code else "—"


def figure_duration(seconds) -> str:
    """Clock time as the figures show it: "45 min", "3 h 20 min", "2 days 4 h"; "—" for none."""
    if seconds is None:
        return "—"
    minutes = round(seconds / 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(days)s d %(hours)s h", days=days, hours=hours)
    if hours:
        return _("%(hours)s h %(minutes)s min", hours=hours, minutes=minutes)
    return _("%(minutes)s min", minutes=minutes)


# Every template filter of the difficulties, by the name templates use: one name per meaning.
FILTERS = {
    "category_label": label_filter(CATEGORY_LABELS, blank="—"),
    "severity_label": label_filter(SEVERITY_LABELS, blank="—"),
    "status_label": label_filter(STATUS_LABELS, blank="—"),
    "level_label": label_filter(LEVEL_LABELS, blank="—"),
    "source_label": label_filter(SOURCE_LABELS, blank="—"),
    "resolution_label": label_filter(RESOLUTION_LABELS, blank="—"),
    "event_label": label_filter(EVENT_LABELS, blank="—"),
    "notice_label": label_filter(NOTICE_LABELS, blank="—"),
    "action_label": label_filter(ACTION_LABELS, blank="—"),
    "duration": duration,
    "due_words": due_words,
    "difficulty_resolution": figure_resolution,
    "difficulty_duration": figure_duration,
}


def register(bp) -> None:
    """Give every template the difficulties' filters, once (called by app/difficulties/__init__.py)."""
    register_filters(bp, FILTERS)
