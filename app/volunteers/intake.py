"""Bringing volunteers in: the checks of a registration, the one function that creates a volunteer
(for the public sign-up and the bulk import alike), the bulk import's reading and its two runs on
the job queue (a dry run, then an all-or-nothing apply), and the geocoding job.

The import reads files with app/spreadsheets.py (the file formats, the header row, date cells, the
error list) and stores uploads with the part-figures import's `store_upload`; only the volunteers'
own columns and cells are read here. Runs are Job rows (app/tasks.py): the check's
outcome is its result, and the apply is a second job naming the check.
"""

from __future__ import annotations

import math
import re
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from app import audit
from app.campaign.clock import campaign_today
from app.extensions import db
from app.formatting import number
from app.forms import ascii_digits
from app.inputs import parse_iso_day
from app.models import District, Job, Role, User
from app.spreadsheets import (
    CellError,
    ErrorList,
    ImportFileError,
    date_cell,
    is_blank,
    normalize,
    read_header,
    table_rows,
)
from app.tasks import create_job, job_task, report_progress
from app.timeutil import utcnow
from app.volunteers.models import AvailabilityWindow, Organisation, Volunteer, VolunteerStatus
from app.volunteers.services import VolunteerError

NAME_MAX = 120
INSTITUTION_MAX = 160
ADDRESS_MAX = 300
OTHER_LANGUAGES_MAX = 80
PASSWORD_MIN = 8  # as every account of the app (accounts' and auth's forms)
MAX_WINDOWS = 5
MAX_WINDOW_DAYS = 120
MAX_IMPORT_ROWS = 20_000
SAMPLE_SIZE = 20
PROGRESS_EVERY = 200
# South, north, west and east edges of India (with its islands), in degrees.
INDIA = (6.5, 37.6, 68.0, 97.5)
# A password hash no password matches: an imported account signs in once the collector resets it
# (Accounts → reset password gives a temporary one to pass on).
NO_PASSWORD = "!imported"

LANGUAGE_LABELS = {"hi": _l("Hindi"), "en": _l("English")}

_MOBILE = re.compile(r"^[6-9][0-9]{9}$")
_MOBILE_NOISE = re.compile(r"[\s\-().]+")


# -- what a registration gives -----------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    starts_on: date
    ends_on: date
    start_time: time
    end_time: time


@dataclass
class NewVolunteer:
    """A registration as typed: the sign-up form's fields, or one row of an import."""

    name: str
    mobile: str
    district_id: int | None
    organisation: str
    institution: str = ""
    languages: Sequence[str] = ()
    address: str = ""
    lat: float | None = None
    lon: float | None = None
    windows: Sequence[Window] = ()
    locale: str = "hi"


def normalise_mobile(text: Any) -> str | None:
    """A 10-digit Indian mobile number from what people type (+91, 0 in front, spaces, dashes)."""
    if text is None:
        return None
    if isinstance(text, float) and text.is_integer():
        text = int(text)  # a spreadsheet's number cell
    digits = _MOBILE_NOISE.sub("", ascii_digits(str(text).strip()))
    if digits.startswith("+"):
        digits = digits[1:]
    if len(digits) == 12 and digits.startswith("91"):
        digits = digits[2:]
    elif len(digits) == 11 and digits.startswith("0"):
        digits = digits[1:]
    return digits if _MOBILE.match(digits) else None


def in_india(lat: float, lon: float) -> bool:
    south, north, west, east = INDIA
    return south <= lat <= north and west <= lon <= east


