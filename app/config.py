"""Configuration read from the environment, so one build runs anywhere."""

import os
from pathlib import Path

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-change-me")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'sir.sqlite'}")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    CAMPAIGN_TIMEZONE = os.environ.get("CAMPAIGN_TIMEZONE", "Asia/Kolkata")

    LANGUAGES = ("hi", "en")
    BABEL_DEFAULT_LOCALE = os.environ.get("DEFAULT_LANGUAGE", "hi")
    BABEL_DEFAULT_TIMEZONE = CAMPAIGN_TIMEZONE
    BABEL_TRANSLATION_DIRECTORIES = str(Path(__file__).resolve().parent / "translations")

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "5 per minute;20 per hour")
    # The public volunteer sign-up, per address: registrations made, and attempts of any outcome.
    VOLUNTEER_REGISTER_RATE_LIMIT = os.environ.get("VOLUNTEER_REGISTER_RATE_LIMIT", "5 per hour;20 per day")
    VOLUNTEER_REGISTER_ATTEMPT_LIMIT = os.environ.get("VOLUNTEER_REGISTER_ATTEMPT_LIMIT", "60 per hour")

    # Fixed here, not read from the environment: only a test configuration may choose a cheaper one.
    PASSWORD_HASH_METHOD = "scrypt"

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SECURE_COOKIES")
    REMEMBER_COOKIE_NAME = "remember_token"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = _bool("SECURE_COOKIES")
    WTF_CSRF_TIME_LIMIT = None
    PAGE_SIZE = 50
    # Uploads (imports) are refused early above this size, with the 413 page.
    MAX_CONTENT_LENGTH = 25 * 1024 * 1024
    # The job queue (app/tasks.py): empty for an SQLite file under instance/, or sqlite:///…,
    # redis://… or postgresql://… for consumers on several machines.
    QUEUE_URL = os.environ.get("QUEUE_URL", "")
    # Run each task at once inside the request that enqueues it (tests).
    QUEUE_IMMEDIATE = _bool("QUEUE_IMMEDIATE")

    # Extra origins allowed to serve map tiles (space separated); empty on a closed network.
    MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
    MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "")
    # A directions link to a booth, e.g. "https://maps.example/dir/?destination={lat},{lon}";
    # empty: the booth's page offers the phone's own map (a geo: link) only.
    DIRECTIONS_URL = os.environ.get("DIRECTIONS_URL", "")
    # Static files are cached for a day; vendored files carry their version in the name.
    SEND_FILE_MAX_AGE_DEFAULT = 86400
    # Pages, fragments and static files go out compressed (Flask-Compress): brotli, else gzip.
    # Brotli level 6 packs Pico and htmx smaller than gzip at about 2 ms each; static files are streamed.
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_ALGORITHM_STREAMING = ["br", "gzip"]
    COMPRESS_BR_LEVEL = 6

    # Turning a volunteer's address into a point, as a job (app/volunteers/intake.py): empty = off;
    # a geopy service name such as "nominatim", with GEOCODER_URL pointing at a self-hosted server.
    GEOCODER = os.environ.get("GEOCODER", "")
    GEOCODER_URL = os.environ.get("GEOCODER_URL", "")
    GEOCODER_USER_AGENT = os.environ.get("GEOCODER_USER_AGENT", "sir-field-desk")
