"""Command-line commands (flask --app booking ...)."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import with_appcontext

from booking.cli import demo, migrations
from booking.cli.privacy import privacy
from booking.outbox import retries as admin
from booking.services.staff_accounts import accounts
from booking.services.staff_accounts import logins as staff_logins


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when at least one therapist is stored.")
@with_appcontext
def seed_demo(if_empty: bool) -> None:
    """Load the demo clinic: services, therapists, weekly hours, and a calendar of three weeks' visits (safe to run
    again)."""
    if if_empty and demo.has_therapists():
        click.echo("The clinic already has therapists; the demo data was not loaded.")
        return
    for line in demo.seed().lines():
        click.echo(line)


@click.command("create-staff")
@click.option("--role", type=click.Choice(["admin", "therapist"]), required=True, help="What the login may do.")
@click.option("--email", required=True, help="The email address the person signs in with.")
@click.option("--therapist-id", type=int, help="The therapist a therapist login belongs to.")
@with_appcontext
def create_staff(role: str, email: str, therapist_id: int | None) -> None:
    """Create a staff login; the password is read from standard input (asked twice, hidden, on a terminal)."""
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        user = accounts.create_staff(role, email, password, therapist_id)
    except accounts.AccountError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"Created the {role} login {user.email}.")
    if user.is_admin:
        click.echo("It sets up two-factor sign-in (an authenticator app) at its first sign-in.")


@click.command("deactivate-staff")
@click.option("--email", required=True, help="The email address of the login to deactivate.")
@with_appcontext
def deactivate_staff(email: str) -> None:
    """End a staff login's access at once: its sessions, calendar feed, sign-in and password resets."""
    user = accounts.find_by_email(email)
    if user is None:
        raise click.ClickException(f"No staff login has the email {accounts.typed_email(email)}.")
    try:
        changed = staff_logins.deactivate(user, None)
    except accounts.AccountError as exc:
        raise click.ClickException(exc.message) from exc
    if changed:
        click.echo(f"Deactivated the login {user.email}: its sessions have ended and it can no longer sign in.")
    else:
        click.echo(f"The login {user.email} was already deactivated.")


@click.group("notifications", invoke_without_command=True)
@click.pass_context
@with_appcontext
def notifications(context: click.Context) -> None:
    """List the notifications pending or failed (kind, due, attempts, last error; no personal data)."""
    if context.invoked_subcommand is not None:
        return
    rows = admin.unfinished()
    if not rows:
        click.echo("No notifications are pending or failed.")
        return
    click.echo(f"{'id':>8}  {'status':<8} {'kind':<22} {'due (UTC)':<17} {'attempts':>8}  last error")
    for row in rows:
        click.echo(f"{row.id:>8}  {row.status:<8} {row.kind:<22} {row.due_at:%Y-%m-%d %H:%M}  "
                   f"{row.attempts:>8}  {row.last_error or ''}")


@notifications.command("retry")
@click.argument("notification_id", type=int)
@with_appcontext
def retry_notification(notification_id: int) -> None:
    """Send a failed notification again, now, with a fresh count of attempts."""
    try:
        admin.retry(notification_id, by_staff=None)
    except admin.NotRetryable as refusal:
        raise click.ClickException(str(refusal)) from refusal
    click.echo(f"Notification {notification_id} is due now and handed to the worker.")


def register(app: Flask) -> None:
    """Install the commands."""
    app.cli.add_command(migrations.stand_in(app))
    app.cli.add_command(seed_demo)
    app.cli.add_command(create_staff)
    app.cli.add_command(deactivate_staff)
    app.cli.add_command(notifications)
    app.cli.add_command(privacy)
