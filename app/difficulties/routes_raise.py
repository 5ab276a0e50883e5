"""The BLO's side of difficulties: log one in three taps (category, severity, Send), see the ones
already reported nearby, follow one's own.

An officer (supervisor, ERO, collector) opens the same form for a part in their scope and raises it
on the BLO's behalf. The form is shared by its page and the BLO's home page
(templates/difficulties/_form.html); its fragments are blocks in that file. The offline queue posts
it as it was filled (form_token and idempotency_key included).
"""

from __future__ import annotations

from flask import flash, make_response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from jinja2_fragments.flask import render_block
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from app import idempotency, photos, uploads
from app.access import allow
from app.difficulties import bp, pages, services
from app.difficulties.forms import DifficultyForm, PartForm
from app.difficulties.models import Difficulty, Source
from app.errors import render_error
from app.extensions import db
from app.htmx import is_partial, redirect_to, render
from app.lists import ListForm
from app.models import Role
from app.scope import current_scope
from app.timeutil import utcnow

# Who logs a difficulty: the BLO, or an officer on the BLO's behalf (the state office does not).
REPORTERS = frozenset({Role.BLO, Role.SUPERVISOR, Role.ERO, Role.COLLECTOR})
FORM_TEMPLATE = "difficulties/_form.html"


def _answer(block: str, status: int = 200, **context):
    """The block of the form file for htmx, else the whole form page."""
    if is_partial():
        body = render_block(FORM_TEMPLATE, block, **context)
    else:
        body = render_template("difficulties/new.html", **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


def _read_photo(form: DifficultyForm, errors: dict[str, str]) -> tuple[photos.Photo | None, str | None]:
    """The photo, kept, or its refusal's code, with its words under errors["photo"] (photos.py reads
    the header first: a pixel bomb is refused before it is decoded)."""
    upload = form.photo.data
    if upload is None:
        return None, None
    data = upload.stream.read(photos.MAX_UPLOAD_BYTES + 1)
    try:
        return photos.process_photo(data), None
    except photos.PhotoError as error:
        errors["photo"] = uploads.photo_message(error)
        return None, error.code


@bp.route("/new", methods=["GET", "POST"])
@allow(REPORTERS)
@idempotency.idempotent
def new():
    scope = current_scope()
    part, parts = pages.place(scope, PartForm.part_id_in(request.values))
    form = DifficultyForm(parts=parts)
    if request.method == "GET" and request.args.get("category"):
        form.category.data = request.args["category"]
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        if form.errors:
            idempotency.refusal(next(iter(form.errors.values()))[0])
        return _answer("form", status, **pages.form_context(scope, part, parts, form))

    errors: dict[str, str] = {}
    if part is None:
        errors["part_id"] = _("Choose the part the difficulty is about.")
    photo, photo_refused = _read_photo(form, errors)
    severity = form.severity.data or (
        services.original_severity(part, form.duplicate_of_id.data) if part is not None else None
    )
    data = form.new_difficulty(severity, photo)
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
    return _answer("form", status, **pages.form_context(scope, part, parts, form))


def _saved(difficulty: Difficulty):
    """The answer to a sent form, the same for the first Send and a repeated one."""
    if is_partial():
        again_url = url_for("difficulties.new", part_id=difficulty.part_id)
        response = _answer("confirmation", saved=difficulty, again_url=again_url)
        # The page's own list of the BLO's difficulties (the home page's) reads itself again.
        response.headers["HX-Trigger"] = "sir-difficulty-sent"
        return response
    flash(_("Difficulty #%(number)s sent.", number=difficulty.id), "success")
    return redirect_to(url_for("difficulties.show", difficulty_id=difficulty.id))


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error):
    """A body past the server's own limit is refused before the CSRF check or the view read it:
    the form comes back as typed (app/uploads.py reads its text fields, drops the file), with the
    reason beside the photo and in X-Refusal, not the bare 413 page."""
    message = uploads.photo_message(photos.PhotoError("too_large"))
    if not uploads.shows_form_again("difficulties.new"):
        return uploads.refused_page(message)
    typed = uploads.typed_fields()
    try:
        scope = current_scope()
        values = CombinedMultiDict([request.args, typed or MultiDict()])
        part, parts = pages.place(scope, PartForm.part_id_in(values))
        form = DifficultyForm(formdata=typed, parts=parts)
    except HTTPException as refused:  # a part not the user's, a garbled id: that is the answer
        return render_error(refused.code or 400)
    form.photo.errors = [message]
    return uploads.refused(_answer("form", 413, **pages.form_context(scope, part, parts, form)), message)


@bp.route("/hints")
@allow(REPORTERS)
def hints():
    """The open difficulties of the chosen category in the part's AC from the last 24 hours."""
    scope = current_scope()
    part, parts = pages.place(scope, PartForm.part_id_in(request.args))
    return _answer("hints", **pages.hints_context(scope, part, parts, request.args.get("category", "")))


@bp.route("/mine")
@allow(Role.BLO)
def mine():
    """The BLO's difficulties, newest first, each with where it stands and its last update."""
    return render(
        "difficulties/mine.html", block="rows", **pages.mine_context(current_scope(), ListForm.read())
    )
