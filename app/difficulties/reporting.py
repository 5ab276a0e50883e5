"""The BLO's side of difficulties: log one in three taps (category, severity, Send), see the ones
already reported nearby, follow one's own, and see a difficulty's photo.

An officer (supervisor, ERO, collector) opens the same form for a part in their scope and raises it
on the BLO's behalf. The form is shared by its page and the BLO's home page
(templates/difficulties/_form.html); its fragments are blocks in that file.
"""

from __future__ import annotations

import re
import secrets

from flask import current_app, flash, make_response, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField
from jinja2_fragments.flask import render_block
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from wtforms import HiddenField, RadioField, TextAreaField

from app import idempotency, photos, uploads
from app.access import PLACE_VIEWERS, allow, may
from app.difficulties import bp, labels, services
from app.difficulties.models import Category, Difficulty, DifficultyEvent, DifficultyPhoto, Source
from app.errors import render_error
from app.extensions import db
from app.forms import Form
from app.htmx import is_partial, redirect_to, render
from app.inputs import BadArgument, parse_whole_number
from app.lists import ListForm
from app.models import Part, Role
from app.scope import Scope, current_scope
from app.timeutil import utcnow

# Who logs a difficulty: the BLO, or an officer on the BLO's behalf (the state office does not).
REPORTERS = frozenset({Role.BLO, Role.SUPERVISOR, Role.ERO, Role.COLLECTOR})
# Up to this many parts are offered as a choice; beyond it the officer raises it from the part's page.
PART_CHOICES = 30
FORM_TEMPLATE = "difficulties/_form.html"
_FORM_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}", re.ASCII)

for _name, _filter in (
    ("difficulty_category", labels.category_label),
    ("difficulty_severity", labels.severity_label),
    ("difficulty_status", labels.status_label),
    ("difficulty_level", labels.level_label),
):
    bp.add_app_template_filter(_filter, _name)