def parse_coordinate(text: Any) -> float | None:
    """A latitude or longitude as typed or as a cell; None when blank; ValueError when not a number."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    if isinstance(text, bool):
        raise ValueError(text)
    value = float(text) if isinstance(text, (int, float)) else float(ascii_digits(str(text).strip()))
    if not math.isfinite(value):
        raise ValueError(text)
    return value


_TIME = re.compile(r"^([0-9]{1,2})(?:[:.]([0-9]{2}))?$")


def parse_time_of_day(text: Any) -> time:
    """A time of day: 09:00, 9:30, 9, 14.30, a spreadsheet time or its fraction of a day."""
    if isinstance(text, datetime):
        return text.time().replace(second=0, microsecond=0)
    if isinstance(text, time):
        return text.replace(second=0, microsecond=0)
    if isinstance(text, float) and 0 <= text < 1:
        minutes = round(text * 24 * 60)
        return time(minutes // 60 % 24, minutes % 60)
    match = _TIME.match(ascii_digits(str(text if text is not None else "").strip()))
    if not match or int(match[1]) > 23 or int(match[2] or 0) > 59:
        raise ValueError(text)
    return time(int(match[1]), int(match[2] or 0))


def languages_of(chosen: Iterable[str], others: str = "") -> list[str]:
    """Hindi and English as codes, other languages as written, each once: ["hi", "en", "bundeli"]."""
    found: list[str] = []
    for code in chosen:
        if code in LANGUAGE_LABELS and code not in found:
            found.append(code)
    for word in re.split(r"[,;/\n]+", others or ""):
        word = " ".join(word.split()).casefold()
        if not word:
            continue
        code = _LANGUAGE_NAMES.get(normalize(word), word)
        if code not in found:
            found.append(code)
    return found


_LANGUAGE_NAMES = {
    normalize(name): code
    for code, names in {
        "hi": ("hi", "hindi", "हिन्दी", "हिंदी"),
        "en": ("en", "english", "अंग्रेज़ी", "अंग्रेजी", "इंग्लिश"),
    }.items()
    for name in names
}


def window_error(window: Window, today: date) -> str | None:
    if window.starts_on < today:
        return _("The first day cannot be in the past.")
    if window.ends_on < window.starts_on:
        return _("The last day cannot come before the first.")
    if (window.ends_on - window.starts_on).days + 1 > MAX_WINDOW_DAYS:
        return _("At most %(count)s days at a time.", count=number(MAX_WINDOW_DAYS))
    if window.end_time <= window.start_time:
        return _("The hours must end after they start.")
    return None


def validate(data: NewVolunteer, today: date) -> dict[str, str]:
    """Every problem of a registration, by field; an empty dict when it can be saved (but for a
    mobile number already registered, which `create_volunteer` finds)."""
    errors: dict[str, str] = {}
    name = " ".join((data.name or "").split())
    if not name:
        errors["name"] = _("Write your name.")
    elif len(name) > NAME_MAX:
        errors["name"] = _("Keep it to %(count)s characters or fewer.", count=number(NAME_MAX))
    if normalise_mobile(data.mobile) is None:
        errors["mobile"] = _("Enter a 10-digit mobile number, like 9826012345.")
    if data.district_id is None:
        errors["district_id"] = _("Choose your district.")
    if data.organisation not in {o.value for o in Organisation}:
        errors["organisation"] = _("Choose the kind of organisation from the list.")
    if len(data.institution or "") > INSTITUTION_MAX:
        errors["institution"] = _("Keep it to %(count)s characters or fewer.", count=number(INSTITUTION_MAX))
    if len(", ".join(data.languages)) > OTHER_LANGUAGES_MAX + 10:
        errors["languages"] = _("Name fewer languages.")
    if len(data.address or "") > ADDRESS_MAX:
        errors["address"] = _("Keep it to %(count)s characters or fewer.", count=number(ADDRESS_MAX))
    if (data.lat is None) != (data.lon is None):
        errors["lat"] = _("Give both the latitude and the longitude, or neither.")
    elif data.lat is not None and not in_india(data.lat, data.lon):
        errors["lat"] = _("This point is not in India. Check the latitude and the longitude.")
    if not data.windows:
        errors["windows"] = _("Give at least one time when you are free.")
    elif len(data.windows) > MAX_WINDOWS:
        errors["windows"] = _("Give at most %(count)s times.", count=number(MAX_WINDOWS))
    else:
        for window in data.windows:
            if message := window_error(window, today):
                errors["windows"] = message
                break
    return errors


def already_registered(mobile: str) -> bool:
    return (
        db.session.scalar(select(Volunteer.id).where(Volunteer.mobile == mobile).limit(1)) is not None
        or db.session.scalar(select(User.id).where(User.login == mobile).limit(1)) is not None
    )


def duplicate_message() -> str:
    return _(
        "This mobile number is already registered. Sign in with it, or ask the collector's office "
        "if you have forgotten the password."
    )


def snapshot(volunteer: Volunteer) -> dict:
    return {
        "name": volunteer.name,
        "district_id": volunteer.district_id,
        "organisation": volunteer.organisation.value,
        "institution": volunteer.institution,
        "status": volunteer.status.value,
        "windows": len(volunteer.windows),
        "located": volunteer.lat is not None,
    }


def create_volunteer(
    data: NewVolunteer,
    *,
    password: str | None = None,
    status: VolunteerStatus = VolunteerStatus.PENDING,
    actor: User | None = None,
    form_token: str | None = None,
    now: datetime | None = None,
) -> Volunteer:
    """The volunteer's account (role volunteer, login = their mobile number, signing in once
    approved) and profile with its windows, audited; the caller commits. Raises VolunteerError."""
    now = now or utcnow()
    mobile = normalise_mobile(data.mobile)
    if mobile is None or already_registered(mobile):
        raise VolunteerError({"mobile": duplicate_message() if mobile else _("Enter a mobile number.")})
    approved = status == VolunteerStatus.APPROVED
    user = User(
        login=mobile,
        name=" ".join(data.name.split()),
        mobile=mobile,
        role=Role.VOLUNTEER,
        locale=data.locale if data.locale in ("hi", "en") else "hi",
        active=approved,
        district_id=data.district_id,
    )
    if password is None:
        user.password_hash = NO_PASSWORD
    else:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    volunteer = Volunteer(
        user_id=user.id,
        district_id=data.district_id,
        name=user.name,
        mobile=mobile,
        organisation=Organisation(data.organisation),
        institution=(data.institution or "").strip(),
        languages=list(data.languages),
        address=(data.address or "").strip(),
        lat=data.lat,
        lon=data.lon,
        geocode_status="off",
        status=status,
        approved_at=now if approved else None,
        approved_by_id=actor.id if approved and actor is not None else None,
        registered_at=now,
        form_token=form_token,
    )
    volunteer.windows = [
        AvailabilityWindow(
            district_id=data.district_id,
            user_id=user.id,
            starts_on=w.starts_on,
            ends_on=w.ends_on,
            start_time=w.start_time,
            end_time=w.end_time,
        )
        for w in data.windows
    ]
    db.session.add(volunteer)
    db.session.flush()
    action = "volunteer.import" if actor is not None else "volunteer.register"
    audit.record(actor or user, action, volunteer, None, snapshot(volunteer))
    return volunteer


# -- geocoding ------------------------------------------------------------------------------------

Geocoder = Callable[[str], "tuple[float, float] | None"]


def geocoder() -> Geocoder | None:
    """The configured geocoder: GEOCODER empty (off), a geopy service name ("nominatim", with
    GEOCODER_URL pointing at a self-hosted server), or a callable address → (lat, lon) (tests)."""
    setting = current_app.config.get("GEOCODER") or ""
    if callable(setting):
        return setting
    if not setting:
        return None
    from urllib.parse import urlsplit

    from geopy.geocoders import get_geocoder_for_service

    options: dict[str, Any] = {
        "user_agent": current_app.config.get("GEOCODER_USER_AGENT") or "sir-field-desk",
        "timeout": 10,
    }
    if url := current_app.config.get("GEOCODER_URL"):
        parts = urlsplit(url)
        options.update(domain=parts.netloc + parts.path.rstrip("/"), scheme=parts.scheme or "https")
    service = get_geocoder_for_service(setting)(**options)

    def lookup(address: str) -> tuple[float, float] | None:
        place = service.geocode(address)
        return (place.latitude, place.longitude) if place is not None else None

    return lookup


def start_geocoding(volunteer: Volunteer) -> Job | None:
    """When a geocoder is on and the volunteer gave an address but no point, queue the lookup.
    The caller commits, then sends the job's id (`send_geocoding`)."""
    if geocoder() is None or volunteer.lat is not None or not volunteer.address:
        return None
    volunteer.geocode_status = "pending"
    return create_job(volunteer.user, "volunteer.geocode", {"volunteer_id": volunteer.id})


