"""Application factory: configuration, extensions, blueprints, CLI, error pages, headers."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app import passwords
from app.config import INSTANCE_DIR, Config
from app.extensions import babel, compress, csrf, db, limiter, login_manager, migrate
from app.extensions import htmx as htmx_extension
from app.inputs import IdConverter

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(INSTANCE_DIR),
    )
    app.config.from_object(Config)
    if test_config:
        app.config.update(test_config)
    if not app.config.get("TESTING") and app.config["PASSWORD_HASH_METHOD"] != passwords.PRODUCTION_METHOD:
        raise RuntimeError("a cheaper password hash is for tests only (TESTING)")
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    # Before any blueprint adds its rules: every <int:...> in the app is a bounded id.
    app.url_map.converters["int"] = IdConverter
    _init_extensions(app)

    from app import access, errors, formatting, security

    access.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    formatting.init_app(app)

    _register_blueprints(app)

    from app import cli, tasks

    cli.init_app(app)
    tasks.init_app(app)
    app.url_defaults(_static_stamp)
    return app


def _init_extensions(app: Flask) -> None:
    """The database, migrations, sign-in, CSRF, translations, htmx, the rate limits and compression."""
    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(ROOT / "migrations"),
        render_as_batch=True,
        compare_type=True,
        include_name=_not_the_queues_table,
    )
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    # Not "strong": it ties the session to the IP address, and a phone on mobile data changes its IP
    # all day, so every change signed the BLO out, remembered or not. "basic" only marks such a session
    # not fresh, which nothing here asks for. Old cookies are ended instead by the account's session
    # token (User.get_id), renewed on a password reset, an own password change and deactivation.
    login_manager.session_protection = "basic"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    htmx_extension.init_app(app)
    limiter.init_app(app)
    compress.init_app(app)
    app.after_request(compress_client_errors)


def _register_blueprints(app: Flask) -> None:
    """Every feature's blueprint."""
    from app.accounts import bp as accounts_bp
    from app.auth import bp as auth_bp
    from app.campaign import bp as campaign_bp
    from app.difficulties import bp as difficulties_bp
    from app.exports import bp as exports_bp
    from app.imports import bp as imports_bp
    from app.inspections import bp as inspections_bp
    from app.main import bp as main_bp
    from app.maps import bp as maps_bp
    from app.offline import bp as offline_bp
    from app.places import bp as places_bp
    from app.progress import bp as progress_bp
    from app.reports import bp as reports_bp
    from app.reviews import bp as reviews_bp
    from app.volunteers import bp as volunteers_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(places_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(campaign_bp)
    app.register_blueprint(progress_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(reviews_bp)
    app.register_blueprint(difficulties_bp)
    app.register_blueprint(volunteers_bp)
    app.register_blueprint(inspections_bp)
    app.register_blueprint(exports_bp)
    app.register_blueprint(imports_bp)
    app.register_blueprint(maps_bp)
    app.register_blueprint(offline_bp)


@lru_cache(maxsize=512)
def _file_stamp(path: str) -> str:
    try:
        return hashlib.blake2s(Path(path).read_bytes(), digest_size=4).hexdigest()
    except OSError:
        return "0"


def _static_stamp(endpoint: str, values: dict) -> None:
    """Static URLs carry a stamp of the file's content: after a release, a browser's day-long cache
    of app.css or a script can never serve the old file under the same address."""
    if endpoint == "static" and "filename" in values and "v" not in values:
        from flask import current_app

        values["v"] = _file_stamp(str(Path(current_app.static_folder) / values["filename"]))


def _not_the_queues_table(name, type_, parent_names) -> bool:
    """Alembic leaves alone the tables huey makes when QUEUE_URL is the app's PostgreSQL."""
    return not (type_ == "table" and name.startswith("huey_"))


def compress_client_errors(response):
    """Flask-Compress leaves 4xx answers alone, but a 422 form with its messages is an everyday htmx
    answer on a phone: let it compress those too, keeping the status."""
    if 400 <= response.status_code < 500 and request.method != "HEAD":
        status = response.status_code
        response.status_code = 200
        response = compress.after_request(response)
        response.status_code = status
    return response


def select_locale() -> str:
    """The user's saved language, else this browser's choice, else the browser's header."""
    from flask import current_app

    languages = current_app.config["LANGUAGES"]
    lang = None
    if current_user and current_user.is_authenticated:
        lang = current_user.locale
    if lang not in languages:
        lang = session.get("lang")
    if lang not in languages:
        lang = request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    # The _IN territory gives Indian digit grouping (5,74,06,143) in both languages.
    return f"{lang}_IN"


def select_timezone() -> str:
    from app.campaign.services import campaign_timezone

    return campaign_timezone()


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """WAL for concurrent readers, foreign keys enforced, and wait rather than fail on locks."""
    module = type(dbapi_connection).__module__
    if "sqlite" not in module:
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
