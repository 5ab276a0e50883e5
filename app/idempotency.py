"""Idempotency keys for the posts a phone may queue and send again (issue 11: weak networks).

The contract with the browser's queue (static/js):

- The client sends `Idempotency-Key: <uuid>` (or a form field `idempotency_key`), a UUID made when
  the form was filled. Without one the endpoint behaves as it always did.
- Same user, same key, same payload: the original answer (status, body, and Location, HX-Redirect,
  HX-Trigger, HX-Retarget, HX-Reswap, Content-Type), with `Idempotent-Replay: true`; the messages
  the original answer flashed are flashed again.
- Same key, another payload: 422. The key still being worked on: 409. A key that is not a UUID: 400.
- Every 4xx answer of a decorated endpoint (and a plain post's refusal answered with a redirect
  and a flashed message) carries `X-Refusal`: one short line in the user's
  language, URL-encoded UTF-8, for the queue to show on the item. The body says it in full.
- Keys are kept at least 24 hours: the periodic purge removes those older than 48 hours.

The payload's fingerprint is a sha256 over the endpoint, the URL's arguments, the form's fields
(sorted, without csrf_token, which a new sign-in changes, and without the key) and the uploaded
files' contents.

The key is claimed by an INSERT under the unique (user, key) constraint, in its own short
transaction before the work: of two workers or two tabs racing, one inserts, the other finds the
row (409 while it is processing, the replay once it is done). A claim still "processing" after
TAKE_OVER_AFTER was left by a crashed worker and is taken over.

The answer is kept after the view's own commit, in a second short transaction: a worker dying
between the two leaves the key "processing", and the post taken over later runs again. Each
decorated post is safe to run twice: the report writes the same day's row with the same figures,
a difficulty's form token finds the one already logged, a second check-in or check-out changes
nothing, the work log writes the same figures.
"""

from __future__ import annotations

import functools
import hashlib
import json
import secrets
import uuid
import zlib
from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import quote

from flask import current_app, flash, g, make_response, request, session
from flask_babel import gettext as _
from flask_login import current_user
from huey import crontab
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

from app.extensions import db
from app.htmx import render
from app.models.idempotency import IdempotencyKey
from app.tasks import periodic_task
from app.timeutil import utcnow

HEADER = "Idempotency-Key"
FORM_FIELD = "idempotency_key"
REPLAY_HEADER = "Idempotent-Replay"
REFUSAL_HEADER = "X-Refusal"
KEEP_AT_LEAST = timedelta(hours=24)
PURGE_AFTER = timedelta(hours=48)
# A post takes well under a second; a claim this old belongs to a worker that died.
TAKE_OVER_AFTER = timedelta(minutes=5)
PROCESSING, DONE = "processing", "done"
# The headers of an answer that a replay gives back; Set-Cookie is not among them (the session moved on).
KEPT_HEADERS = (
    "Content-Type",
    "Location",
    "HX-Redirect",
    "HX-Trigger",
    "HX-Retarget",
    "HX-Reswap",
    "HX-Location",
    "HX-Refresh",
)
_NOT_IN_FINGERPRINT = frozenset({"csrf_token", FORM_FIELD})
_TABLE = IdempotencyKey.__table__


def refusal(message: str) -> None:
    """The one-line reason of this request's 4xx answer, sent as X-Refusal (a default otherwise)."""
    g.idempotency_refusal = str(message)


def _default_refusal(status: int) -> str:
    if status == 409:
        return _("Nothing was saved: the record changed meanwhile.")
    if status in (401, 403):
        return _("Nothing was saved: this is not open to you.")
    if status == 404:
        return _("Nothing was saved: this page no longer exists.")
    if status == 413:
        return _("Nothing was saved: the upload is too large.")
    if status == 422:
        return _("Nothing was saved: see the messages on the form.")
    return _("Nothing was saved: the request could not be read.")


def _with_refusal(response):
    if REFUSAL_HEADER in response.headers:
        g.pop("idempotency_refusal", None)
        return response
    if 400 <= response.status_code < 500 or "idempotency_refusal" in g:
        reason = g.pop("idempotency_refusal", None) or _default_refusal(response.status_code)
        response.headers[REFUSAL_HEADER] = quote(" ".join(reason.split())[:300], safe="")
    return response