def geocode(volunteer_id: int) -> str:
    """Look the address up and store the point: done, or failed (nothing found, or outside India)."""
    volunteer = db.session.get(Volunteer, volunteer_id)
    if volunteer is None or volunteer.lat is not None or not volunteer.address:
        return "off"
    lookup = geocoder()
    if lookup is None:
        return "off"
    district = db.session.get(District, volunteer.district_id)
    point = lookup(f"{volunteer.address}, {district.name_en}, India")
    if point is not None and in_india(*point):
        volunteer.lat, volunteer.lon = float(point[0]), float(point[1])
        volunteer.geocode_status = "done"
    else:
        volunteer.geocode_status = "failed"
    db.session.flush()
    audit.record(None, "volunteer.geocode", volunteer, None, {"geocode_status": volunteer.geocode_status})
    db.session.commit()
    return volunteer.geocode_status


def _geocoding_failed(job_ids: list[int]) -> None:
    """The lookup raised (server down, timeout): the volunteer's point stays unset, marked failed."""
    ids = [
        (job.params or {}).get("volunteer_id")
        for job in db.session.scalars(select(Job).where(Job.id.in_(job_ids)))
    ]
    db.session.execute(
        update(Volunteer)
        .where(Volunteer.id.in_([i for i in ids if i]), Volunteer.geocode_status == "pending")
        .values(geocode_status="failed", version=Volunteer.version + 1)
        .execution_options(synchronize_session=False)
    )


