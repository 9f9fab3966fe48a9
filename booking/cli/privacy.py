"""flask privacy retention [--dry-run]: destroy the records whose date has come, or list what would go and why."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from booking.services.privacy import destruction


@click.group("privacy")
def privacy() -> None:
    """Privacy and records: retention."""


@privacy.command("retention")
@click.option("--dry-run", is_flag=True, help="List what would be destroyed and why; destroy nothing.")
@with_appcontext
def retention(dry_run: bool) -> None:
    """Destroy every record of each person whose retention date has come (the nightly task does the same); a
    person under a legal hold is kept. Patients are named by their record's id only."""
    report = destruction.destroy_due(dry_run=dry_run)
    verb = "Would destroy" if dry_run else "Destroyed"
    for person in report.destroyed:
        click.echo(f"{verb} the records of patient {person.patient_id}: {person.retention.rule}.")
    for person in report.held:
        click.echo(f"Kept under a legal hold, patient {person.patient_id}: {person.retention.rule}.")
    for person in destruction.birth_date_needed():
        click.echo(f"Kept, patient {person.patient_id}: {person.retention.rule}.")
    if not report.destroyed:
        click.echo("Nothing is due for destruction." if dry_run else "Nothing was destroyed.")
