"""Settings from the environment, with defaults that run the app with no servers."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask
from sqlalchemy.engine import make_url

from booking.measures import MeasureError, with_clinic_measures

# Extension settings that may be given directly in the environment (as well as
# any setting with the FLASK_ prefix, which Flask itself understands).
EXTENSION_PREFIXES = ("RATELIMIT_", "SQLALCHEMY_", "WTF_", "SESSION_COOKIE_")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"

# Settings without a text default that are text all the same (a password of digits stays text).
TEXT_SETTINGS = frozenset({"PUBLIC_BASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "MAIL_SERVER", "MAIL_USERNAME",
                           "MAIL_PASSWORD", "MIGRATION_DATABASE_URL", "MEASURES_DIR"})

DEFAULTS: dict[str, Any] = {
    "BOOKING_ENV": "development",
    # Where the secret key and the default SQLite file live, whatever the working directory.
    "INSTANCE_PATH": str(PROJECT_ROOT / "instance"),
    # The address patients reach the site at; every absolute link (calendar files,
    # emails) is built from it, never from the request's Host. Required in production.
    "PUBLIC_BASE_URL": None,
    "CLINIC_NAME": "Bow River Physiotherapy & Massage",
    "CLINIC_PHONE": "+1 403-555-0142",
    "CLINIC_ADDRESS": "101 Riverfront Avenue SW, Calgary, AB T2P 0A1",
    "CLINIC_TIMEZONE": "America/Edmonton",
    "SLOT_GRID_MINUTES": 15,
    "MIN_NOTICE_MINUTES": 120,
    "BOOKING_HORIZON_DAYS": 90,
    "CANCEL_CUTOFF_HOURS": 24,
    # No connection is older than 5 minutes, so none idles past a firewall's timeout; a connection the
    # server closed is found without a round trip (booking/database.py, check_connections).
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_recycle": 300},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_HEADERS_ENABLED": True,
    "RATELIMIT_CONTACT": "5 per hour",
    "RATELIMIT_SCREENING": "30 per hour",
    "RATELIMIT_BOOKING": "20 per hour",
    "RATELIMIT_READ": "600 per minute",
    "RATELIMIT_LOGIN": "10 per minute;50 per hour",
    # The owner of the tables, that `flask db upgrade` connects as; the role of DATABASE_URL is then
    # granted only what the app needs (see booking/database_roles.py). Unset: one role does both.
    "MIGRATION_DATABASE_URL": None,
    "REDIS_URL": None,
    # The worker's broker: CELERY_BROKER_URL, else REDIS_URL, else an embedded one under INSTANCE_PATH.
    "CELERY_BROKER_URL": None,
    # Staff sessions end after this long without a request, and this long after sign-in whatever happens.
    "STAFF_IDLE_MINUTES": 30,
    "STAFF_SESSION_HOURS": 12,
    "CELERY_QUEUE": "booking",
    # Notifications (see booking/notifications/): reminders this many minutes before a visit,
    # the scheduler's relay interval, a claim's lease, attempts and the first retry's wait.
    "REMINDER_OFFSETS_MINUTES": [1440, 120],
    "OUTBOX_RELAY_SECONDS": 5,
    "NOTIFY_LEASE_SECONDS": 120,
    "NOTIFY_MAX_ATTEMPTS": 5,
    "NOTIFY_RETRY_SECONDS": 30,
    # Mail: SMTP when MAIL_SERVER is set, else .eml files under INSTANCE_PATH/mail/
    # (in production only when MAIL_TO_FOLDER says so).
    "MAIL_SERVER": None,
    "MAIL_TO_FOLDER": False,
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USE_SSL": False,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_DEFAULT_SENDER": "Bow River Physiotherapy & Massage <bookings@bowriver-clinic.example>",
    "CLINIC_EMAIL": "frontdesk@bowriver-clinic.example",
    # Request bodies larger than this are refused with 413 (forms and JSON are far smaller).
    "MAX_CONTENT_LENGTH": 64 * 1024,
    # A folder of the clinic's own outcome measures, one TOML file each, asked after the built-in ones
    # (docs/outcome-measures.md); read and checked at start.
    "MEASURES_DIR": None,
}


def database_url(url: str) -> str:
    """Return a SQLAlchemy URL for a usual postgresql:// or sqlite:// URL."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _parse(value: str) -> Any:
    """Read an environment value as JSON when it is JSON, else as text."""
    try:
        return json.loads(value)
    except ValueError:
        return value


