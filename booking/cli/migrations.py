"""``flask db``: Flask-Migrate's commands, with Flask-Migrate bound to the app only when they run.

Importing Flask-Migrate imports Alembic and Mako: 11 MiB that every web worker would hold, though none
of them migrates. So the factory registers a stand-in ``db`` command; run, it binds Flask-Migrate to the
app (which puts Flask-Migrate's own ``db`` group in its place) and hands that group the rest of the
command line. Code that calls Flask-Migrate's functions (``flask_migrate.upgrade()``, as the tests do)
calls ``bind`` first.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from booking.extensions import db

if TYPE_CHECKING:
    from flask import Flask

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def bind(app: Flask) -> None:
    """Bind Flask-Migrate to the app (the migrations folder, comparing column types): what its commands need."""
    from flask_migrate import Migrate

    Migrate(app, db, directory=str(MIGRATIONS), compare_type=True)


def stand_in(app: Flask) -> click.Command:
    """The ``db`` command of the app: binds Flask-Migrate, then runs its ``db`` group with the same arguments."""

    @click.command("db", add_help_option=False,
                   context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
    @click.pass_context
    def migrations(context: click.Context) -> None:
        """Perform database migrations (Flask-Migrate)."""
        bind(app)
        app.cli.commands["db"].main(context.args, prog_name=context.command_path, obj=context.obj,
                                    standalone_mode=False)

    return migrations
