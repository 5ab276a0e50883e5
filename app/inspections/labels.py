"""What the inspection pages, the reports and the exports call each value, in the reader's language:
why a part is suggested, the status of an inspection and of a stop, the checks of a visit, the
network and mapping choices, the figures and samples counted, the district's settings; and the
template filters that use them, registered once by the package (register)."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.campaign.clock import campaign_day_of
from app.formatting import label_filter, register_filters
from app.formatting import number as format_number
from app.inspections import rules
from app.inspections.models import InspectionStatus, Mapping, Network, StopStatus

REASON_LABELS = {
    rules.Reason.FLAGGED: _l("Flagged for a discrepancy"),
    rules.Reason.OVERDUE: _l("Overdue difficulties"),
    rules.Reason.BEHIND: _l("Behind the pace it needs"),
    rules.Reason.SILENT: _l("Not reporting"),
    rules.Reason.DIFFICULTIES: _l("Open difficulties"),
    rules.Reason.NOT_INSPECTED: _l("Not inspected lately"),
}
STATUS_LABELS = {
    InspectionStatus.PLANNED: _l("Planned"),
    InspectionStatus.UNDER_WAY: _l("Under way"),
    InspectionStatus.FINISHED: _l("Finished"),
    InspectionStatus.CANCELLED: _l("Cancelled"),
}
STOP_STATUS_LABELS = {
    StopStatus.PENDING: _l("To visit"),
    StopStatus.VISITED: _l("Visited"),
    StopStatus.SKIPPED: _l("Skipped"),
    rules.NOT_REACHED: _l("Not reached"),  # pending when its inspection ended (Stop.outcome)
}
SETTING_LABELS = {
    "road_speed_kmh": _l("Road speed, km an hour"),
    "road_factor_percent": _l("Road distance, percent of the straight line"),
    "figure_threshold_percent": _l("A counted figure disagrees past this percent of the reported one"),
    "sample_threshold_percent": _l("A sample disagrees below this percent confirmed"),
    "suggest_radius_km": _l("Suggest parts within this many km of the start"),
    "stale_after_days": _l("Suggest parts not inspected for this many days"),
}

YES_NO = ("blo_present", "id_card_shown", "forms_in_stock", "help_desk", "blas_present")
CHECK_LABELS = {
    "blo_present": _l("Is the BLO present?"),
    "id_card_shown": _l("Did the BLO show the ID card?"),
    "forms_in_stock": _l("Are there blank forms in stock?"),
    "help_desk": _l("Is there a help desk?"),
    "blas_present": _l("Are the parties' BLAs present?"),
    "network": _l("Mobile network"),
    "mapping": _l("Mapping to the old roll"),
}
NETWORK_LABELS = {
    Network.GOOD: _l("Good"),
    Network.WEAK: _l("Weak"),
    Network.NONE: _l("No network"),
}
MAPPING_LABELS = {
    Mapping.NOT_STARTED: _l("Not started"),
    Mapping.UNDER_WAY: _l("Under way"),
    Mapping.MOSTLY_DONE: _l("Mostly done"),
    Mapping.DONE: _l("Done"),
}
FIGURE_LABELS = {
    "distributed": _l("Forms distributed"),
    "collected": _l("Forms collected"),
    "digitized": _l("Forms digitized"),
}
SAMPLE_LABELS = {
    "households": _l("Households asked"),
    "asd": _l("ASD entries re-checked"),
}


def yes_no(value: bool | None) -> str:
    if value is None:
        return "—"
    return _("Yes") if value else _("No")


def campaign_day(at) -> date | None:
    """A stored (naive UTC) moment's campaign day, for the `day` filter."""
    if at is None:
        return None
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    return campaign_day_of(at)


def finding_text(finding: dict) -> str:
    """One finding of a visit in the reader's language: a figure counted against the one reported,
    or a sample's confirmations."""
    kind = finding.get("kind")
    if kind in FIGURE_LABELS:
        return _(
            "%(figure)s: counted %(verified)s, reported %(reported)s",
            figure=FIGURE_LABELS[kind],
            verified=format_number(finding.get("verified")),
            reported=format_number(finding.get("reported")),
        )
    return _(
        "%(sample)s: %(confirmed)s of %(sampled)s confirmed",
        sample=SAMPLE_LABELS.get(kind, kind),
        confirmed=format_number(finding.get("verified")),
        sampled=format_number(finding.get("reported")),
    )


stop_status_label = label_filter(STOP_STATUS_LABELS)

FILTERS = {
    "inspection_reason": label_filter(REASON_LABELS),
    "inspection_status": label_filter(STATUS_LABELS),
    "stop_status": stop_status_label,
    "network_label": label_filter(NETWORK_LABELS, blank="—"),
    "mapping_label": label_filter(MAPPING_LABELS, blank="—"),
    "yes_no": yes_no,
    "campaign_day": campaign_day,
    "finding": finding_text,
}


def register(bp) -> None:
    """The inspection filters, on every template of the app (the blueprint registers them once)."""
    register_filters(bp, FILTERS)
