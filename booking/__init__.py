"""Clinic booking: the Flask application factory.

The factory imports the app's parts when it runs, not when the package is imported: importing any
module of the package runs this file first, and gunicorn's master imports ``booking.logs`` (see
gunicorn.conf.py), the benchmark's bare app ``booking.config``. Neither should hold the whole app.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

def create_app(overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, errors, security, commands.

    Settings come from ``environ`` (os.environ when None) and then ``overrides``.
    """
    from flask import Flask

    from booking import cli, errors, logs, security, templating
    from booking import models as models  # the metadata must know every table
    from booking.clinic import links
    from booking.config import load_config

    logs.install()
    app = Flask(__name__)
    load_config(app, overrides, environ)
    register_extensions(app)
    register_blueprints(app)
    errors.register(app)
    security.register(app)
    templating.register(app)
    links.register(app)
    cli.register(app)
    return app


def register_extensions(app: Flask) -> None:
    """Bind the unbound extensions to this app."""
    from booking import database
    from booking.extensions import csrf, db, limiter
    from booking.queue import celery_init_app
    from booking.staff import access

    db.init_app(app)
    database.configure_engine(app)
    csrf.init_app(app)
    limiter.init_app(app)
    celery_init_app(app)
    access.register(app)


def register_blueprints(app: Flask) -> None:
    """Mount the public pages, the patient flow (screening, booking), the staff and admin pages and the JSON API."""
    from booking.admin import bp as admin_bp
    from booking.api import bp as api_bp
    from booking.appointments import bp as appointments_bp
    from booking.extensions import csrf
    from booking.public import bp as public_bp
    from booking.public.reminders import stop_reminders
    from booking.screening import bp as screening_bp
    from booking.staff import bp as staff_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(screening_bp)
    app.register_blueprint(appointments_bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)  # the API takes JSON, not forms
    csrf.exempt(stop_reminders)  # a mail client's one-click stop (RFC 8058) has no form: the link's token is the key
