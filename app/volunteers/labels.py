"""Every label of volunteering a page shows, and the template filters that show them: registered
once, by `register`, from the package's __init__.

Two readers see some of the same things in their own words: the officers ("Offered, waiting for an
answer") and the volunteer ("Waiting for your answer"). Their tables sit side by side here, each
under its own filter name.
"""

from __future__ import annotations

from datetime import UTC, datetime, time

from flask_babel import format_decimal, format_time
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.campaign.clock import campaign_zone
from app.formatting import label_filter, number, register_filters
from app.volunteers.matching import LeftOut
from app.volunteers.models import Attendance, OfferStatus, Organisation, Task, VolunteerStatus

# -- tables ---------------------------------------------------------------------------------------

ORGANISATION_LABELS = {
    Organisation.NSS: _l("NSS"),
    Organisation.NCC: _l("NCC"),
    Organisation.COLLEGE: _l("College"),
    Organisation.GOVERNMENT: _l("Government staff"),
    Organisation.PANCHAYAT: _l("Panchayat"),
    Organisation.OTHER: _l("Other"),
}
# The same organisations as the person signing up chooses among them (and the approvers read them).
ORGANISATION_CHOICES = {
    Organisation.NSS: _l("NSS"),
    Organisation.NCC: _l("NCC"),
    Organisation.COLLEGE: _l("College staff or student"),
    Organisation.GOVERNMENT: _l("Government staff"),
    Organisation.PANCHAYAT: _l("Panchayat (secretary, rozgar sahayak)"),
    Organisation.OTHER: _l("Other"),
}
VOLUNTEER_STATUS_LABELS = {
    VolunteerStatus.PENDING: _l("Waiting for approval"),
    VolunteerStatus.APPROVED: _l("Approved"),
    VolunteerStatus.REJECTED: _l("Rejected"),
}
ATTENDANCE_LABELS = {Attendance.CONFIRMED: _l("Came"), Attendance.NO_SHOW: _l("No-show")}

# The officers' words.
TASK_LABELS = {
    Task.AWARENESS: _l("Awareness"),
    Task.FORM_FILLING: _l("Helping electors fill forms"),
    Task.OLD_ROLL_SEARCH: _l("Searching the old roll"),
    Task.HELP_DESK: _l("Help desk"),
    Task.DATA_ENTRY: _l("Data entry under the BLO's supervision"),
}
OFFER_STATUS_LABELS = {
    OfferStatus.OFFERED: _l("Offered, waiting for an answer"),
    OfferStatus.ACCEPTED: _l("Accepted"),
    OfferStatus.DECLINED: _l("Declined"),
    OfferStatus.EXPIRED: _l("Expired"),
    OfferStatus.CANCELLED: _l("Cancelled"),
}
LEFT_OUT_LABELS = {
    LeftOut.NO_LOCATION: _l("no home location"),
    LeftOut.NOT_AVAILABLE: _l("not available then"),
    LeftOut.BUSY: _l("busy then"),
    LeftOut.AT_CAP: _l("at the hour cap"),
    LeftOut.TOO_FAR: _l("too far"),
}
# The list of offers sent is filtered by these.
STATUS_FILTERS = ("holding", "offered", "accepted", "declined", "expired", "cancelled", "all")
STATUS_FILTER_LABELS = {
    "holding": _l("Offered or accepted"),
    "all": _l("All"),
    **{status.value: text for status, text in OFFER_STATUS_LABELS.items()},
}

# The volunteer's words.
VOLUNTEER_TASK_LABELS = {
    Task.AWARENESS: _l("Awareness work"),
    Task.FORM_FILLING: _l("Helping electors fill their forms"),
    Task.OLD_ROLL_SEARCH: _l("Searching the old roll"),
    Task.HELP_DESK: _l("Staffing the help desk"),
    Task.DATA_ENTRY: _l("Data entry when the BLO asks, under their supervision"),
}
VOLUNTEER_OFFER_STATUS_LABELS = {
    OfferStatus.OFFERED: _l("Waiting for your answer"),
    OfferStatus.ACCEPTED: _l("Accepted"),
    OfferStatus.DECLINED: _l("Declined"),
    OfferStatus.EXPIRED: _l("Expired"),
    OfferStatus.CANCELLED: _l("Withdrawn"),
}
# What a volunteer may never do (DOMAIN.md), shown on every assignment.
MAY_NOT = (
    _l("Never act as the BLO."),
    _l("Never certify an ASD status (absent, shifted, dead, duplicate)."),
    _l("Never take electors' documents."),
)


# -- filters --------------------------------------------------------------------------------------


def organisation_label(value) -> str:
    return str(ORGANISATION_LABELS.get(value, value)) if value else "—"


def attendance_label(value) -> str:
    return str(ATTENDANCE_LABELS.get(value, value)) if value else "—"


def km(value: float | None) -> str:
    """Kilometres with one decimal, in the reader's number format."""
    if value is None:
        return "—"
    whole, tenth = divmod(round(value * 10), 10)
    return _("%(km)s km", km=f"{number(whole)}.{tenth}")


def clock(value: time | datetime | None) -> str:
    """A time of day in the reader's language: a stored moment (naive UTC) in the campaign's zone,
    a time of day (an assignment's hours) as it is."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return format_time(value, "short")
    return format_time(value, "short", rebase=False)


def worked(minutes: int | float | None) -> str:
    """Worked time in hours and minutes, however many hours."""
    if minutes is None:
        return "—"
    hours_, rest = divmod(max(int(round(minutes)), 0), 60)
    if hours_:
        return _("%(hours)s h %(minutes)s min", hours=number(hours_), minutes=number(rest))
    return _("%(minutes)s min", minutes=number(rest))


def hours(value) -> str:
    """Hours with one decimal, in the reader's digit grouping."""
    return format_decimal(value or 0, format="#,##,##0.0")


def hhmm(value) -> str:
    """A time of day as 09:30; a stored (naive UTC) moment in the campaign's zone."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = value.replace(tzinfo=UTC).astimezone(campaign_zone())
    return value.strftime("%H:%M")


FILTERS = {
    # the officers' pages
    "volunteer_task": label_filter(TASK_LABELS),
    "volunteer_organisation": label_filter(ORGANISATION_LABELS),
    "offer_status": label_filter(OFFER_STATUS_LABELS),
    "left_out": label_filter(LEFT_OUT_LABELS),
    "offer_filter": label_filter(STATUS_FILTER_LABELS),
    "km": km,
    # the volunteer's pages
    "task_label": label_filter(VOLUNTEER_TASK_LABELS, blank="—"),
    "offer_status_label": label_filter(VOLUNTEER_OFFER_STATUS_LABELS, blank="—"),
    "clock": clock,
    "worked": worked,
    # the collector's views and the BLO's page
    "organisation_label": organisation_label,
    "attendance_label": attendance_label,
    "hours": hours,
    "hhmm": hhmm,
}


def register(bp) -> None:
    """Every filter above, on the app the blueprint is registered on: once each."""
    register_filters(bp, FILTERS)
