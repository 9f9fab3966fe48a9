"""Signing staff in for the tests of the staff and admin pages, without going through the login form."""

from __future__ import annotations

from flask.testing import FlaskClient

from booking.models import StaffUser
from booking.services import sessions
from booking.staff.access import SESSION_KEY


def signed_in(client: FlaskClient, user: StaffUser, *, verified: bool = True) -> FlaskClient:
    """The client with a live session of ``user`` (second factor done unless ``verified=False``)."""
    token = sessions.start_session(user, verified=verified)
    with client.session_transaction() as cookie:
        cookie.clear()
        cookie[SESSION_KEY] = token
    return client
