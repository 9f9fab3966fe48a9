"""Deactivating a staff login (the admin page, the CLI, a therapist's page): every way in ends at once."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from booking.extensions import db
from booking.models import StaffUser
from booking.services.staff_accounts.accounts import NO_MATCH
from booking.services.therapists.feed import feed_token
from tests.factories import StaffUserFactory
from tests.staff.auth_steps import audit_actions, location, log_in, page
from tests.staff_fixtures import signed_in

OWN_LOGIN = "You cannot deactivate your own login"
LAST_ADMIN = "is the only active admin"


def feed_path(user: StaffUser) -> str:
    """The therapist's current calendar feed link, as a path."""
    return f"/staff/feed/{user.therapist_id}/{feed_token(user.therapist)}.ics"


def active(user: StaffUser) -> bool:
    """Whether the login is active, as stored now."""
    db.session.expire_all()
    return db.session.get(StaffUser, user.id).active


def test_a_deactivated_login_is_signed_out_its_feed_answers_404_and_it_cannot_sign_in(
        app: Flask, client: FlaskClient) -> None:
    leaving = StaffUserFactory()
    their_browser = signed_in(app.test_client(), leaving)
    assert their_browser.get("/staff/schedule").status_code == 200
    feed = feed_path(leaving)
    assert app.test_client().get(feed).status_code == 200
    admin = signed_in(client, StaffUserFactory(admin=True))
    listing = page(admin.get("/admin/staff-logins"))
    assert leaving.email in listing and f"Deactivate<span class=\"visually-hidden\"> {leaving.email}" in listing
    done = admin.post(f"/admin/staff-logins/{leaving.id}/deactivate", follow_redirects=True)
    assert f"{leaving.email} is deactivated" in page(done) and "Deactivated" in page(done)
    assert location(their_browser.get("/staff/schedule")).startswith("/staff/login")
    assert app.test_client().get(feed).status_code == 404
    refused = log_in(app.test_client(), leaving.email)
    assert refused.status_code == 200 and NO_MATCH in page(refused)
    assert "staff_deactivated" in audit_actions(leaving)
    back = admin.post(f"/admin/staff-logins/{leaving.id}/reactivate", follow_redirects=True)
    assert f"{leaving.email} can sign in again" in page(back)
    assert location(log_in(app.test_client(), leaving.email)) == "/staff/schedule"
    assert app.test_client().get(feed).status_code == 404  # the old link stays revoked
    assert "staff_reactivated" in audit_actions(leaving)


def test_an_admin_cannot_deactivate_their_own_login_nor_the_last_active_admin(
        app: Flask, client: FlaskClient) -> None:
    me = StaffUserFactory(admin=True)
    admin = signed_in(client, me)
    assert "Your login" in page(admin.get("/admin/staff-logins"))
    own = admin.post(f"/admin/staff-logins/{me.id}/deactivate", follow_redirects=True)
    assert OWN_LOGIN in page(own) and active(me)
    runner = app.test_cli_runner()
    last = runner.invoke(args=["deactivate-staff", "--email", me.email])
    assert last.exit_code != 0 and LAST_ADMIN in last.output and active(me)
    other = StaffUserFactory(admin=True)
    assert admin.post(f"/admin/staff-logins/{other.id}/deactivate").status_code == 303 and not active(other)
    assert LAST_ADMIN in runner.invoke(args=["deactivate-staff", "--email", me.email]).output and active(me)


def test_the_cli_deactivates_a_login_by_its_email(app: Flask) -> None:
    leaving = StaffUserFactory()
    their_browser = signed_in(app.test_client(), leaving)
    runner = app.test_cli_runner()
    done = runner.invoke(args=["deactivate-staff", "--email", f"  {leaving.email.upper()} "])
    assert done.exit_code == 0 and f"Deactivated the login {leaving.email}" in done.output
    assert not active(leaving)
    assert location(their_browser.get("/staff/schedule")).startswith("/staff/login")
    again = runner.invoke(args=["deactivate-staff", "--email", leaving.email])
    assert again.exit_code == 0 and "already deactivated" in again.output
    unknown = runner.invoke(args=["deactivate-staff", "--email", "nobody@clinic.example"])
    assert unknown.exit_code != 0 and "No staff login has the email nobody@clinic.example" in unknown.output


def test_deactivating_a_therapist_ends_their_sign_in_unless_the_box_is_unticked(
        app: Flask, client: FlaskClient) -> None:
    leaving, staying = StaffUserFactory(), StaffUserFactory()
    their_browser = signed_in(app.test_client(), leaving)
    admin = signed_in(client, StaffUserFactory(admin=True))
    form = page(admin.get(f"/admin/therapists/{leaving.therapist_id}"))
    assert "Also end their sign-in" in form and re.search(r'<input [^>]*checked [^>]*name="end_sign_in"', form)
    done = admin.post(f"/admin/therapists/{leaving.therapist_id}/deactivate", data={"end_sign_in": "y"},
                      follow_redirects=True)
    assert f"and {leaving.email} can no longer sign in" in page(done)
    assert not active(leaving)
    assert location(their_browser.get("/staff/schedule")).startswith("/staff/login")
    kept = admin.post(f"/admin/therapists/{staying.therapist_id}/deactivate", data={}, follow_redirects=True)
    assert "is no longer offered for booking." in page(kept) and active(staying)