def _from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """Collect the settings the environment gives."""
    found: dict[str, Any] = {}
    for key, value in environ.items():
        if key in DEFAULTS or key.startswith(EXTENSION_PREFIXES):
            found[key] = value if isinstance(DEFAULTS.get(key), str) or key in TEXT_SETTINGS else _parse(value)
        elif key.startswith("FLASK_") and key not in ("FLASK_APP", "FLASK_DEBUG", "FLASK_RUN_HOST", "FLASK_RUN_PORT"):
            found[key.removeprefix("FLASK_")] = _parse(value)
    if "DATABASE_URL" in environ:
        found["SQLALCHEMY_DATABASE_URI"] = environ["DATABASE_URL"]
    if "SECRET_KEY" in environ:
        found["SECRET_KEY"] = environ["SECRET_KEY"]
    return found


def _development_secret(instance: Path) -> str:
    """Return the secret key kept under instance/, creating it once."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def load_config(app: Flask, overrides: Mapping[str, Any] | None = None,
                environ: Mapping[str, str] | None = None) -> None:
    """Fill app.config from defaults, the environment and then the overrides."""
    app.config.update(DEFAULTS)
    app.config.update(_from_environment(os.environ if environ is None else environ))
    app.config.update(overrides or {})

    production = app.config["BOOKING_ENV"] == "production"
    instance = _instance_folder(app.config["INSTANCE_PATH"])
    app.instance_path = app.config["INSTANCE_PATH"] = str(instance)
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", f"sqlite:///{instance / 'booking.sqlite3'}")
    app.config["PUBLIC_BASE_URL"] = _public_base_url(app.config["PUBLIC_BASE_URL"], production)
    if not app.config.get("SECRET_KEY"):
        if production:
            raise RuntimeError("SECRET_KEY is not set: with BOOKING_ENV=production the app "
                               "refuses to start without one. Set SECRET_KEY in the environment.")
        app.config["SECRET_KEY"] = _development_secret(instance)
    if production:
        app.config["SESSION_COOKIE_SECURE"] = True
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if app.config["MIGRATION_DATABASE_URL"]:
        app.config["MIGRATION_DATABASE_URL"] = database_url(app.config["MIGRATION_DATABASE_URL"])
        _check_roles(app.config["SQLALCHEMY_DATABASE_URI"], app.config["MIGRATION_DATABASE_URL"])
    # SQL parameters (names, emails, messages) never reach a log or an error message, whatever options are given.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**app.config["SQLALCHEMY_ENGINE_OPTIONS"], "hide_parameters": True}
    if "RATELIMIT_STORAGE_URI" not in app.config:
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"] or "memory://"
    if production:
        _check_shared_limits(app.config)
        _check_mail(app.config)
    _check(app.config)


def _instance_folder(value: str) -> Path:
    """The instance folder, created if missing; it must be given as an absolute path."""
    path = Path(value)
    if not path.is_absolute():
        raise RuntimeError(f"INSTANCE_PATH {value!r} must be an absolute path, so that every process "
                           "(web, worker, commands) finds the same folder whatever its working directory.")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _public_base_url(value: str | None, production: bool) -> str:
    """PUBLIC_BASE_URL checked (http or https, a host, no query or fragment), without a trailing slash."""
    if not value:
        if production:
            raise RuntimeError("PUBLIC_BASE_URL is not set: with BOOKING_ENV=production the app refuses to "
                               "start without it, because links in calendar files and emails are built "
                               "from it. Set it to the address patients use, e.g. https://book.example.ca.")
        return DEVELOPMENT_BASE_URL
    try:
        parts = urlsplit(str(value))
        valid = (parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
                 and not (parts.query or parts.fragment or parts.username or parts.password))
    except ValueError:  # a malformed port or host
        valid = False
    if not valid or str(value).endswith(("?", "#")):
        raise RuntimeError(f"PUBLIC_BASE_URL {value!r} must be an http:// or https:// address with a host "
                           "and no query, fragment or user name, e.g. https://book.example.ca")
    return str(value).rstrip("/")


def _check_roles(app_url: str, owner_url: str) -> None:
    """Refuse a MIGRATION_DATABASE_URL that is not another role of DATABASE_URL's PostgreSQL database."""
    app, owner = make_url(app_url), make_url(owner_url)
    if app.get_backend_name() != "postgresql" or owner.get_backend_name() != "postgresql":
        raise RuntimeError("MIGRATION_DATABASE_URL is for PostgreSQL, where the app's role and the owner of the "
                           "tables differ; with SQLite leave it unset.")
    if (app.host, app.port or 5432, app.database) != (owner.host, owner.port or 5432, owner.database):
        raise RuntimeError("MIGRATION_DATABASE_URL must name the same server and database as DATABASE_URL, "
                           "with the user that owns the tables.")
    if app.username == owner.username:
        raise RuntimeError("MIGRATION_DATABASE_URL must connect as another user than DATABASE_URL (the owner "
                           "of the tables), or be left unset so that one user does both.")


