"""Command-line commands (flask --app booking ...)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from booking import demo


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when at least one therapist is stored.")
@with_appcontext
def seed_demo(if_empty: bool) -> None:
    """Load the demo clinic: services, therapists, weekly hours and a few visits (safe to run again)."""
    if if_empty and demo.has_therapists():
        click.echo("The clinic already has therapists; the demo data was not loaded.")
        return
    for line in demo.seed().lines():
        click.echo(line)


def register(app: Flask) -> None:
    """Install the commands."""
    app.cli.add_command(seed_demo)
