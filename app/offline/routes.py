"""The service worker (/sw.js, scope /), the manifest, and the queue page; which pages a phone keeps."""

from __future__ import annotations

import json

from flask import current_app, make_response, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.access import ALL_ROLES, allow, may, public
from app.campaign.clock import campaign_zone
from app.htmx import is_partial, render
from app.models import Role
from app.offline import bp
from app.offline.shell import KEEPERS, QUEUEABLE, READABLE_OFFLINE, SHELL, build_version, url_pattern
from app.timeutil import utcnow

THEME_COLOUR = "#1f5f8b"
SYNC_TAG = "sir-offline-queue"


def version() -> str:
    return build_version(current_app.static_folder, current_app.config.get("APP_VERSION", ""))


@bp.route("/sw.js")
@public
def service_worker():
    """The worker's script from the app's root so that its scope is the whole app. Its text carries
    the build version, so a release is a new worker whose install fetches the new shell."""
    body = current_app.jinja_env.get_template("offline/sw.js").render(
        version=version(),
        shell=[url_for("static", filename=name) for name in SHELL],
        idb_keyval=url_for("static", filename="vendor/idb-keyval-6.3.0.umd.js"),
        queue_script=url_for("static", filename="js/offline-queue.js"),
        queue_url=url_for("offline.queue"),
        sign_in_url=url_for("auth.login"),
        sync_tag=SYNC_TAG,
    )
    response = make_response(body)
    response.headers["Content-Type"] = "text/javascript; charset=utf-8"
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/manifest.webmanifest")
@public
def manifest():
    """The installable app's name in the reader's language, its icons and colour."""
    lang = str(get_locale()).split("_")[0]
    body = {
        "name": _("SIR field desk"),
        "short_name": _("SIR desk"),
        "description": _("Special Intensive Revision of electoral rolls: coordination desk."),
        "lang": lang,
        "dir": "ltr",
        "start_url": url_for("main.home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOUR,
        "icons": [
            {
                "src": url_for("static", filename=f"icons/icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
            }
            for size in (192, 512)
        ],
    }
    response = make_response(json.dumps(body, ensure_ascii=False))
    response.headers["Content-Type"] = "application/manifest+json; charset=utf-8"
    response.headers["Cache-Control"] = "no-cache"
    response.vary.add("Cookie")
    return response


@bp.route("/offline/queue")
@allow(ALL_ROLES)
def queue():
    """What this phone keeps waiting to send: the list is read from the phone itself (offline.js)."""
    return render("offline/queue.html", block="queue", words=queue_words())


@bp.app_template_global("keeps_offline_copy")
def keeps_copy() -> bool:
    """May this answer be kept on the phone to read offline? Only a BLO's or volunteer's own pages."""
    return (
        request.method == "GET"
        and request.endpoint in READABLE_OFFLINE
        and current_user.is_authenticated
        and current_user.role in KEEPERS
        and not is_partial()
    )


@bp.app_template_global("now_utc")
def now_utc():
    return utcnow()


@bp.app_template_global("offline_config")
def offline_config() -> dict:
    """What offline.js needs on every page: the user, the forms it may queue, its words."""
    if not current_user.is_authenticated:
        return {"user": None}
    by_role = current_app.extensions.setdefault("offline_queueable", {})
    patterns = by_role.get(current_user.role)
    if patterns is None:  # the URL map is fixed once the app serves: read it once per role
        patterns = sorted(
            url_pattern(rule.rule)
            for rule in current_app.url_map.iter_rules()
            if rule.endpoint in QUEUEABLE and may(current_user.role, rule.endpoint)
        )
        by_role[current_user.role] = patterns
    warm = []
    if current_user.role == Role.BLO:
        warm = [
            url_for("main.home"),
            url_for("reports.today"),
            url_for("difficulties.new"),
            url_for("difficulties.mine"),
            url_for("offline.queue"),
        ]
    elif current_user.role == Role.VOLUNTEER:
        warm = [url_for("main.home"), url_for("volunteers.mine"), url_for("offline.queue")]
    return {
        "user": current_user.id,
        "warm": warm,
        "sw": url_for("offline.service_worker"),
        "queueUrl": url_for("offline.queue"),
        # Kept for signing out with no network: the sign-in page opens from the phone at once.
        "signIn": url_for("auth.login"),
        "syncTag": SYNC_TAG,
        "queueable": patterns,
        # Only what every page may need: the queue page brings its own (queue_words).
        "strings": {
            "saved": _("Saved on this phone, waiting to send."),
            # A kept post once sent, on its form's note and the queue page, in the campaign's time.
            "sent": _("Sent at %(time)s"),
            # A kept post the server refused, on the note of the form that kept it.
            "refusedNote": _("Not saved: %(reason)s"),
            "refusedPlain": _("Not saved: the server refused it."),
            "fix": _("Correct it"),
            "zone": campaign_zone().key,
            "seeQueue": _("See what is waiting"),
            "notKept": _(
                "Not sent, and this phone could not keep it: your figures are still in the form. "
                "Save again when the network is back."
            ),
            "notReadable": _("No network, and this page is not kept on the phone."),
            "signOutConfirm": _(
                "%(count)s kept on this phone will be deleted when you sign out. Sign out anyway?"
            ),
        },
    }


def queue_words() -> dict:
    """The queue page's words and the campaign's zone for its times (static/js/offline-ui.js)."""
    return {
        "zone": campaign_zone().key,
        "waiting": _("Waiting to send"),
        "refused": _("Not saved"),
        "conflict": _("Two sets of figures: choose"),
        "network": _("No network: it will be sent when the phone is online."),
        "signIn": _("Sign in again to send it."),
        "serverError": _("The server could not save it just now: it will be tried again."),
        "created": _("Kept at"),
        "deleteConfirm": _("Delete this from the phone? It has not been sent."),
        "resolve": _("Choose which figures stand"),
        # When this phone last reached the server with something kept, in the campaign's time.
        "lastSent": _("Last sent from this phone: %(time)s"),
        "nothingSent": _("Nothing sent from this phone in the last day."),
    }


@bp.after_app_request
def mark_kept_copy(response):
    """Tell the worker which answers it may keep, and for whom (its copies are per user)."""
    if response.status_code == 200 and keeps_copy():
        response.headers["X-Offline-Copy"] = str(current_user.id)
    return response