def _check_shared_limits(config: Mapping[str, Any]) -> None:
    """Refuse in-memory rate-limit counters in production, where each gunicorn worker would count alone."""
    if config["RATELIMIT_ENABLED"] and str(config["RATELIMIT_STORAGE_URI"]).startswith("memory://"):
        raise RuntimeError("Rate limits would be kept in memory: with BOOKING_ENV=production the app refuses "
                           "to start so, because each gunicorn worker would count on its own and allow "
                           "several times the limit. Set REDIS_URL (or RATELIMIT_STORAGE_URI) to a shared "
                           "store, or RATELIMIT_ENABLED=false to turn rate limits off.")


def _check_mail(config: Mapping[str, Any]) -> None:
    """Refuse, in production, to write emails to files nobody was told of, unless MAIL_TO_FOLDER says so."""
    if not config["MAIL_SERVER"] and config["MAIL_TO_FOLDER"] is not True:
        raise RuntimeError("MAIL_SERVER is not set: with BOOKING_ENV=production the app refuses to start "
                           "so, because no email (confirmations, reminders, password resets) would reach "
                           "anyone. Set MAIL_SERVER to your SMTP server, or MAIL_TO_FOLDER=true to have "
                           "each email written to INSTANCE_PATH/mail/ on purpose.")


def _check(config: Mapping[str, Any]) -> None:
    """Refuse settings that would make the clinic show wrong information."""
    try:
        ZoneInfo(config["CLINIC_TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise RuntimeError(f"CLINIC_TIMEZONE {config['CLINIC_TIMEZONE']!r} is not a known time zone") from exc
    offsets = config["REMINDER_OFFSETS_MINUTES"]
    if not (isinstance(offsets, list) and all(isinstance(o, int) and not isinstance(o, bool) and o > 0
                                              for o in offsets)):
        raise RuntimeError("REMINDER_OFFSETS_MINUTES must be a JSON list of positive whole numbers, like [1440, 120]")
    _check_measures(config["MEASURES_DIR"])


def _check_measures(directory: str | None) -> None:
    """Refuse a MEASURES_DIR that is not an absolute path, or whose measure files are not all sound."""
    if not directory:
        return
    if not Path(directory).is_absolute():
        raise RuntimeError(f"MEASURES_DIR {directory!r} must be an absolute path, so that every process (web, "
                           "worker, commands) reads the same measures whatever its working directory.")
    try:
        with_clinic_measures(str(directory))
    except MeasureError as error:
        raise RuntimeError(f"MEASURES_DIR: {error}") from None