@job_task("volunteer.geocode", on_failure=_geocoding_failed)
def geocode_job(job: Job) -> dict:
    return {"geocode_status": geocode(job.params["volunteer_id"])}


# -- the bulk import: columns and cells ---------------------------------------------------------

# Column → its names in files, English first, then Hindi. The first alias is the column's title.
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("Name", "full name", "volunteer name", "नाम", "पूरा नाम", "स्वयंसेवक का नाम"),
    "mobile": ("Mobile", "mobile number", "mobile no", "phone", "मोबाइल", "मोबाइल नंबर", "मोबाइल नं"),
    "organisation": ("Organisation", "organization", "organisation type", "organization type", "संगठन"),
    "institution": ("Institution", "institute", "college", "संस्थान", "संस्थान का नाम"),
    "languages": ("Languages", "language", "भाषाएँ", "भाषाएं", "भाषा"),
    "lat": ("Latitude", "lat", "अक्षांश"),
    "lon": ("Longitude", "lon", "lng", "long", "देशांतर"),
    "address": ("Address", "पता"),
    "starts_on": ("First day", "from date", "start date", "available from", "पहला दिन", "किस तिथि से"),
    "ends_on": ("Last day", "to date", "end date", "available to", "अंतिम दिन", "किस तिथि तक"),
    "start_time": ("From", "from time", "start time", "समय से", "से"),
    "end_time": ("To", "to time", "end time", "समय तक", "तक"),
}
HINDI_NAMES = {
    "name": "नाम",
    "mobile": "मोबाइल",
    "organisation": "संगठन",
    "institution": "संस्थान",
    "languages": "भाषाएँ",
    "lat": "अक्षांश",
    "lon": "देशांतर",
    "address": "पता",
    "starts_on": "पहला दिन",
    "ends_on": "अंतिम दिन",
    "start_time": "समय से",
    "end_time": "समय तक",
}
REQUIRED = ("name", "mobile", "organisation", "starts_on", "ends_on", "start_time", "end_time")
_ALIASES = {normalize(alias): name for name, aliases in COLUMNS.items() for alias in aliases}
_ORGANISATIONS = {
    normalize(alias): organisation.value
    for organisation, aliases in {
        Organisation.NSS: ("nss", "एनएसएस", "राष्ट्रीय सेवा योजना"),
        Organisation.NCC: ("ncc", "एनसीसी", "राष्ट्रीय कैडेट कोर"),
        Organisation.COLLEGE: ("college", "college staff", "student", "कॉलेज", "महाविद्यालय", "छात्र"),
        Organisation.GOVERNMENT: ("government", "government staff", "govt", "सरकारी", "सरकारी कर्मचारी"),
        Organisation.PANCHAYAT: ("panchayat", "पंचायत", "पंचायत सचिव", "रोजगार सहायक"),
        Organisation.OTHER: ("other", "अन्य"),
    }.items()
    for alias in aliases
}


def column_title(name: str) -> str:
    return f"{COLUMNS[name][0]} / {HINDI_NAMES[name]}"


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else " ".join(str(value).split())


def _day(value: Any) -> date:
    if isinstance(value, str) and value.strip():
        try:
            return parse_iso_day(value)
        except ValueError:
            pass
    return date_cell(value)


@dataclass
class ImportRow:
    row: int
    data: NewVolunteer


@dataclass
class ImportCheck:
    rows: list[ImportRow] = field(default_factory=list)
    errors: ErrorList = field(default_factory=ErrorList)
    total_rows: int = 0

    def summary(self) -> dict:
        return {
            "rows": self.total_rows,
            "new": len(self.rows) if not self.errors.count else 0,
            "error_count": self.errors.count,
            "sample": [
                {"row": r.row, "name": r.data.name, "institution": r.data.institution}
                for r in self.rows[:SAMPLE_SIZE]
            ],
        }