class DifficultyForm(Form):
    """The three taps and the optional text and photo; the rules live in services.validate_new."""

    form_token = HiddenField()
    part_id = RadioField(_l("Which part"), choices=[], validate_choice=False)
    category = RadioField(
        _l("What is the difficulty?"),
        choices=[(c.value, label) for c, label in labels.HEARD_CATEGORY_LABELS.items()],
        validate_choice=False,
    )
    severity = RadioField(
        _l("How badly does it hit your work?"),
        choices=[(s.value, label) for s, label in labels.TAP_SEVERITY_LABELS.items()],
        validate_choice=False,
    )
    description = TextAreaField(
        _l("A few words (optional)"),
        render_kw={"maxlength": services.DESCRIPTION_MAX_LENGTH, "rows": 2},
        description=_l("Hindi or English, up to 500 characters."),
    )
    photo = FileField(_l("A photo (optional)"), render_kw={"accept": "image/*"})

    def __init__(self, *args, parts: list[Part] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.part_id.choices = [(str(p.id), f"{p.constituency.number}-{p.number}") for p in parts]
        if not self.is_submitted() or not self.form_token.data:
            self.form_token.data = secrets.token_urlsafe(24)

    def token(self) -> str | None:
        return self.form_token.data if _FORM_TOKEN.fullmatch(self.form_token.data or "") else None

    def add_errors(self, errors: dict[str, str]) -> None:
        for name, message in errors.items():
            field = getattr(self, name, None)
            (field.errors if field is not None else self.form_errors).append(message)


def _id_argument(name: str, source) -> int | None:
    text = (source.get(name) or "").strip()
    if not text:
        return None
    try:
        return parse_whole_number(text)
    except ValueError:
        raise BadArgument(name, text) from None


def _parts_to_choose(scope: Scope) -> list[Part]:
    """The user's parts, when few enough to offer as a choice (one more than the limit: too many)."""
    return list(
        db.session.scalars(
            scope.parts()
            .options(joinedload(Part.constituency))
            .order_by(Part.constituency_id, Part.number)
            .limit(PART_CHOICES + 1)
        )
    )


def _place(scope: Scope, values) -> tuple[Part | None, list[Part]]:
    """The part asked for (through the scope: 403 for another's), else the user's only part; and the
    parts to choose from when neither settles it."""
    part_id = _id_argument("part_id", values)
    if part_id is not None:
        return scope.require_part(part_id), []
    parts = _parts_to_choose(scope)
    if len(parts) == 1:
        return parts[0], []
    return None, parts


def form_context(scope: Scope, part: Part | None, parts: list[Part], form: DifficultyForm, **extra) -> dict:
    """What templates/difficulties/_form.html needs; the home page builds it the same way."""
    hints = extra.pop("hints", None)
    if hints is None and part is not None and form.category.data in {c.value for c in Category}:
        hints = services.duplicate_hints(part.constituency_id, Category(form.category.data), utcnow())
    _with_places(hints or [])
    return {
        "form": form,
        "part": part,
        "parts": parts if len(parts) <= PART_CHOICES else [],
        "too_many_parts": len(parts) > PART_CHOICES,
        "hints": hints or [],
        "action": url_for("difficulties.new", part_id=part.id if part is not None else None),
        **extra,
    }


def blank_form_context(scope: Scope) -> dict | None:
    """The form for the BLO's home page, or None when the user holds no part."""
    part, parts = _place(scope, {})
    if part is None and not parts:
        return None
    return form_context(scope, part, parts, DifficultyForm(formdata=None, parts=parts))


def _answer(block: str, status: int = 200, **context):
    """The block of the form file for htmx, else the whole form page."""
    if is_partial():
        body = render_block(FORM_TEMPLATE, block, **context)
    else:
        body = render_template("difficulties/new.html", **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


def _read_photo(errors: dict[str, str]) -> tuple[photos.Photo | None, str | None]:
    """The photo, kept, or its refusal's code, with its words under errors["photo"] (photos.py reads
    the header first: a pixel bomb is refused before it is decoded)."""
    upload = request.files.get("photo")
    if upload is None or not upload.filename:
        return None, None
    data = upload.stream.read(photos.MAX_UPLOAD_BYTES + 1)
    try:
        return photos.process_photo(data), None
    except photos.PhotoError as error:
        errors["photo"] = uploads.photo_message(error)
        return None, error.code


def _severity_of_original(part: Part, duplicate_of_id: int | None) -> str | None:
    """ "Same problem as #n" tapped before a severity: the original's severity stands for it."""
    if duplicate_of_id is None:
        return None
    return db.session.scalar(
        select(Difficulty.severity).where(
            Difficulty.id == duplicate_of_id, Difficulty.constituency_id == part.constituency_id
        )
    )


@bp.route("/new", methods=["GET", "POST"])
@allow(REPORTERS)
@idempotency.idempotent
def new():
    scope = current_scope()
    part, parts = _place(scope, request.values)
    form = DifficultyForm(parts=parts)
    if request.method == "GET" and request.args.get("category"):
        form.category.data = request.args["category"]
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        if form.errors:
            idempotency.refusal(next(iter(form.errors.values()))[0])
        return _answer("form", status, **form_context(scope, part, parts, form))

    errors: dict[str, str] = {}
    if part is None:
        errors["part_id"] = _("Choose the part the difficulty is about.")
    photo, photo_refused = _read_photo(errors)
    duplicate_of_id = _id_argument("duplicate_of_id", request.form)
    severity = form.severity.data or (
        _severity_of_original(part, duplicate_of_id) if part is not None else None
    )
    data = services.NewDifficulty(
        category=form.category.data,
        severity=severity,
        description=form.description.data,
        duplicate_of_id=duplicate_of_id,
        form_token=form.token(),
        photo=photo,
    )
    if errors:
        errors = services.validate_new(data) | errors
    else:
        user = current_user._get_current_object()
        source = Source.BLO if user.role == Role.BLO else Source.OFFICER
        try:
            saved = services.raise_difficulty(user, part, data, source, utcnow())
            db.session.commit()
        except services.DifficultyError as error:
            db.session.rollback()
            errors = error.errors
        except IntegrityError:
            # The same form sent twice at once: the other request saved it; answer alike.
            db.session.rollback()
            saved, _token = services.saved_entry(part, data)
            if saved is None:
                raise
            return _saved(saved)
        else:
            return _saved(saved)
    form.add_errors(errors)
    # The photo's reason first: it is the one a phone's queue shows.
    idempotency.refusal(errors.get("photo") or next(iter(errors.values()), ""))
    status = 413 if photo_refused == "too_large" else 422
    return _answer("form", status, **form_context(scope, part, parts, form))


def _saved(difficulty: Difficulty):
    """The answer to a sent form, the same for the first Send and a repeated one."""
    if is_partial():
        response = _answer("confirmation", saved=difficulty, **_confirmation(difficulty))
        # The page's own list of the BLO's difficulties (the home page's) reads itself again.
        response.headers["HX-Trigger"] = "sir-difficulty-sent"
        return response
    flash(_("Difficulty #%(number)s sent.", number=difficulty.id), "success")
    return redirect_to(url_for("difficulties.show", difficulty_id=difficulty.id))


def _confirmation(difficulty: Difficulty) -> dict:
    return {"again_url": url_for("difficulties.new", part_id=difficulty.part_id)}


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error):
    """A body past the server's own limit is refused before the CSRF check or the view read it:
    the form comes back as typed (app/uploads.py reads its text fields, drops the file), with the
    reason beside the photo and in X-Refusal, not the bare 413 page."""
    message = uploads.photo_message(photos.PhotoError("too_large"))
    if request.endpoint != "difficulties.new" or not (
        current_user.is_authenticated and may(current_user.role, "difficulties.new")
    ):
        return uploads.refused(render_error(413, message), message)
    typed = uploads.typed_fields()
    try:
        scope = current_scope()
        part, parts = _place(scope, CombinedMultiDict([request.args, typed or MultiDict()]))
    except HTTPException as refused:  # a part not the user's: that is the answer
        return render_error(refused.code or 400)
    form = DifficultyForm(formdata=typed, parts=parts)
    form.photo.errors = [message]
    return uploads.refused(_answer("form", 413, **form_context(scope, part, parts, form)), message)


@bp.route("/hints")
@allow(REPORTERS)
def hints():
    """The open difficulties of the chosen category in the part's AC from the last 24 hours."""
    scope = current_scope()
    part, parts = _place(scope, request.args)
    category = request.args.get("category", "")
    form = DifficultyForm(formdata=None, parts=parts)
    form.category.data = category
    found = []
    if part is not None and category in {c.value for c in Category}:
        found = services.duplicate_hints(part.constituency_id, Category(category), utcnow())
    return _answer("hints", **form_context(scope, part, parts, form, hints=found))


def own_difficulties(scope: Scope):
    """The difficulties of the user's parts (and those they reported), newest first."""
    return (
        select(Difficulty)
        .where(scope.of(Difficulty))
        .options(joinedload(Difficulty.owner), joinedload(Difficulty.part).joinedload(Part.constituency))
        .order_by(Difficulty.opened_at.desc(), Difficulty.id.desc())
    )


def latest_own(scope: Scope, limit: int = 5) -> tuple[list[Difficulty], dict]:
    """The BLO's home page: their latest difficulties and when each last changed."""
    found = list(db.session.scalars(own_difficulties(scope).limit(limit)).unique())
    return found, last_updates(found)


def last_updates(difficulties) -> dict[int, object]:
    """When each difficulty's timeline last moved, in one grouped query."""
    ids = [d.id for d in difficulties]
    if not ids:
        return {}
    return dict(
        db.session.execute(
            select(DifficultyEvent.difficulty_id, func.max(DifficultyEvent.at))
            .where(DifficultyEvent.difficulty_id.in_(ids))
            .group_by(DifficultyEvent.difficulty_id)
        ).all()
    )


def _with_places(difficulties: list[Difficulty]) -> list[Difficulty]:
    """Load the hints' parts and ACs in one query, not one per hint."""
    part_ids = {d.part_id for d in difficulties}
    if part_ids:
        db.session.scalars(
            select(Part).options(joinedload(Part.constituency)).where(Part.id.in_(part_ids))
        ).all()
    return difficulties


@bp.route("/mine")
@allow(Role.BLO)
def mine():
    """The BLO's difficulties, newest first, each with where it stands and its last update."""
    controls = ListForm.read()
    pages = controls.paginate(own_difficulties(current_scope()), current_app.config["PAGE_SIZE"])
    return render("difficulties/mine.html", block="rows", pages=pages, last_update=last_updates(pages.items))


@bp.route("/<int:difficulty_id>/photo")
@allow(PLACE_VIEWERS)
def photo(difficulty_id: int):
    difficulty = current_scope().require(Difficulty, difficulty_id)
    stored = db.session.scalar(select(DifficultyPhoto).where(DifficultyPhoto.difficulty_id == difficulty.id))
    if stored is None:
        return render_error(404)
    response = make_response(stored.data)
    response.headers["Content-Type"] = stored.content_type
    response.headers["Cache-Control"] = "private, max-age=86400"
    response.headers["Content-Disposition"] = f'inline; filename="difficulty-{difficulty.id}.jpg"'
    return response