def with_refusal(response, message: str):
    """`response` with `message` as its X-Refusal, for an answer made outside an @idempotent view
    (an error handler: a body past MAX_CONTENT_LENGTH is refused before any view runs)."""
    refusal(message)
    return _with_refusal(response)


def init_app(app) -> None:
    """Every 4xx answer of the app carries X-Refusal, not only the decorated posts': a phone's
    queue, a script or a test reads one short reason from any refused request."""
    app.after_request(_with_refusal)


def fingerprint() -> str:
    """The request's payload as a sha256: endpoint, URL arguments, form fields and files."""
    form = sorted(
        (name, request.form.getlist(name)) for name in request.form if name not in _NOT_IN_FINGERPRINT
    )
    files = []
    for name in sorted(request.files):
        for upload in request.files.getlist(name):
            digest = hashlib.sha256(upload.stream.read()).hexdigest()
            upload.stream.seek(0)
            files.append((name, upload.filename or "", digest))
    payload = {
        "endpoint": request.endpoint,
        "args": sorted((name, str(value)) for name, value in (request.view_args or {}).items()),
        "form": form,
        "files": files,
    }
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()


def new_key() -> str:
    """A key for a form the server renders itself (the conflict page's choices)."""
    return str(uuid.uuid4())


def _parse_key(text: str) -> str | None:
    try:
        return str(uuid.UUID(text.strip()))
    except ValueError:
        return None


def _refused(status: int, message: str, short: str):
    """A refusal of the layer itself, as the endpoint answers: its fragment for htmx, else a page."""
    refusal(short)
    return render("idempotency/refused.html", block="refusal", status=status, message=message)


class _Claim:
    """What claiming a key found: ours to work on (`token` set), or the row another request holds."""

    def __init__(self, row_id: int, token: str | None = None, row=None):
        self.row_id, self.token, self.row = row_id, token, row


def claim(user_id: int, key: str, endpoint: str, print_: str, now: datetime) -> _Claim:
    """Insert the key (ours), or read the row that holds it; take over a claim left by a dead worker.

    Each step is its own transaction on its own connection, committed at once, so another worker
    sees the claim while this one works.
    """
    token = secrets.token_hex(16)
    for _attempt in range(3):
        try:
            with db.engine.begin() as connection:
                row_id = connection.execute(
                    insert(_TABLE).values(
                        user_id=user_id,
                        key=key,
                        endpoint=endpoint,
                        fingerprint=print_,
                        status=PROCESSING,
                        claim=token,
                        created_at=now,
                        claimed_at=now,
                    )
                ).inserted_primary_key[0]
            return _Claim(row_id, token)
        except IntegrityError:
            pass
        with db.engine.connect() as connection:
            row = connection.execute(
                select(_TABLE).where(_TABLE.c.user_id == user_id, _TABLE.c.key == key)
            ).first()
        if row is None:
            continue  # released (a refusal) between our insert and our read: try again
        if row.status == PROCESSING and row.fingerprint == print_ and row.claimed_at < now - TAKE_OVER_AFTER:
            with db.engine.begin() as connection:
                taken = connection.execute(
                    update(_TABLE)
                    .where(_TABLE.c.id == row.id, _TABLE.c.claim == row.claim, _TABLE.c.status == PROCESSING)
                    .values(claim=token, claimed_at=now)
                ).rowcount
            if taken == 1:
                current_app.logger.warning("idempotency key %s of user %s taken over", key, user_id)
                return _Claim(row.id, token)
            continue
        return _Claim(row.id, row=row)
    raise RuntimeError(f"idempotency key {key} could not be claimed nor read")


def release(claimed: _Claim) -> None:
    """Forget the claim: the post was refused or failed, and the person may fix it and send again.

    Keeping a refusal would answer the corrected post with a 422 (another payload under the same
    key) and the unchanged one with the old refusal, although the reason may be gone (a day now
    open, an officer's figures now seen); so only answers that saved something are kept.
    """
    try:
        with db.engine.begin() as connection:
            connection.execute(
                delete(_TABLE).where(_TABLE.c.id == claimed.row_id, _TABLE.c.claim == claimed.token)
            )
    except OperationalError:
        # The database was too busy to forget it: the claim stays "processing", and a resend after
        # TAKE_OVER_AFTER takes it over. The refusal itself is still answered.
        current_app.logger.exception("idempotency key claim %s could not be released", claimed.row_id)