def _read_row(cells: Sequence[Any], index: dict[str, int], row: int, district_id: int, errors: ErrorList):
    """One row as a registration, or None (its problems added to `errors`)."""

    def cell(name: str) -> Any:
        position = index.get(name)
        return cells[position] if position is not None and position < len(cells) else None

    label = _text(cell("name"))[:40]
    problems = 0

    def problem(column: str, message: str) -> None:
        nonlocal problems
        problems += 1
        errors.add(row, message, column_title(column), label)

    organisation = _ORGANISATIONS.get(normalize(cell("organisation")), "")
    if not organisation:
        problem(
            "organisation",
            _(
                "Unknown organisation “%(value)s”: write NSS, NCC, college, government, panchayat or other.",
                value=_text(cell("organisation"))[:20],
            ),
        )
    lat = lon = None
    for column in ("lat", "lon"):
        try:
            value = parse_coordinate(cell(column))
        except ValueError:
            problem(column, _("Not a number: “%(value)s”.", value=_text(cell(column))[:20]))
            continue
        if column == "lat":
            lat = value
        else:
            lon = value
    window_cells: dict[str, Any] = {}
    for column, read in (
        ("starts_on", _day),
        ("ends_on", _day),
        ("start_time", parse_time_of_day),
        ("end_time", parse_time_of_day),
    ):
        try:
            window_cells[column] = read(cell(column))
        except (CellError, ValueError):
            if column in ("starts_on", "ends_on"):
                problem(
                    column,
                    _("Not a date: “%(value)s”. Write it as YYYY-MM-DD.", value=_text(cell(column))[:20]),
                )
            else:
                problem(
                    column, _("Not a time: “%(value)s”. Write it as 09:00.", value=_text(cell(column))[:20])
                )
    windows = [Window(**window_cells)] if len(window_cells) == 4 else []
    data = NewVolunteer(
        name=_text(cell("name")),
        mobile=_text(cell("mobile")),
        district_id=district_id,
        organisation=organisation,
        institution=_text(cell("institution")),
        languages=languages_of((), _text(cell("languages"))),
        address=_text(cell("address")),
        lat=lat,
        lon=lon,
        windows=windows,
    )
    checks = validate(data, campaign_today())
    columns = {"lat": "lat", "windows": "starts_on", "district_id": "name"}
    for key, message in checks.items():
        if key == "windows" and len(window_cells) < 4:
            continue  # the cells' own problems are listed already
        if key == "organisation" or (key == "lat" and (lat is None) != (lon is None) and problems):
            continue
        problem(columns.get(key, key), message)
    return None if problems else data


def check_file(path: Path, district_id: int, job_id: int | None = None) -> ImportCheck:
    """The dry run: read every row, check it as a registration, and look for mobile numbers
    registered already or given twice. Raises ImportFileError when the file cannot be used."""
    rows_iter = iter(table_rows(path))
    header_row, index, _headers = read_header(rows_iter, _ALIASES, column_title)
    missing = [name for name in REQUIRED if name not in index]
    if missing:
        raise ImportFileError(
            _(
                "Columns missing: %(columns)s. The first row must name the columns.",
                columns="; ".join(column_title(name) for name in missing),
            )
        )
    result = ImportCheck()
    seen: dict[str, int] = {}
    for position, cells in enumerate(rows_iter, start=header_row + 1):
        if all(is_blank(c) for c in cells):
            continue
        result.total_rows += 1
        if result.total_rows > MAX_IMPORT_ROWS:
            raise ImportFileError(
                _(
                    "The file has more than %(max)s rows. Split it into smaller files.",
                    max=number(MAX_IMPORT_ROWS),
                )
            )
        data = _read_row(cells, index, position, district_id, result.errors)
        if data is not None:
            mobile = normalise_mobile(data.mobile)
            if mobile in seen:
                result.errors.add(
                    position,
                    _("This mobile number is already in row %(row)s.", row=seen[mobile]),
                    column_title("mobile"),
                    data.name[:40],
                )
            else:
                seen[mobile] = position
                result.rows.append(ImportRow(position, data))
        if job_id is not None and result.total_rows % PROGRESS_EVERY == 0:
            report_progress(job_id, result.total_rows, 0)
    if not result.total_rows:
        raise ImportFileError(_("The file has no volunteers under the header row."))
    registered = _registered_among(list(seen))
    for row in result.rows:
        if normalise_mobile(row.data.mobile) in registered:
            result.errors.add(
                row.row,
                _("This mobile number is registered already."),
                column_title("mobile"),
                row.data.name[:40],
            )
    result.errors.items.sort(key=lambda e: e["row"])
    return result


def _registered_among(mobiles: list[str]) -> set[str]:
    """The numbers already taken, as a volunteer's or as a login: two queries per 500 numbers."""
    found: set[str] = set()
    for start in range(0, len(mobiles), 500):
        chunk = mobiles[start : start + 500]
        found.update(db.session.scalars(select(Volunteer.mobile).where(Volunteer.mobile.in_(chunk))))
        found.update(db.session.scalars(select(User.login).where(User.login.in_(chunk))))
    return found


# -- the bulk import: its runs on the queue -------------------------------------------------------

CHECK, APPLY = "volunteers.import.check", "volunteers.import.apply"
KINDS = (CHECK, APPLY)


def start_import(actor: User, filename: str, stored_path: Path, locale: str) -> Job:
    """The dry run's job; the caller commits, then sends its id (`send`)."""
    job = create_job(
        actor,
        CHECK,
        {"path": str(stored_path), "filename": Path(filename).name[:200] or "upload", "locale": locale},
    )
    audit.record(actor, "volunteer.import_upload", job, None, {"filename": job.params["filename"]})
    return job


def can_apply(check: Job) -> bool:
    result = check.result or {}
    return check.kind == CHECK and result.get("state") == "checked" and not result.get("apply_job_id")


def start_apply(actor: User, check: Job, locale: str) -> Job | None:
    """The apply's job, once per checked file; None when the check is not ready or was applied."""
    if not can_apply(check):
        return None
    job = create_job(actor, APPLY, {**check.params, "check_job_id": check.id, "locale": locale})
    check.result = {**check.result, "apply_job_id": job.id}
    return job


def send(job: Job) -> None:
    """Enqueue a committed job of this module."""
    {CHECK: check_import, APPLY: apply_import, "volunteer.geocode": geocode_job}[job.kind](job.id)


def _failure(check: ImportCheck, message: str, state: str) -> dict:
    return {
        **check.summary(),
        "state": state,
        "new": 0,
        "message": message,
        "errors": check.errors.items,
    }


@job_task(CHECK)
def check_import(job: Job) -> dict:
    with force_locale(job.params["locale"]):
        try:
            check = check_file(Path(job.params["path"]), job.district_id, job.id)
        except ImportFileError as error:
            return {"state": "rejected", "message": str(error), "errors": [], "error_count": 0}
        if check.errors.count:
            return _failure(
                check,
                ngettext(
                    "%(count)s problem found. Nothing was saved: fix the file and upload it again.",
                    "%(count)s problems found. Nothing was saved: fix the file and upload it again.",
                    check.errors.count,
                    count=number(check.errors.count),
                ),
                "rejected",
            )
        return {**check.summary(), "state": "checked", "errors": []}


@job_task(APPLY)
def apply_import(job: Job) -> dict:
    """Re-check the file (someone may have registered since) and create every volunteer in one
    transaction, approved: the collector vouches for the institution's list."""
    with force_locale(job.params["locale"]):
        actor = db.session.get(User, job.user_id)
        try:
            check = check_file(Path(job.params["path"]), job.district_id, job.id)
        except ImportFileError as error:
            result = {"state": "failed", "message": str(error), "errors": [], "error_count": 0}
        else:
            if check.errors.count:
                result = _failure(
                    check,
                    ngettext(
                        "Since the check, %(count)s problem appeared. "
                        "Nothing was saved: upload the file again.",
                        "Since the check, %(count)s problems appeared. "
                        "Nothing was saved: upload the file again.",
                        check.errors.count,
                        count=number(check.errors.count),
                    ),
                    "failed",
                )
            else:
                now = utcnow()
                for position, row in enumerate(check.rows, start=1):
                    create_volunteer(row.data, status=VolunteerStatus.APPROVED, actor=actor, now=now)
                    if position % PROGRESS_EVERY == 0:
                        report_progress(job.id, position, len(check.rows))
                result = {**check.summary(), "state": "applied", "errors": []}
        job = db.session.get(Job, job.id)
        job.result = result
        db.session.commit()
        return result


def new_form_token() -> str:
    return secrets.token_urlsafe(24)