def _store(claimed: _Claim, response, flashes: list) -> None:
    headers = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
    with db.engine.begin() as connection:
        connection.execute(
            update(_TABLE)
            .where(_TABLE.c.id == claimed.row_id, _TABLE.c.claim == claimed.token)
            .values(
                status=DONE,
                finished_at=utcnow(),
                response_status=response.status_code,
                response_headers={"headers": headers, "flashes": flashes},
                response_body=zlib.compress(response.get_data(), 6),
            )
        )


def _replay(row):
    kept = row.response_headers or {}
    for category, message in kept.get("flashes", []):
        flash(message, category)
    response = make_response(
        zlib.decompress(row.response_body) if row.response_body else b"", row.response_status
    )
    for name, value in kept.get("headers", {}).items():
        response.headers[name] = value
    response.headers[REPLAY_HEADER] = "true"
    response.vary.add("HX-Request")
    return response


def _new_flashes(before: int) -> list:
    return [list(item) for item in session.get("_flashes", [])[before:]]


def idempotent(view: Callable) -> Callable:
    """Make a queueable POST safe to send again under an idempotency key (see the module's doc).

    GET requests and posts without a key go straight to the view; every 4xx answer gets X-Refusal.
    """

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        try:
            return _with_refusal(_run(view, args, kwargs))
        except HTTPException as error:
            return _with_refusal(make_response(current_app.handle_http_exception(error)))

    return wrapper


def _run(view: Callable, args, kwargs):
    text = request.headers.get(HEADER) or (request.form.get(FORM_FIELD) if request.method == "POST" else None)
    if request.method != "POST" or not text:
        return make_response(view(*args, **kwargs))
    key = _parse_key(text)
    if key is None:
        return _refused(
            400,
            _(
                "This form carries a key the server cannot read. Nothing was saved: open the form "
                "again and send it."
            ),
            _("Nothing was saved: the form's key is unreadable."),
        )
    now = utcnow()
    print_ = fingerprint()
    claimed = claim(current_user.id, key, request.endpoint, print_, now)
    if claimed.token is None:
        row = claimed.row
        if row.fingerprint != print_ or row.endpoint != request.endpoint:
            return _refused(
                422,
                _(
                    "This form was already sent with other contents under the same key. Nothing was "
                    "saved this time: fill the form again and send it."
                ),
                _("Nothing was saved: this key was already used for another form."),
            )
        if row.status == PROCESSING:
            return _refused(
                409,
                _("This form is being saved right now. Wait a moment and send it again to see its answer."),
                _("Still being saved: send it again in a moment."),
            )
        return _replay(row)
    flashed = len(session.get("_flashes", []))
    try:
        response = make_response(view(*args, **kwargs))
    except BaseException:
        db.session.rollback()
        release(claimed)
        raise
    # A plain post's refusal may be a redirect with the message flashed: refusal() marks it.
    if 200 <= response.status_code < 400 and "idempotency_refusal" not in g:
        try:
            _store(claimed, response, _new_flashes(flashed))
        except Exception:
            # The work is saved: answer it. The key stays "processing"; a resend after
            # TAKE_OVER_AFTER runs again, which these posts allow (see above).
            current_app.logger.exception("idempotency key %s: the answer could not be kept", key)
    else:
        db.session.rollback()
        release(claimed)
    return response


def purge(now: datetime | None = None) -> int:
    """Delete the keys older than PURGE_AFTER (so each is kept at least KEEP_AT_LEAST); how many."""
    cutoff = (now or utcnow()) - PURGE_AFTER
    result = db.session.execute(
        delete(IdempotencyKey)
        .where(IdempotencyKey.created_at < cutoff)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount


@periodic_task(crontab(minute="23"))
def purge_old_keys() -> None:
    """Every hour: a key outlives the 24 hours a phone may take to send its queue again."""
    purged = purge()
    if purged:
        current_app.logger.info("idempotency keys purged: %s", purged)
